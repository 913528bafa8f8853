#include "unit_test.h"
#include "vmm/guest_memory.h"

static uint8_t ram[4096], region2[64];

TEST(guest_memory_translate_bounds)
{
	struct guest_memory m = { 0 };

	EXPECT_EQ(guest_memory_add(&m, 0x80000000, sizeof(ram), ram, 0), 0);
	EXPECT_EQ(guest_memory_add(&m, 0x4000000, sizeof(region2), region2, 1), 0);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000000, 4096) == ram);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000fff, 1) == ram + 4095);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000fff, 2) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80001000, 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x7fffffff, 2) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000010, UINT64_MAX) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, UINT64_MAX, 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x4000020, 32) == region2 + 32);
	EXPECT_TRUE(guest_memory_translate(&m, 0x4000020, 33) == NULL);
	EXPECT_EQ(guest_memory_find(&m, 0x4000000)->slot, 1);
}

TEST(guest_memory_add_rejects_overlap)
{
	struct guest_memory m = { 0 };

	EXPECT_EQ(guest_memory_add(&m, 0x1000, 0x1000, ram, 0), 0);
	EXPECT_EQ(guest_memory_add(&m, 0x1800, 0x1000, ram, 1), (unsigned long long)-1);
	EXPECT_EQ(guest_memory_add(&m, UINT64_MAX - 5, 0x1000, ram, 1), (unsigned long long)-1);
	EXPECT_EQ(guest_memory_add(&m, 0x3000, 0, ram, 1), (unsigned long long)-1);
}
