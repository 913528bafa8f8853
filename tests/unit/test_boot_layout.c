#include <stdio.h>
#include <stdlib.h>

#include "arm/boot_layout.h"
#include "lvmm/arm_memory_map.h"
#include "unit_test.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static char err[256];
static struct boot_layout l;

static int place(const struct boot_layout_request *req)
{
	err[0] = '\0';
	memset(&l, 0xa5, sizeof(l));
	return boot_layout_place(req, &l, err, sizeof(err));
}

/* What every successful layout must satisfy, whatever the sizes. */
static void check_invariants(const struct boot_layout_request *req, int line)
{
	uint64_t ram_end = req->ram_base + req->ram_size;
	uint64_t window_end = (l.load_addr & ~(GIB - 1)) + 32 * GIB;

	if (l.load_addr != req->ram_base + req->load_offset || l.entry != l.load_addr ||
	    l.load_end != l.load_addr + req->load_size)
		unit_test_fail(__FILE__, line, "kernel not at ram_base + offset: 0x%llx..0x%llx",
			       (unsigned long long)l.load_addr, (unsigned long long)l.load_end);
	if (l.dtb_addr % (2 * MIB) != 0 || l.dtb_addr + LVMM_DTB_MAX_SIZE > ram_end ||
	    l.dtb_addr + LVMM_DTB_MAX_SIZE > window_end)
		unit_test_fail(__FILE__, line, "DTB at 0x%llx", (unsigned long long)l.dtb_addr);
	if (l.initrd_start % 4096 != 0 || l.initrd_end != l.initrd_start + req->initrd_size ||
	    l.initrd_end > l.dtb_addr || l.dtb_addr - l.initrd_end >= 4096 ||
	    (!req->initrd_size && l.initrd_end != l.dtb_addr))
		unit_test_fail(__FILE__, line, "initrd at 0x%llx..0x%llx for %llu bytes",
			       (unsigned long long)l.initrd_start, (unsigned long long)l.initrd_end,
			       (unsigned long long)req->initrd_size);
	if (l.load_end > l.initrd_start || l.load_addr < req->ram_base)
		unit_test_fail(__FILE__, line, "kernel 0x%llx..0x%llx overlaps initrd/DTB at 0x%llx",
			       (unsigned long long)l.load_addr, (unsigned long long)l.load_end,
			       (unsigned long long)l.initrd_start);
}

#define EXPECT_PLACED(req)                                                      \
	do {                                                                    \
		EXPECT_EQ(place(req), 0);                                       \
		EXPECT_STR_EQ(err, "");                                         \
		check_invariants(req, __LINE__);                                \
	} while (0)

/* The -m the error message suggests, or 0. */
static uint64_t suggested_mib(void)
{
	const char *p = strstr(err, "use -m ");
	unsigned long long mib;

	return p && sscanf(p, "use -m %llu or more", &mib) == 1 ? mib : 0;
}

TEST(boot_layout_places_everything)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 256 * MIB,
		.load_offset = 0x10000, .load_size = 20 * MIB, .initrd_size = 5 * MIB + 123,
	};

	EXPECT_PLACED(&req);
	EXPECT_EQ(l.load_addr, LVMM_RAM_BASE + 0x10000);
	EXPECT_EQ(l.entry, LVMM_RAM_BASE + 0x10000);
	EXPECT_EQ(l.load_end, LVMM_RAM_BASE + 0x10000 + 20 * MIB);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 254 * MIB); /* the top 2 MiB */
	EXPECT_EQ(l.initrd_end, l.initrd_start + 5 * MIB + 123); /* its own end, not the page's */
	/* Page-aligned, as high as it goes: 5 MiB + 123 bytes needs 5 MiB + 4 KiB. */
	EXPECT_EQ(l.initrd_start, LVMM_RAM_BASE + 254 * MIB - 5 * MIB - 4096);
}

TEST(boot_layout_ram_not_a_multiple_of_2m)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 257 * MIB, .load_size = 4 * MIB,
		.initrd_size = MIB,
	};

	EXPECT_PLACED(&req);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 254 * MIB);
	req.ram_size = 17 * MIB; /* -m 17 */
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 14 * MIB);
}

TEST(boot_layout_firmware_at_ram_base)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 16 * MIB, .load_offset = 0, .load_size = 4096,
	};

	EXPECT_PLACED(&req);
	EXPECT_EQ(l.load_addr, LVMM_FIRMWARE_LOAD_ADDR);
	EXPECT_EQ(l.entry, LVMM_FIRMWARE_LOAD_ADDR);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 14 * MIB);
}

TEST(boot_layout_no_initrd)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 64 * MIB, .load_size = 1 * MIB,
	};

	EXPECT_PLACED(&req);
	EXPECT_EQ(l.initrd_start, l.initrd_end);
	EXPECT_EQ(l.initrd_end, l.dtb_addr);
}

TEST(boot_layout_exact_fit)
{
	/* 16 MiB: DTB in [14, 16), so kernel + initrd may use exactly [0, 14) MiB. */
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 16 * MIB, .load_offset = 0x80000,
		.load_size = 10 * MIB - 0x80000, .initrd_size = 4 * MIB,
	};

	EXPECT_PLACED(&req);
	EXPECT_EQ(l.initrd_start, l.load_end);
	req.initrd_size++;
	EXPECT_EQ(place(&req), -1);
	req.initrd_size--;
	req.load_size++;
	EXPECT_EQ(place(&req), -1);

	/* The initrd starts on a page: 4 MiB - 100 bytes needs 4 MiB below the DTB, and a kernel
	 * ending one byte past 10 MiB leaves one byte less than that. */
	req.initrd_size = 4 * MIB - 100;
	EXPECT_EQ(place(&req), -1);
	req.load_size--;
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.initrd_start, LVMM_RAM_BASE + 10 * MIB);
}

TEST(boot_layout_too_small_names_the_fix)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 16 * MIB, .load_size = 10 * MIB, .initrd_size = 8 * MIB,
	};
	uint64_t mib;

	EXPECT_EQ(place(&req), -1);
	EXPECT_CONTAINS(err, "-m 16 MiB is too small");
	EXPECT_CONTAINS(err, "10240 KiB incl. BSS");
	EXPECT_CONTAINS(err, "initrd (8192 KiB)");
	EXPECT_CONTAINS(err, "use -m 22 or more");
	EXPECT_TRUE(strchr(err, '\n') == NULL);
	/* ...and the -m it names does work. */
	mib = suggested_mib();
	EXPECT_EQ(mib, 22);
	req.ram_size = mib * MIB;
	EXPECT_PLACED(&req);

	req = (struct boot_layout_request){
		.ram_base = LVMM_RAM_BASE, .ram_size = 64 * MIB, .load_offset = 0x1ff000,
		.load_size = 61 * MIB + 12345, .initrd_size = 3 * MIB + 1,
	};
	EXPECT_EQ(place(&req), -1);
	mib = suggested_mib();
	EXPECT_TRUE(mib > 64);
	req.ram_size = mib * MIB;
	EXPECT_PLACED(&req);
}

/*
 * kvmtool checks the file size against the room below the initrd; the kernel then clears its
 * BSS (image_size - file size) over the start of the initrd. Here the file (20 MiB) would fit
 * below the initrd (6 MiB under the DTB at 30 MiB: [24, 30) MiB), but image_size (25 MiB) does
 * not: it must be refused.
 */
TEST(boot_layout_counts_bss)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 32 * MIB,
		.load_size = 25 * MIB, /* image_size; the file is 20 MiB */
		.initrd_size = 6 * MIB,
	};

	EXPECT_EQ(place(&req), -1);
	EXPECT_CONTAINS(err, "25600 KiB incl. BSS");
	EXPECT_CONTAINS(err, "use -m");
	req.load_size = 20 * MIB; /* the same initrd fits a kernel whose image_size does */
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.initrd_start, LVMM_RAM_BASE + 24 * MIB);
}

TEST(boot_layout_large_ram_keeps_32g_window)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 64 * GIB, .load_offset = 0x200000 - 4096,
		.load_size = 30 * MIB, .initrd_size = 10 * MIB,
	};

	/* The kernel's 1 GiB aligned base is RAM's (2 GiB); the window ends 32 GiB above it. */
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 32 * GIB - 2 * MIB);
	EXPECT_EQ(l.initrd_end, l.dtb_addr);
	EXPECT_EQ(l.initrd_start, l.dtb_addr - 10 * MIB);
	EXPECT_TRUE(l.initrd_start - LVMM_RAM_BASE < 32 * GIB);

	req.ram_size = 1024 * GIB; /* -m 1T, the maximum */
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 32 * GIB - 2 * MIB);

	req.ram_size = 32 * GIB; /* exactly the window: the top of RAM */
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 32 * GIB - 2 * MIB);
	req.ram_size = 31 * GIB;
	EXPECT_PLACED(&req);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 31 * GIB - 2 * MIB);
}

TEST(boot_layout_huge_initrd_does_not_wrap)
{
	static const uint64_t sizes[] = { UINT64_MAX, UINT64_MAX - 100, UINT64_MAX - 4095,
					  1ULL << 63, 4 * GIB, 256 * MIB + 1, 254 * MIB };
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 256 * MIB, .load_size = MIB,
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		req.initrd_size = sizes[i];
		EXPECT_EQ(place(&req), -1);
		EXPECT_CONTAINS(err, "use -m");
		EXPECT_TRUE(suggested_mib() > 256); /* a sum that wrapped would suggest less */
	}
}

/* image_size comes from the file: one near 2^64 must not wrap load_end below the DTB. */
TEST(boot_layout_huge_image_size_does_not_wrap)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 256 * MIB, .load_offset = 0x10000,
	};
	static const uint64_t sizes[] = { 0 - (LVMM_RAM_BASE + 0x10000), /* load_end 0 */
					  0 - LVMM_RAM_BASE, UINT64_MAX, 1ULL << 63, 256 * MIB };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		req.load_size = sizes[i];
		EXPECT_EQ(place(&req), -1);
		EXPECT_CONTAINS(err, "use -m");
		EXPECT_TRUE(suggested_mib() > 256);
	}
	req.load_size = 1 * MIB;
	req.load_offset = 512 * MIB; /* an offset beyond RAM */
	EXPECT_EQ(place(&req), -1);
}
