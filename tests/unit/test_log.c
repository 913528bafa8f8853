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
