/* Hostile doorbell use and unmapped MMIO: lvmm must warn, carry on, and touch nothing. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	static const uint64_t bad_addresses[] = {
		0x10,                            /* below RAM */
		0x80000001,                      /* unaligned */
		0xffffffffffffff00ULL,           /* would wrap */
		0x80000000ULL + 0x7ffffff0ULL,   /* past the end of any RAM under 2 GiB */
		LVMM_DOORBELL_BASE,              /* MMIO, not RAM */
	};
	volatile uint32_t *unmapped = (volatile uint32_t *)0x02000000;

	(void)dtb;
	for (unsigned int i = 0; i < sizeof(bad_addresses) / sizeof(bad_addresses[0]); i++)
		doorbell_write(DOORBELL_REG_UCALL, bad_addresses[i]);
	GUEST_ASSERT_EQ(*unmapped, 0);
	*unmapped = 0xdeadbeef;
	GUEST_ASSERT_EQ(*unmapped, 0);
	GUEST_ASSERT_EQ(doorbell_read(DOORBELL_REG_UCALL), 0);
	guest_print("survived");
	guest_done();
}
