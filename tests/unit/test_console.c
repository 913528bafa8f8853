#include "unit_test.h"
#include "vmm/console.h"

TEST(console_escape_filter)
{
	struct console_escape escape = { 0 };
	uint8_t out[16];
	bool quit;

	EXPECT_EQ(console_filter_input(&escape, (const uint8_t *)"ls\r", 3, out, &quit), 3);
	EXPECT_TRUE(!quit && memcmp(out, "ls\r", 3) == 0);
	EXPECT_EQ(console_filter_input(&escape, (const uint8_t *)"a\x01\x01" "b", 4, out, &quit), 3);
	EXPECT_TRUE(!quit && memcmp(out, "a\x01" "b", 3) == 0);
	EXPECT_EQ(console_filter_input(&escape, (const uint8_t *)"q\x01", 2, out, &quit), 1);
	EXPECT_TRUE(!quit && escape.after_ctrl_a);
	EXPECT_EQ(console_filter_input(&escape, (const uint8_t *)"x", 1, out, &quit), 0);
	EXPECT_TRUE(quit);
	EXPECT_EQ(console_filter_input(&escape, (const uint8_t *)"\x01" "c", 2, out, &quit), 2);
	EXPECT_TRUE(!quit && memcmp(out, "\x01" "c", 2) == 0); /* an unknown escape passes through */
}
