#include "unit_test.h"
#include "vmm/guest_memory.h"

static uint8_t ram[4096], region2[64], region3[64];

TEST(guest_memory_translate_bounds)
{
	struct guest_memory m = { 0 };

	EXPECT_EQ(guest_memory_add(&m, 0x80000000, sizeof(ram), ram, 0), 0);
	/* inside */
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000000, 4096) == ram);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000000, 1) == ram);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000100, 0x100) == ram + 0x100);
	/* the last byte, and one past */
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000fff, 1) == ram + 4095);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000fff, 2) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000000, 4097) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80001000, 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80001000, 0) == NULL);
	/* below */
	EXPECT_TRUE(guest_memory_translate(&m, 0x7fffffff, 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x7fffffff, 2) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0, 0x80000001) == NULL);
}

TEST(guest_memory_len_overflow)
{
	struct guest_memory m = { 0 };

	EXPECT_EQ(guest_memory_add(&m, 0x80000000, sizeof(ram), ram, 0), 0);
	/* gpa + len would wrap to a small number that a naive "end <= region end" accepts. */
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000010, UINT64_MAX) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000010, UINT64_MAX - 0x80000010 + 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000010, 1ULL << 63) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, UINT64_MAX, 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, UINT64_MAX - 7, 8) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, UINT64_MAX - 7, 0x80000010) == NULL);
}

TEST(guest_memory_two_regions)
{
	struct guest_memory m = { 0 };

	EXPECT_EQ(guest_memory_add(&m, 0x80000000, sizeof(ram), ram, 0), 0);
	EXPECT_EQ(guest_memory_add(&m, 0x4000000, sizeof(region2), region2, 1), 0);
	EXPECT_EQ(guest_memory_add(&m, 0x4000040, sizeof(region3), region3, 2), 0); /* adjacent */
	EXPECT_EQ(m.count, 3);
	EXPECT_TRUE(guest_memory_translate(&m, 0x80000000, 8) == ram);
	EXPECT_TRUE(guest_memory_translate(&m, 0x4000020, 32) == region2 + 32);
	EXPECT_TRUE(guest_memory_translate(&m, 0x4000020, 33) == NULL); /* into the next slot */
	EXPECT_TRUE(guest_memory_translate(&m, 0x4000040, 64) == region3);
	EXPECT_TRUE(guest_memory_translate(&m, 0x4000080, 1) == NULL);
	EXPECT_TRUE(guest_memory_translate(&m, 0x5000000, 1) == NULL); /* between regions */
	EXPECT_EQ(guest_memory_find(&m, 0x4000000)->slot, 1);
	EXPECT_EQ(guest_memory_find(&m, 0x400003f)->slot, 1);
	EXPECT_EQ(guest_memory_find(&m, 0x4000040)->slot, 2);
	EXPECT_EQ(guest_memory_find(&m, 0x80000fff)->slot, 0);
	EXPECT_TRUE(guest_memory_find(&m, 0x80001000) == NULL);
	EXPECT_TRUE(guest_memory_find(&m, 0) == NULL);
}

TEST(guest_memory_add_rejects_overlap)
{
	struct guest_memory m = { 0 };

	EXPECT_EQ(guest_memory_add(&m, 0x1000, 0x1000, ram, 0), 0);
	EXPECT_EQ(guest_memory_add(&m, 0x1800, 0x1000, ram, 1), -1); /* over the end */
	EXPECT_EQ(guest_memory_add(&m, 0x0800, 0x1000, ram, 1), -1); /* over the start */
	EXPECT_EQ(guest_memory_add(&m, 0x1400, 0x10, ram, 1), -1);   /* inside */
	EXPECT_EQ(guest_memory_add(&m, 0x0, 0x10000, ram, 1), -1);   /* around */
	EXPECT_EQ(guest_memory_add(&m, 0x1000, 0x1000, ram, 1), -1); /* the same */
	EXPECT_EQ(guest_memory_add(&m, UINT64_MAX - 5, 0x1000, ram, 1), -1); /* wraps */
	EXPECT_EQ(guest_memory_add(&m, 0x3000, 0, ram, 1), -1);      /* empty */
	EXPECT_EQ(m.count, 1);
	EXPECT_EQ(guest_memory_add(&m, 0x2000, 0x1000, ram, 1), 0);  /* adjacent is fine */
	EXPECT_EQ(guest_memory_add(&m, 0x0000, 0x1000, ram, 2), 0);
	EXPECT_EQ(guest_memory_add(&m, 0x9000, 0x1000, ram, 3), 0);
	EXPECT_EQ(guest_memory_add(&m, 0xa000, 0x1000, ram, 4), -1); /* full */
	EXPECT_EQ(m.count, GUEST_MEMORY_MAX_REGIONS);
}
