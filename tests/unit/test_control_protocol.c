#include "unit_test.h"
#include "vmm/control_protocol.h"

TEST(control_requests_parse_exactly)
{
	EXPECT_EQ(control_request_parse("stop", 4), CONTROL_STOP);
	EXPECT_EQ(control_request_parse("pause", 5), CONTROL_PAUSE);
	EXPECT_EQ(control_request_parse("resume", 6), CONTROL_RESUME);
	EXPECT_EQ(control_request_parse("info", 4), CONTROL_INFO);
	EXPECT_EQ(control_request_parse("stat", 4), CONTROL_STAT);
	EXPECT_EQ(control_request_parse("stat json", 9), CONTROL_STAT_JSON);
	/* Anything else, however close, is malformed. */
	EXPECT_EQ(control_request_parse("", 0), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("stop\n", 5), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("stop", 3), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("stop\0", 5), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("STOP", 4), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("stat  json", 10), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("stat jsonx", 10), CONTROL_INVALID);
	EXPECT_EQ(control_request_parse("reboot", 6), CONTROL_INVALID);
	for (int r = CONTROL_INFO; r <= CONTROL_STAT_JSON; r++) {
		const char *text = control_request_text((enum control_request)r);

		EXPECT_EQ(control_request_parse(text, strlen(text)), r);
	}
	EXPECT_STR_EQ(control_request_text(CONTROL_INVALID), "");
}

TEST(control_names_are_file_names)
{
	static const char *const good[] = { "guest", "guest-1234", "ci_job.7", "A", "x-" };
	static const char *const bad[] = {
		"", ".hidden", "-x", "a/b", "..", "a b", "a\nb", "tab\t", "é",
		"a123456789012345678901234567890123456789012345678901234567890123456789",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		EXPECT_TRUE(control_name_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (control_name_valid(bad[i]))
			unit_test_fail(__FILE__, __LINE__, "'%s' was accepted", bad[i]);
	}
}

TEST(control_directory_prefers_the_runtime_dir)
{
	char dir[64];

	EXPECT_EQ(control_directory(dir, sizeof(dir), "/run/user/1000", "/home/u"), 0);
	EXPECT_STR_EQ(dir, "/run/user/1000/lvmm");
	EXPECT_EQ(control_directory(dir, sizeof(dir), NULL, "/home/u"), 0);
	EXPECT_STR_EQ(dir, "/home/u/.lvmm");
	/* A relative or empty XDG_RUNTIME_DIR is ignored, as the XDG spec says. */
	EXPECT_EQ(control_directory(dir, sizeof(dir), "run", "/home/u"), 0);
	EXPECT_STR_EQ(dir, "/home/u/.lvmm");
	EXPECT_EQ(control_directory(dir, sizeof(dir), "", "/root"), 0);
	EXPECT_STR_EQ(dir, "/root/.lvmm");
	EXPECT_EQ(control_directory(dir, sizeof(dir), NULL, NULL), -1);
	EXPECT_EQ(control_directory(dir, sizeof(dir), NULL, "relative"), -1);
	EXPECT_EQ(control_directory(dir, 8, NULL, "/home/user"), -1);
}
