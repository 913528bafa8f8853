#include "arm/boot_layout.h"
#include "lvmm/arm_memory_map.h"
#include "unit_test.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static char err[256];

TEST(boot_layout_places_everything)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 256 * MIB,
		.load_offset = 0x10000, .load_size = 20 * MIB, .initrd_size = 5 * MIB + 123,
	};
	struct boot_layout l;

	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.load_addr, LVMM_RAM_BASE + 0x10000);
	EXPECT_EQ(l.entry, l.load_addr);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 254 * MIB);
	EXPECT_EQ(l.dtb_addr % (2 * MIB), 0);
	EXPECT_EQ(l.initrd_end, l.dtb_addr);
	EXPECT_EQ(l.initrd_start % 4096, 0);
	EXPECT_TRUE(l.initrd_end - l.initrd_start >= req.initrd_size);
	EXPECT_TRUE(l.initrd_start >= l.load_end);
}

TEST(boot_layout_no_initrd)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 64 * MIB, .load_size = 1 * MIB,
	};
	struct boot_layout l;

	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.initrd_start, l.initrd_end);
}

TEST(boot_layout_too_small_names_the_fix)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 16 * MIB, .load_size = 10 * MIB, .initrd_size = 8 * MIB,
	};
	struct boot_layout l;

	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "too small");
	EXPECT_CONTAINS(err, "use -m 22 or more");
}

/* kvmtool checks the file size; BSS (image_size) is what must not collide with the initrd. */
TEST(boot_layout_counts_bss)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 32 * MIB, .load_size = 25 * MIB, .initrd_size = 6 * MIB,
	};
	struct boot_layout l;

	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), (unsigned long long)-1);
	req.load_size = 20 * MIB; /* the same initrd fits once the kernel's real size does */
	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), 0);
}

TEST(boot_layout_large_ram_keeps_32g_window)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 64 * GIB, .load_size = 30 * MIB, .initrd_size = 10 * MIB,
	};
	struct boot_layout l;

	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.dtb_addr, LVMM_RAM_BASE + 32 * GIB - 2 * MIB);
	EXPECT_TRUE(l.initrd_start >= LVMM_RAM_BASE);
}

TEST(boot_layout_huge_initrd_does_not_wrap)
{
	struct boot_layout_request req = {
		.ram_base = LVMM_RAM_BASE, .ram_size = 256 * MIB, .load_size = MIB,
		.initrd_size = UINT64_MAX - 100,
	};
	struct boot_layout l;

	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), (unsigned long long)-1);
	req.initrd_size = 4 * GIB;
	EXPECT_EQ(boot_layout_place(&req, &l, err, sizeof(err)), (unsigned long long)-1);
}
