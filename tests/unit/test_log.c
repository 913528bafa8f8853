#include "unit_test.h"
#include "vmm/log.h"

TEST(log_escape_makes_control_bytes_visible)
{
	char out[64];

	/* A file named with a newline and a terminal escape cannot split or colour a message. */
	EXPECT_EQ(log_escape("bad\nname\x1b[31m", out, sizeof(out)), 19);
	EXPECT_STR_EQ(out, "bad\\x0aname\\x1b[31m");
	EXPECT_EQ(log_escape("tab\there\r\x7f", out, sizeof(out)), 19);
	EXPECT_STR_EQ(out, "tab\\x09here\\x0d\\x7f");
	/* Printable ASCII and UTF-8 pass unchanged. */
	EXPECT_EQ(log_escape("/tmp/ünïcode Image", out, sizeof(out)), strlen("/tmp/ünïcode Image"));
	EXPECT_STR_EQ(out, "/tmp/ünïcode Image");
	EXPECT_EQ(log_escape("", out, sizeof(out)), 0);
	EXPECT_STR_EQ(out, "");
}

TEST(log_escape_cuts_to_fit_never_inside_an_escape)
{
	char out[8];

	EXPECT_EQ(log_escape("abcdefghij", out, sizeof(out)), 7);
	EXPECT_STR_EQ(out, "abcdefg");
	/* "ab" + "\x0a" is 6 bytes; the next escape would need 4 more: stop before it. */
	EXPECT_EQ(log_escape("ab\n\ncd", out, sizeof(out)), 6);
	EXPECT_STR_EQ(out, "ab\\x0a");
	EXPECT_EQ(log_escape("x", out, 1), 0);
	EXPECT_STR_EQ(out, "");
}

TEST(log_limit_lets_a_burst_through_then_counts_what_it_holds_back)
{
	struct log_limit limit = LOG_LIMIT_INIT;
	const uint64_t start = 5000000000ULL, second = 1000000000ULL;
	uint64_t suppressed = 99;
	unsigned int allowed = 0;

	/* A flood: 1000 messages within one second. */
	for (unsigned int i = 0; i < 1000; i++)
		allowed += log_limit_allow(&limit, start + i * 1000000ULL, &suppressed);
	EXPECT_EQ(allowed, LOG_LIMIT_BURST);
	EXPECT_EQ(suppressed, 0); /* nothing was held back before any line that got through */
	/* Still inside the window: held back too. */
	EXPECT_FALSE(log_limit_allow(&limit, start + 9 * second, &suppressed));
	/* The next window: through, and told how many were held back. */
	EXPECT_TRUE(log_limit_allow(&limit, start + 10 * second, &suppressed));
	EXPECT_EQ(suppressed, 1000 - LOG_LIMIT_BURST + 1);
	EXPECT_TRUE(log_limit_allow(&limit, start + 10 * second + 1, &suppressed));
	EXPECT_EQ(suppressed, 0);
}
