/*
 * Hostile doorbell use and unmapped MMIO. lvmm must ignore every bad ucall address with one
 * warning line each, ignore 32-bit writes and unknown commands, read absent devices as 0, and
 * carry on. Where a buggy lvmm could act on a bad call, the call is an ASSERT, so the bug
 * fails the test instead of passing unnoticed.
 */
#include "guest.h"

#define UNMAPPED_MMIO 0x02000000ULL /* between the platform devices and PV sched: nothing there */

/* A well-formed call; only the way it is rung makes it invalid. */
static struct doorbell_ucall must_ignore;
/* Room for a call at byte offset 4: only an address that ignores alignment finds it. */
static uint64_t misaligned_room[sizeof(struct doorbell_ucall) / 8 + 1];

static void put_text(volatile char *dst, const char *text)
{
	while ((*dst++ = *text++))
		;
}

static void prepare_calls(void)
{
	volatile uint32_t *words = (volatile uint32_t *)misaligned_room;
	volatile char *text = (volatile char *)misaligned_room + 4 + offsetof(struct doorbell_ucall, text);

	must_ignore.command = UCALL_ASSERT;
	put_text(must_ignore.text, "lvmm acted on a 32-bit write to REG_UCALL");
	doorbell_publish(&must_ignore, sizeof(must_ignore));
	words[1] = UCALL_ASSERT; /* the command's low half at offset 4; the high half stays 0 */
	put_text(text, "lvmm acted on an unaligned ucall address");
	doorbell_publish(misaligned_room, sizeof(misaligned_room));
}

void guest_main(uint64_t dtb)
{
	const uint64_t call_size = sizeof(struct doorbell_ucall);
	uint64_t ram_base, ram_size, ram_end;
	volatile uint64_t *unmapped = (volatile uint64_t *)UNMAPPED_MMIO;

	GUEST_ASSERT(fdt_memory_range(dtb, &ram_base, &ram_size));
	ram_end = ram_base + ram_size;
	prepare_calls();

	const uint64_t bad_addresses[] = {
		0x10,                                    /* below RAM, unmapped */
		0x1,                                     /* below RAM and unaligned */
		(uintptr_t)misaligned_room + 4,          /* in RAM, unaligned */
		0xffffffffffffff00ULL,                   /* address + size wraps around */
		LVMM_DOORBELL_BASE,                      /* MMIO, not RAM */
		ram_end - 8,                             /* starts in RAM, runs past its end */
		ram_end - call_size + 8,                 /* the last 8 bytes past the end */
		ram_end,                                 /* just past the end */
	};
	for (unsigned int i = 0; i < sizeof(bad_addresses) / sizeof(bad_addresses[0]); i++)
		doorbell_write(DOORBELL_REG_UCALL, bad_addresses[i]);

	/* A 32-bit write of a good address: the register is 64-bit only. */
	*(volatile uint32_t *)(LVMM_DOORBELL_BASE + DOORBELL_REG_UCALL) = (uint32_t)(uintptr_t)&must_ignore;

	/* A well-formed call with a command lvmm does not know: one warning, then carry on. */
	must_ignore.command = 99;
	doorbell_publish(&must_ignore, sizeof(must_ignore));
	doorbell_write(DOORBELL_REG_UCALL, (uintptr_t)&must_ignore);

	GUEST_ASSERT_EQ(doorbell_read(DOORBELL_REG_UCALL), 0);
	GUEST_ASSERT_EQ(doorbell_read(0x20), 0); /* past the last register */
	GUEST_ASSERT_EQ(*unmapped, 0);
	GUEST_ASSERT_EQ(*(volatile uint32_t *)UNMAPPED_MMIO, 0);
	*unmapped = 0xdeadbeefdeadbeefULL;
	GUEST_ASSERT_EQ(*unmapped, 0);

	guest_print("bad ucalls and unmapped MMIO survived");
	guest_done();
}
