#include <stdlib.h>

#include "unit_test.h"
#include "vmm/console.h"

static struct console_escape escape;
static uint8_t *out;
static bool quit;

/* Runs the filter with an output buffer of exactly count + 1 bytes (ASan checks the bound). */
static size_t filter(const char *in, size_t count)
{
	size_t kept;

	free(out);
	out = malloc(count + 1);
	quit = true; /* must be reset by the call */
	kept = console_filter_input(&escape, (const uint8_t *)in, count, out, &quit);
	EXPECT_TRUE(kept <= count + 1);
	return kept;
}

static void done(void)
{
	free(out);
	out = NULL;
	memset(&escape, 0, sizeof(escape));
}

TEST(console_plain_bytes_pass_through)
{
	EXPECT_EQ(filter("ls -l\r", 6), 6);
	EXPECT_FALSE(quit);
	EXPECT_TRUE(memcmp(out, "ls -l\r", 6) == 0);
	EXPECT_EQ(filter("\x03\x04\x1b[A\0x", 7), 7); /* Ctrl-C, Ctrl-D, escape sequences, NUL, x */
	EXPECT_TRUE(memcmp(out, "\x03\x04\x1b[A\0x", 7) == 0);
	EXPECT_FALSE(quit);
	EXPECT_EQ(filter("", 0), 0);
	EXPECT_FALSE(quit);
	EXPECT_FALSE(escape.after_ctrl_a);
	done();
}

TEST(console_ctrl_a_x_quits)
{
	EXPECT_EQ(filter("ab\x01xcd", 6), 2); /* bytes before it are kept, after it dropped */
	EXPECT_TRUE(quit);
	EXPECT_TRUE(memcmp(out, "ab", 2) == 0);
	EXPECT_FALSE(escape.after_ctrl_a);
	EXPECT_EQ(filter("\x01X", 2), 0); /* upper case too */
	EXPECT_TRUE(quit);
	EXPECT_EQ(filter("x", 1), 1); /* a plain x afterwards is just an x */
	EXPECT_FALSE(quit);
	EXPECT_EQ(out[0], 'x');
	done();
}

TEST(console_ctrl_a_ctrl_a_sends_one)
{
	EXPECT_EQ(filter("a\x01\x01" "b", 4), 3);
	EXPECT_FALSE(quit);
	EXPECT_TRUE(memcmp(out, "a\x01" "b", 3) == 0);
	EXPECT_EQ(filter("\x01\x01\x01\x01", 4), 2);
	EXPECT_TRUE(memcmp(out, "\x01\x01", 2) == 0);
	EXPECT_FALSE(escape.after_ctrl_a);
	/* An escape of something else passes both bytes through. */
	EXPECT_EQ(filter("\x01" "c", 2), 2);
	EXPECT_TRUE(memcmp(out, "\x01" "c", 2) == 0);
	EXPECT_FALSE(quit);
	done();
}

TEST(console_escape_split_across_reads)
{
	EXPECT_EQ(filter("q\x01", 2), 1); /* Ctrl-A held back until the next byte */
	EXPECT_EQ(out[0], 'q');
	EXPECT_FALSE(quit);
	EXPECT_TRUE(escape.after_ctrl_a);
	EXPECT_EQ(filter("x", 1), 0);
	EXPECT_TRUE(quit);

	done();
	EXPECT_EQ(filter("\x01", 1), 0);
	EXPECT_EQ(filter("\x01", 1), 1); /* Ctrl-A, Ctrl-A in two reads: one Ctrl-A */
	EXPECT_EQ(out[0], 0x01);
	EXPECT_FALSE(escape.after_ctrl_a);

	EXPECT_EQ(filter("\x01", 1), 0);
	EXPECT_EQ(filter("c", 1), 2); /* the held Ctrl-A plus c: count + 1 bytes */
	EXPECT_TRUE(memcmp(out, "\x01" "c", 2) == 0);
	EXPECT_FALSE(quit);
	done();
}
