/* A small unit-test framework of our own: TEST() registers, EXPECT_*() record and continue. */
#ifndef LVMM_UNIT_TEST_H
#define LVMM_UNIT_TEST_H

#include <math.h>
#include <stdbool.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*run)(void);
	struct unit_test *next;
};

void unit_test_register(struct unit_test *test);
void unit_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name_)                                                             \
	static void test_##name_(void);                                         \
	static struct unit_test unit_##name_ = { #name_, test_##name_, NULL };  \
	__attribute__((constructor)) static void register_##name_(void)         \
	{                                                                       \
		unit_test_register(&unit_##name_);                              \
	}                                                                       \
	static void test_##name_(void)

#define EXPECT_TRUE(cond)                                                       \
	do {                                                                    \
		if (!(cond))                                                    \
			unit_test_fail(__FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

#define EXPECT_FALSE(cond) EXPECT_TRUE(!(cond))

/* Integers of any type, compared as 64-bit values (so -1 matches an int -1 or a (uint64_t)-1). */
#define EXPECT_EQ(a, b)                                                         \
	do {                                                                    \
		unsigned long long a_ = (unsigned long long)(a);                \
		unsigned long long b_ = (unsigned long long)(b);                \
		if (a_ != b_)                                                   \
			unit_test_fail(__FILE__, __LINE__, "%s == %s: %lld (%llu, 0x%llx) != %lld (%llu, 0x%llx)", \
				       #a, #b, (long long)a_, a_, a_, (long long)b_, b_, b_); \
	} while (0)

/* Doubles within a relative tolerance of the expected value. */
#define EXPECT_CLOSE(got, want, relative_tolerance)                             \
	do {                                                                    \
		double got_ = (got), want_ = (want);                            \
		if (!(fabs(got_ - want_) <= (relative_tolerance) * fabs(want_))) \
			unit_test_fail(__FILE__, __LINE__, "%s: %.17g, expected %.17g", #got, \
				       got_, want_);                            \
	} while (0)

#define EXPECT_STR_EQ(a, b)                                                     \
	do {                                                                    \
		const char *a_ = (a), *b_ = (b);                                \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                          \
			unit_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
				       a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#define EXPECT_CONTAINS(haystack, needle)                                       \
	do {                                                                    \
		const char *h_ = (haystack), *n_ = (needle);                    \
		if (!h_ || !strstr(h_, n_))                                     \
			unit_test_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", \
				       h_ ? h_ : "(null)", n_);                 \
	} while (0)

#endif
