#include <stdio.h>

#include "unit_test.h"
#include "arm/sve_vector_lengths.h"
#include "vmm/cpu_list.h"

static const char *round_trip(const char *text)
{
	static char out[512];
	cpu_set_t set;

	if (!cpu_list_parse(text, &set))
		return "(refused)";
	cpu_list_format(&set, out, sizeof(out));
	return out;
}

TEST(cpu_list_parses_what_taskset_takes)
{
	cpu_set_t set;

	EXPECT_TRUE(cpu_list_parse("0-3,6,8-9", &set));
	EXPECT_EQ(CPU_COUNT(&set), 7);
	EXPECT_TRUE(CPU_ISSET(0, &set) && CPU_ISSET(3, &set) && CPU_ISSET(6, &set) &&
		    CPU_ISSET(9, &set));
	EXPECT_FALSE(CPU_ISSET(4, &set) || CPU_ISSET(7, &set) || CPU_ISSET(10, &set));
	EXPECT_TRUE(cpu_list_parse("1", &set));
	EXPECT_EQ(CPU_COUNT(&set), 1);
	EXPECT_TRUE(CPU_ISSET(1, &set));
	/* The last CPU a set can hold. */
	EXPECT_TRUE(cpu_list_parse("1023", &set));
	EXPECT_TRUE(CPU_ISSET(1023, &set));
	EXPECT_STR_EQ(round_trip("5-5"), "5");
	EXPECT_STR_EQ(round_trip("3,1,2,0"), "0-3");
	EXPECT_STR_EQ(round_trip("0-2,2-4,7,9-10"), "0-4,7,9-10");
	EXPECT_STR_EQ(round_trip("1022-1023"), "1022-1023");
}

TEST(cpu_list_refuses_what_is_not_a_list)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "1,,2", "a", "1a", "-1", "1-", "-", "3-1", " 1", "1 ",
		"1-2-3", "1024", "0-1024", "99999999999999999999", "+1", "0x1", "1;2",
	};
	cpu_set_t set;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cpu_list_parse(bad[i], &set))
			unit_test_fail(__FILE__, __LINE__, "'%s' was accepted", bad[i]);
	}
}

TEST(cpu_list_format_truncates_safely)
{
	char out[6];
	cpu_set_t set;

	CPU_ZERO(&set);
	cpu_list_format(&set, out, sizeof(out));
	EXPECT_STR_EQ(out, "");
	EXPECT_TRUE(cpu_list_parse("0,2,4,6,8,10", &set));
	memset(out, 'x', sizeof(out));
	cpu_list_format(&set, out, sizeof(out));
	EXPECT_EQ(strlen(out), sizeof(out) - 1);
	EXPECT_STR_EQ(out, "0,2,4");
}

TEST(sve_vector_lengths_cap_and_longest)
{
	/* 128, 256, 512 and 2048 bits (vq 1, 2, 4 and 16), as a host with gaps offers. */
	uint64_t words[SVE_VLS_WORDS] = { 0x800bULL };
	uint64_t capped[SVE_VLS_WORDS];

	EXPECT_EQ(sve_vls_longest(words), 2048);
	memcpy(capped, words, sizeof(words));
	EXPECT_TRUE(sve_vls_cap(capped, 512));
	EXPECT_EQ(capped[0], 0xbULL);
	EXPECT_EQ(sve_vls_longest(capped), 512);
	/* A length the host does not offer, or that is not a length at all, is refused. */
	memcpy(capped, words, sizeof(words));
	EXPECT_FALSE(sve_vls_cap(capped, 384));
	EXPECT_FALSE(sve_vls_cap(capped, 1024));
	EXPECT_FALSE(sve_vls_cap(capped, 200));
	EXPECT_FALSE(sve_vls_cap(capped, 0));
	EXPECT_FALSE(sve_vls_cap(capped, 4096));
	EXPECT_EQ(memcmp(capped, words, sizeof(words)), 0);
	/* The highest word counts too: vq 512 is bit 63 of word 7. */
	memset(capped, 0, sizeof(capped));
	capped[7] = 1ULL << 63;
	capped[0] = 1;
	EXPECT_EQ(sve_vls_longest(capped), 512 * 128);
	EXPECT_TRUE(sve_vls_cap(capped, 128));
	EXPECT_EQ(capped[7], 0);
	EXPECT_EQ(sve_vls_longest(capped), 128);
	memset(capped, 0, sizeof(capped));
	EXPECT_EQ(sve_vls_longest(capped), 0);
}
