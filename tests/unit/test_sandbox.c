/* lvmm sandbox's pieces that need no guest: its options, the spec init reads, the initrd's
 * archive, module resolution, the environment filter and the control port's reports. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit_test.h"
#include "vmm/cli.h"
#include "vmm/cpio_writer.h"
#include "vmm/kernel_modules.h"
#include "vmm/sandbox.h"
#include "vmm/sandbox_input_frames.h"
#include "vmm/sandbox_environment.h"
#include "vmm/sandbox_spec.h"

static char message[4096];
static struct run_options opts;
static struct sandbox_options sandbox;

#define SANDBOX(...) parse_sandbox((char *[]){ "sandbox", __VA_ARGS__, NULL })

static enum cli_result parse_sandbox(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cli_parse_sandbox(argc, argv, &opts, &sandbox, message, sizeof(message));
}

TEST(sandbox_cli_takes_the_command_after_the_options)
{
	char *argv[] = { "sandbox", "-k", "Image", "-c", "2", "--9p", "/srv,out", "--rootfs", "/r", "--",
			 "sh", "-c", "exit 42", NULL };
	char *argv_options[] = { "sandbox", "-k", "Image", "--", "ls", "-k", "--help", NULL };

	/* sandbox.command points into argv: argv outlives the checks. */
	EXPECT_EQ(parse_sandbox(argv), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "Image");
	EXPECT_EQ(opts.cpus, 2);
	EXPECT_STR_EQ(sandbox.rootfs, "/r");
	EXPECT_EQ(sandbox.command_count, 3);
	EXPECT_STR_EQ(sandbox.command[0], "sh");
	EXPECT_STR_EQ(sandbox.command[2], "exit 42");
	EXPECT_TRUE(sandbox.command[3] == NULL);
	EXPECT_EQ(opts.share_count, 1);
	/* Options of the command are the command's, not lvmm's. */
	EXPECT_EQ(parse_sandbox(argv_options), CLI_RUN);
	EXPECT_EQ(sandbox.command_count, 3);
	EXPECT_STR_EQ(sandbox.command[1], "-k");
	EXPECT_FALSE(sandbox.terminal);
}

/* -t/--tty belongs to the sandbox; after --, a -t is the command's. */
TEST(sandbox_cli_takes_the_tty_option)
{
	EXPECT_EQ(SANDBOX("-k", "Image", "-t", "--", "sh"), CLI_RUN);
	EXPECT_TRUE(sandbox.terminal);
	EXPECT_EQ(SANDBOX("-k", "Image", "--tty", "--", "sh"), CLI_RUN);
	EXPECT_TRUE(sandbox.terminal);
	EXPECT_EQ(SANDBOX("-tk", "Image", "--", "sh"), CLI_RUN);
	EXPECT_TRUE(sandbox.terminal);
	EXPECT_STR_EQ(opts.kernel_path, "Image");
	EXPECT_FALSE(sandbox.terminal_forced);
	/* Given twice, as ssh -tt: the terminal even without lvmm's. */
	EXPECT_EQ(SANDBOX("-k", "Image", "-tt", "--", "sh"), CLI_RUN);
	EXPECT_TRUE(sandbox.terminal && sandbox.terminal_forced);
	EXPECT_EQ(SANDBOX("-t", "-k", "Image", "--tty", "--", "sh"), CLI_RUN);
	EXPECT_TRUE(sandbox.terminal && sandbox.terminal_forced);
	EXPECT_EQ(SANDBOX("-k", "Image", "--", "ls", "-t"), CLI_RUN);
	EXPECT_FALSE(sandbox.terminal);
	EXPECT_FALSE(sandbox.terminal_forced);
	EXPECT_EQ(SANDBOX("-k", "Image", "--tty=yes", "--", "sh"), CLI_ERROR);
	EXPECT_CONTAINS(message, "takes no value");
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "-t", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "--tty is an option of lvmm sandbox");
}

TEST(sandbox_cli_refuses_what_it_cannot_do)
{
	EXPECT_EQ(SANDBOX("-k", "Image"), CLI_ERROR);
	EXPECT_CONTAINS(message, "no command");
	EXPECT_EQ(SANDBOX("-k", "Image", "--"), CLI_ERROR);
	EXPECT_CONTAINS(message, "no command");
	EXPECT_EQ(SANDBOX("--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "-k IMAGE");
	EXPECT_EQ(SANDBOX("-k", "Image", "-i", "initrd", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "drop --initrd");
	EXPECT_EQ(SANDBOX("-k", "Image", "--console", "virtio", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "drop --console");
	EXPECT_EQ(SANDBOX("-k", "Image", "--9p", "/x,lvmm-root", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "lvmm-root");
	EXPECT_EQ(SANDBOX("-k", "Image", "--9p", "/x,a", "--9p", "/y,a", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "given twice");
	EXPECT_EQ(SANDBOX("-h"), CLI_HELP);
	EXPECT_CONTAINS(message, "lvmm sandbox -k IMAGE");
	/* --rootfs belongs to the sandbox only. */
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--rootfs=/x", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "--rootfs is an option of lvmm sandbox");
}

/* --modules belongs to the sandbox, whose own shares then take two of the eight. */
TEST(sandbox_cli_takes_the_modules_option)
{
	char *shares[40] = { "sandbox", "-k", "I", "--modules", "/m" };
	char tags[8][16];
	int argc = 5;

	EXPECT_EQ(SANDBOX("-k", "I", "--modules", "/mods", "--", "true"), CLI_RUN);
	EXPECT_STR_EQ(sandbox.modules, "/mods");
	EXPECT_EQ(opts.share_count, 0);
	EXPECT_EQ(SANDBOX("-k", "I", "--", "true"), CLI_RUN);
	EXPECT_TRUE(sandbox.modules == NULL);
	EXPECT_EQ(SANDBOX("-k", "I", "--9p", "/x,lvmm-modules", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "'lvmm-modules' is the sandbox's own (--modules)");
	EXPECT_EQ(SANDBOX("-k", "I", "--9p", "/x,lvmm-root", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "'lvmm-root' is the sandbox's own (its root)");
	EXPECT_EQ(cli_parse_run(5, (char *[]){ "run", "-k", "I", "--modules", "/m", NULL }, &opts,
				message, sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "--modules is an option of lvmm sandbox");
	for (int i = 0; i < 6; i++) {
		snprintf(tags[i], sizeof(tags[i]), "/s,t%d", i);
		shares[argc++] = "--9p";
		shares[argc++] = tags[i];
	}
	shares[argc++] = "--";
	shares[argc++] = "true";
	EXPECT_EQ(cli_parse_sandbox(argc, shares, &opts, &sandbox, message, sizeof(message)), CLI_RUN);
	EXPECT_EQ(opts.share_count, 6);
	argc -= 2;
	snprintf(tags[6], sizeof(tags[6]), "/s,t6");
	shares[argc++] = "--9p";
	shares[argc++] = tags[6];
	shares[argc++] = "--";
	shares[argc++] = "true";
	EXPECT_EQ(cli_parse_sandbox(argc, shares, &opts, &sandbox, message, sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "its root and --modules take 2 of the 8 shares");
	/* Without --modules the seventh share fits. */
	shares[3] = "-c";
	shares[4] = "1";
	EXPECT_EQ(cli_parse_sandbox(argc, shares, &opts, &sandbox, message, sizeof(message)), CLI_RUN);
	EXPECT_EQ(opts.share_count, 7);
}

TEST(sandbox_cli_takes_the_writable_root_option)
{
	EXPECT_EQ(SANDBOX("-k", "I", "--", "true"), CLI_RUN);
	EXPECT_FALSE(sandbox.writable_root);
	EXPECT_EQ(SANDBOX("-k", "I", "--writable-root", "--", "true"), CLI_RUN);
	EXPECT_TRUE(sandbox.writable_root);
	EXPECT_EQ(SANDBOX("-k", "I", "--writable-root=yes", "--", "true"), CLI_ERROR);
	EXPECT_CONTAINS(message, "takes no value");
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--writable-root", NULL }, &opts,
				message, sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "--writable-root is an option of lvmm sandbox");
}

TEST(sandbox_cli_takes_the_user_option)
{
	static char *const bad[] = { "1000", ":1", "1:", "a:b", "4294967295:1", "1:4294967295",
				     "-1:0", "1000:1000x", " 1:2", "0x10:1", "1:2:3" };

	EXPECT_EQ(SANDBOX("-k", "I", "--", "id"), CLI_RUN);
	EXPECT_FALSE(sandbox.user_given);
	EXPECT_EQ(SANDBOX("-k", "I", "--user", "1000:100", "--", "id"), CLI_RUN);
	EXPECT_TRUE(sandbox.user_given);
	EXPECT_EQ(sandbox.user_id, 1000);
	EXPECT_EQ(sandbox.group_id, 100);
	EXPECT_EQ(SANDBOX("-k", "I", "--user=4294967294:0", "--", "id"), CLI_RUN);
	EXPECT_EQ(sandbox.user_id, 4294967294u);
	EXPECT_EQ(sandbox.group_id, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(SANDBOX("-k", "I", "--user", bad[i], "--", "id"), CLI_ERROR);
		EXPECT_CONTAINS(message, "invalid --user");
	}
	EXPECT_EQ(cli_parse_run(5, (char *[]){ "run", "-k", "I", "--user", "1:1", NULL }, &opts,
				message, sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "--user is an option of lvmm sandbox");
}

TEST(sandbox_cli_takes_env_options)
{
	char *many[2 * CLI_MAX_SANDBOX_ENV + 8] = { "sandbox", "-k", "I" };
	int argc = 3;

	EXPECT_EQ(SANDBOX("-k", "I", "-e", "FOO", "--env", "BAR=1", "--env=EMPTY=", "--", "env"),
		  CLI_RUN);
	EXPECT_EQ(sandbox.env_count, 3);
	EXPECT_STR_EQ(sandbox.env[0], "FOO");
	EXPECT_STR_EQ(sandbox.env[1], "BAR=1");
	EXPECT_STR_EQ(sandbox.env[2], "EMPTY=");
	EXPECT_EQ(SANDBOX("-k", "I", "-e", "=x", "--", "env"), CLI_ERROR);
	EXPECT_CONTAINS(message, "invalid --env '=x'");
	EXPECT_EQ(SANDBOX("-k", "I", "-e", "", "--", "env"), CLI_ERROR);
	EXPECT_CONTAINS(message, "give NAME or NAME=VALUE");
	EXPECT_EQ(cli_parse_run(5, (char *[]){ "run", "-k", "I", "-e", "X", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "--env is an option of lvmm sandbox");
	for (int i = 0; i <= CLI_MAX_SANDBOX_ENV; i++) {
		many[argc++] = "-e";
		many[argc++] = "X=1";
	}
	many[argc++] = "--";
	many[argc++] = "env";
	EXPECT_EQ(cli_parse_sandbox(argc, many, &opts, &sandbox, message, sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "too many --env");
}

TEST(share_option_parsing)
{
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--9p=/a,b,c,tag,ro", NULL }, &opts,
				message, sizeof(message)), CLI_RUN);
	EXPECT_EQ(opts.share_count, 1);
	EXPECT_EQ(opts.shares[0].path_length, 6); /* "/a,b,c": DIR may hold commas */
	EXPECT_STR_EQ(opts.shares[0].tag, "tag");
	EXPECT_TRUE(opts.shares[0].read_only);
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--9p=/a,t,rw", NULL }, &opts,
				message, sizeof(message)), CLI_RUN);
	EXPECT_FALSE(opts.shares[0].read_only);
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--9p=/a", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "DIR,TAG");
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I",
				"--9p=/a,abcdefghijabcdefghijabcdefghijab", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "1 to 31");
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--9p=/a,t t", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
	EXPECT_EQ(cli_parse_run(4, (char *[]){ "run", "-k", "I", "--9p=,t", NULL }, &opts, message,
				sizeof(message)), CLI_ERROR);
}

static struct sandbox_spec example_spec(void)
{
	static const char *const args[] = { "sh", "-c", "echo \"$HOME\"; exit 3", "" };
	struct sandbox_spec spec = { 0 };

	spec.root = (struct sandbox_share){ .tag = "lvmm-root", .path = "/", .read_only = true };
	spec.shares[spec.share_count++] = (struct sandbox_share){ "out", "/home/u/out", false };
	spec.tmpfs[spec.tmpfs_count++] = "/tmp";
	spec.modules[spec.module_count++] = "/lib/modules/9p.ko";
	spec.cwd = "/home/u/work";
	spec.env[spec.env_count++] = "HOME=/home/u";
	spec.env[spec.env_count++] = "EMPTY=";
	for (unsigned int i = 0; i < 4; i++)
		spec.args[spec.arg_count++] = args[i];
	return spec;
}

TEST(sandbox_spec_round_trip)
{
	struct sandbox_spec spec = example_spec(), back;
	char *bytes;
	size_t size;

	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_STR_EQ(back.root.tag, "lvmm-root");
	EXPECT_TRUE(back.root.read_only);
	EXPECT_EQ(back.share_count, 1);
	EXPECT_STR_EQ(back.shares[0].path, "/home/u/out");
	EXPECT_FALSE(back.shares[0].read_only);
	EXPECT_STR_EQ(back.tmpfs[0], "/tmp");
	EXPECT_STR_EQ(back.modules[0], "/lib/modules/9p.ko");
	EXPECT_STR_EQ(back.cwd, "/home/u/work");
	EXPECT_EQ(back.env_count, 2);
	EXPECT_STR_EQ(back.env[1], "EMPTY=");
	EXPECT_TRUE(back.env[2] == NULL);
	EXPECT_EQ(back.arg_count, 4);
	EXPECT_STR_EQ(back.args[2], "echo \"$HOME\"; exit 3");
	EXPECT_STR_EQ(back.args[3], ""); /* an empty argument survives */
	EXPECT_TRUE(back.args[4] == NULL);
	EXPECT_FALSE(back.input_forwarded);
	free(bytes);
	spec.input_forwarded = true;
	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_TRUE(back.input_forwarded);
	EXPECT_FALSE(back.terminal);
	EXPECT_TRUE(back.modules_share_tag == NULL);
	free(bytes);
}

TEST(sandbox_spec_carries_the_modules_share)
{
	struct sandbox_spec spec = example_spec(), back;
	char *bytes;
	size_t size;

	spec.modules_share_tag = "lvmm-modules";
	spec.modules_share_directory = "lib/modules/6.1.0-57-arm64";
	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_STR_EQ(back.modules_share_tag, "lvmm-modules");
	EXPECT_STR_EQ(back.modules_share_directory, "lib/modules/6.1.0-57-arm64");
	EXPECT_STR_EQ(back.modules[0], "/lib/modules/9p.ko");
	free(bytes);
}

TEST(sandbox_spec_carries_the_root_overlay)
{
	struct sandbox_spec spec = example_spec(), back;
	static const char bad[] = "root\0r\0ro\0root-overlay\0disk\0cwd\0/\0arg\0x\0";
	char *bytes;
	size_t size;

	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_FALSE(back.root_overlay);
	free(bytes);
	spec.root_overlay = true;
	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_TRUE(back.root_overlay);
	EXPECT_STR_EQ(back.root.tag, "lvmm-root");
	free(bytes);
	EXPECT_EQ(sandbox_spec_decode(bad, sizeof(bad) - 1, &back, message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "root overlay 'disk' is not tmpfs");
}

TEST(sandbox_spec_carries_the_user)
{
	struct sandbox_spec spec = example_spec(), back;
	static const struct { const char *bytes; size_t size; } bad[] = {
#define SPEC_WITH_USER(record_) "root\0r\0ro\0cwd\0/\0" record_ "arg\0x\0"
#define BAD_USER(record_) { SPEC_WITH_USER(record_), sizeof(SPEC_WITH_USER(record_)) - 1 }
		BAD_USER("user\0" "01\0" "1\0"), BAD_USER("user\0" "4294967295\0" "1\0"),
		BAD_USER("user\0" "1\0" "\0"), BAD_USER("user\0" "1\0" "x\0"),
		BAD_USER("user\0" "99999999999\0" "1\0"),
	};
	char *bytes;
	size_t size;

	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_FALSE(back.user_given);
	free(bytes);
	spec.user_given = true;
	spec.user_id = 4294967294u;
	spec.group_id = 0;
	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_TRUE(back.user_given);
	EXPECT_EQ(back.user_id, 4294967294u);
	EXPECT_EQ(back.group_id, 0);
	free(bytes);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(sandbox_spec_decode(bad[i].bytes, bad[i].size, &back, message, sizeof(message)), -1);
		EXPECT_CONTAINS(message, "user is malformed");
	}
#undef BAD_USER
#undef SPEC_WITH_USER
}

TEST(sandbox_spec_refuses_a_malformed_modules_share)
{
	static const struct { const char *bytes; size_t size; } bad[] = {
#define SPEC_WITH_MODULES(record_) "root\0r\0ro\0cwd\0/\0" record_ "arg\0x\0"
#define BAD_MODULES(record_) { SPEC_WITH_MODULES(record_), sizeof(SPEC_WITH_MODULES(record_)) - 1 }
		BAD_MODULES("modules-share\0m\0/lib/modules\0"),
		BAD_MODULES("modules-share\0m\0\0"),
		BAD_MODULES("modules-share\0m\0.\0modules-share\0n\0.\0"),
	};
	static const char good[] = SPEC_WITH_MODULES("modules-share\0m\0.\0");
	struct sandbox_spec back;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(sandbox_spec_decode(bad[i].bytes, bad[i].size, &back, message, sizeof(message)), -1);
		EXPECT_CONTAINS(message, "modules share");
	}
	EXPECT_EQ(sandbox_spec_decode(good, sizeof(good) - 1, &back, message, sizeof(message)), 0);
	EXPECT_STR_EQ(back.modules_share_directory, ".");
#undef BAD_MODULES
#undef SPEC_WITH_MODULES
}

TEST(sandbox_spec_carries_the_terminal_size)
{
	struct sandbox_spec spec = example_spec(), back;
	char *bytes;
	size_t size;

	spec.input_forwarded = true;
	spec.terminal = true;
	spec.terminal_rows = 37;
	spec.terminal_columns = 65535;
	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_TRUE(back.terminal);
	EXPECT_TRUE(back.input_forwarded);
	EXPECT_EQ(back.terminal_rows, 37);
	EXPECT_EQ(back.terminal_columns, 65535);
	free(bytes);
	spec.terminal_rows = 0; /* a terminal that does not know its size */
	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), 0);
	EXPECT_EQ(back.terminal_rows, 0);
	free(bytes);
}

TEST(sandbox_spec_refuses_a_malformed_terminal)
{
	struct sandbox_spec back;
	static const struct {
		const char *bytes;
		size_t size;
	} bad[] = {
#define SPEC_WITH(terminal_) "root\0r\0ro\0cwd\0/\0stdin\0forwarded\0" terminal_ "arg\0x\0"
		{ SPEC_WITH("terminal\0" "65536\0" "80\0"), sizeof(SPEC_WITH("terminal\0" "65536\0" "80\0")) - 1 },
		{ SPEC_WITH("terminal\0" "24\0" "-1\0"), sizeof(SPEC_WITH("terminal\0" "24\0" "-1\0")) - 1 },
		{ SPEC_WITH("terminal\0" "\0" "80\0"), sizeof(SPEC_WITH("terminal\0" "\0" "80\0")) - 1 },
		{ SPEC_WITH("terminal\0" "24x\0" "80\0"), sizeof(SPEC_WITH("terminal\0" "24x\0" "80\0")) - 1 },
		{ SPEC_WITH("terminal\0" "000024\0" "80\0"), sizeof(SPEC_WITH("terminal\0" "000024\0" "80\0")) - 1 },
#undef SPEC_WITH
	};
	static const char good[] = "root\0r\0ro\0cwd\0/\0stdin\0forwarded\0terminal\0" "24\0" "80\0arg\0x\0";
	static const char no_input[] = "root\0r\0ro\0cwd\0/\0terminal\0" "24\0" "80\0arg\0x\0";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(sandbox_spec_decode(bad[i].bytes, bad[i].size, &back, message, sizeof(message)), -1);
		EXPECT_CONTAINS(message, "terminal size is malformed");
	}
	EXPECT_EQ(sandbox_spec_decode(good, sizeof(good) - 1, &back, message, sizeof(message)), 0);
	EXPECT_TRUE(back.terminal);
	EXPECT_EQ(back.terminal_rows, 24);
	EXPECT_EQ(back.terminal_columns, 80);
	/* -tt with no input: a terminal nothing is typed on. */
	EXPECT_EQ(sandbox_spec_decode(no_input, sizeof(no_input) - 1, &back, message, sizeof(message)), 0);
	EXPECT_TRUE(back.terminal);
	EXPECT_FALSE(back.input_forwarded);
}

TEST(sandbox_spec_refuses_malformed_input)
{
	struct sandbox_spec spec = example_spec(), back;
	char *bytes;
	size_t size;

	EXPECT_EQ(sandbox_spec_encode(&spec, &bytes, &size, message, sizeof(message)), 0);
	/* Every truncation is refused or decodes to a spec that still has what it needs. */
	for (size_t cut = 0; cut < size; cut++) {
		if (sandbox_spec_decode(bytes, cut, &back, message, sizeof(message)) == 0) {
			EXPECT_TRUE(back.root.tag && back.cwd && back.arg_count > 0);
		}
	}
	EXPECT_EQ(sandbox_spec_decode(bytes, size - 1, &back, message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "ends inside a record");
	free(bytes);
	EXPECT_EQ(sandbox_spec_decode("bogus\0x\0", 8, &back, message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "unknown record");
	EXPECT_EQ(sandbox_spec_decode("cwd\0/\0arg\0true\0", 15, &back, message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "lacks its root");
	EXPECT_EQ(sandbox_spec_decode("root\0r\0maybe\0", 13, &back, message, sizeof(message)), -1);
	EXPECT_EQ(sandbox_spec_decode("root\0r\0ro\0cwd\0relative\0arg\0x\0", 29, &back, message,
				      sizeof(message)), -1);
	EXPECT_CONTAINS(message, "not absolute");
	EXPECT_EQ(sandbox_spec_decode("root\0r\0ro\0cwd\0/\0env\0NOEQUALS\0arg\0x\0", 35, &back,
				      message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "environment entry");
	EXPECT_EQ(sandbox_spec_decode("root\0r\0ro\0cwd\0/\0arg\0x\0", 22, &back, message,
				      sizeof(message)), 0);
	EXPECT_FALSE(back.input_forwarded); /* no stdin record: /dev/null */
	EXPECT_EQ(sandbox_spec_decode("root\0r\0ro\0cwd\0/\0stdin\0maybe\0arg\0x\0", 35, &back,
				      message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "neither forwarded nor null");
}

TEST(sandbox_spec_limits_arguments)
{
	struct sandbox_spec back;
	char expected[64];
	size_t size = 0;
	char *bytes = malloc(32 + (SANDBOX_SPEC_MAX_ARGS + 1) * 6);

	size += (size_t)sprintf(bytes, "root%cr%cro%ccwd%c/%c", 0, 0, 0, 0, 0) ;
	for (unsigned int i = 0; i <= SANDBOX_SPEC_MAX_ARGS; i++) {
		memcpy(bytes + size, "arg\0x\0", 6);
		size += 6;
	}
	EXPECT_EQ(sandbox_spec_decode(bytes, size, &back, message, sizeof(message)), -1);
	snprintf(expected, sizeof(expected), "more than %d arguments", SANDBOX_SPEC_MAX_ARGS);
	EXPECT_CONTAINS(message, expected);
	EXPECT_EQ(sandbox_spec_decode(bytes, size - 6, &back, message, sizeof(message)), 0);
	EXPECT_EQ(back.arg_count, SANDBOX_SPEC_MAX_ARGS);
	free(bytes);
}

static unsigned long hex_field(const uint8_t *header, unsigned int index)
{
	char text[9];

	memcpy(text, header + 6 + index * 8, 8);
	text[8] = '\0';
	return strtoul(text, NULL, 16);
}

/* Walks the archive as the kernel's unpacker does: magic, fields, 4-byte alignment. */
TEST(cpio_writer_makes_a_newc_archive)
{
	struct cpio_writer writer;
	const char *names[] = { "dev", "dev/console", "init", "TRAILER!!!" };
	unsigned long modes[] = { S_IFDIR | 0755, S_IFCHR | 0600, S_IFREG | 0755, 0 };
	size_t offset = 0;

	cpio_writer_init(&writer);
	cpio_add_directory(&writer, "dev", 0755);
	cpio_add_char_device(&writer, "dev/console", 0600, 5, 1);
	cpio_add_file(&writer, "init", 0755, "#!abc", 5);
	EXPECT_EQ(cpio_finish(&writer), 0);
	for (unsigned int i = 0; i < 4; i++) {
		const uint8_t *header = writer.bytes + offset;
		unsigned long name_size, file_size;

		EXPECT_TRUE(offset + 110 <= writer.size);
		EXPECT_EQ(memcmp(header, "070701", 6), 0);
		EXPECT_EQ(hex_field(header, 1), modes[i]);
		name_size = hex_field(header, 11);
		file_size = hex_field(header, 6);
		EXPECT_EQ(name_size, strlen(names[i]) + 1);
		EXPECT_STR_EQ((const char *)header + 110, names[i]);
		if (i == 1) {
			EXPECT_EQ(hex_field(header, 9), 5);
			EXPECT_EQ(hex_field(header, 10), 1);
		}
		offset = (offset + 110 + name_size + 3) & ~(size_t)3;
		if (i == 2) {
			EXPECT_EQ(file_size, 5);
			EXPECT_EQ(memcmp(writer.bytes + offset, "#!abc", 5), 0);
		}
		offset = (offset + file_size + 3) & ~(size_t)3;
	}
	EXPECT_EQ(offset, writer.size);
	free(writer.bytes);
}

TEST(kernel_release_from_the_banner)
{
	static const char image[] = "xx%s version %s (gcc)\0Linux version \0Linux version 6.1.0-57-arm64 (debian-kernel@lists.debian.org) #1 SMP";
	char release[KERNEL_RELEASE_MAX];

	EXPECT_EQ(kernel_release_find((const uint8_t *)image, sizeof(image), release, sizeof(release)), 0);
	EXPECT_STR_EQ(release, "6.1.0-57-arm64");
	EXPECT_EQ(kernel_release_find((const uint8_t *)"Linux version ", 14, release, sizeof(release)), -1);
	/* Only a release that starts with a digit is one: text that happens to follow the words
	 * elsewhere in an Image is not. */
	static const char words_first[] = "Linux version unknown\0Linux version 6.12.118 #1";
	EXPECT_EQ(kernel_release_find((const uint8_t *)words_first, sizeof(words_first), release,
				      sizeof(release)), 0);
	EXPECT_STR_EQ(release, "6.12.118");
	EXPECT_EQ(kernel_release_find((const uint8_t *)"no banner", 9, release, sizeof(release)), -1);
}

TEST(modules_resolve_gives_dependencies_first)
{
	static const char dep[] =
		"kernel/fs/netfs/netfs.ko:\n"
		"kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko\n"
		"kernel/net/9p/9pnet.ko:\n"
		"kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko\n"
		"kernel/fs/9p/9p.ko: kernel/fs/fscache/fscache.ko kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko\n"
		"kernel/drivers/char/hw_random/virtio-rng.ko.xz:\n";
	const char *wanted[] = { "virtio_mmio", "9pnet_virtio", "9p", "virtio_rng", NULL };
	struct module_list list;
	char name[64];

	EXPECT_EQ(modules_resolve(dep, sizeof(dep) - 1, wanted, &list, message, sizeof(message)), 0);
	EXPECT_EQ(list.count, 6); /* virtio_mmio is built in: not listed */
	EXPECT_STR_EQ(list.paths[0], "kernel/net/9p/9pnet.ko");
	EXPECT_STR_EQ(list.paths[1], "kernel/net/9p/9pnet_virtio.ko");
	EXPECT_STR_EQ(list.paths[2], "kernel/fs/netfs/netfs.ko");
	EXPECT_STR_EQ(list.paths[3], "kernel/fs/fscache/fscache.ko");
	EXPECT_STR_EQ(list.paths[4], "kernel/fs/9p/9p.ko");
	EXPECT_STR_EQ(list.paths[5], "kernel/drivers/char/hw_random/virtio-rng.ko.xz");
	module_list_free(&list);
	module_name_of("kernel/drivers/char/hw_random/virtio-rng.ko.xz", name, sizeof(name));
	EXPECT_STR_EQ(name, "virtio_rng");
}

static void make_file(const char *directory, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", directory, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT_TRUE(fd >= 0);
	if (fd >= 0)
		close(fd);
}

/* --modules DIR: make modules_install's INSTALL_MOD_PATH (lib/modules/RELEASE inside) first,
 * else DIR as the release's own directory; either only with a modules.dep. */
TEST(modules_directory_finds_the_release)
{
	char top[] = "/tmp/lvmm-modules-XXXXXX", path[256], place[64];

	EXPECT_TRUE(mkdtemp(top) != NULL);
	EXPECT_EQ(modules_directory_find(top, "6.1.0-57-arm64", place, sizeof(place)), -1);
	EXPECT_EQ(modules_directory_find(top, NULL, place, sizeof(place)), -1);
	snprintf(path, sizeof(path), "%s/lib", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/lib/modules", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/lib/modules/6.1.0-57-arm64", top);
	mkdir(path, 0755);
	/* The release's directory without its modules.dep is not one. */
	EXPECT_EQ(modules_directory_find(top, "6.1.0-57-arm64", place, sizeof(place)), -1);
	make_file(path, "modules.dep");
	EXPECT_EQ(modules_directory_find(top, "6.1.0-57-arm64", place, sizeof(place)), 0);
	EXPECT_STR_EQ(place, "lib/modules/6.1.0-57-arm64");
	/* INSTALL_MOD_PATH's release directory comes first, even with a modules.dep beside it. */
	make_file(top, "modules.dep");
	EXPECT_EQ(modules_directory_find(top, "6.1.0-57-arm64", place, sizeof(place)), 0);
	EXPECT_STR_EQ(place, "lib/modules/6.1.0-57-arm64");
	EXPECT_EQ(modules_directory_find(top, "6.12.118", place, sizeof(place)), 0);
	EXPECT_STR_EQ(place, ".");
	snprintf(place, sizeof(place), "%s/modules.dep", top);
	unlink(place);
	/* Another release's modules are not this kernel's. */
	EXPECT_EQ(modules_directory_find(top, "6.12.118", place, sizeof(place)), -1);
	/* The release's directory itself, given. */
	EXPECT_EQ(modules_directory_find(path, "6.1.0-57-arm64", place, sizeof(place)), 0);
	EXPECT_STR_EQ(place, ".");
	EXPECT_EQ(modules_directory_find(path, NULL, place, sizeof(place)), 0);
	EXPECT_STR_EQ(place, ".");
	/* No room for the answer: none. */
	EXPECT_EQ(modules_directory_find(top, "6.1.0-57-arm64", place, 8), -1);
	unlink(strcat(path, "/modules.dep"));
	snprintf(path, sizeof(path), "%s/lib/modules/6.1.0-57-arm64", top);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/lib/modules", top);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/lib", top);
	rmdir(path);
	EXPECT_EQ(rmdir(top), 0);
}

/* The caller's safe variables, then --env's: a name given overrides the caller's, the last
 * --env of a name counts, NAME alone is the caller's value or nothing; PATH defaults. */
TEST(sandbox_environment_takes_env_options)
{
	char *caller[] = { "PATH=/a", "LANG=C", "SECRET=s", "HOME=/h", "FOO=f", NULL };
	char *caller_without_path[] = { "LANG=C", NULL };
	const char *given[] = { "SECRET", "LANG=de", "NEW=1", "MISSING", "LANG=fr" };
	const char *env[8];
	unsigned int count;

	EXPECT_EQ(sandbox_environment_build(caller, given, 5, "PATH=/default", env, 8, &count,
					    message, sizeof(message)), 0);
	EXPECT_EQ(count, 5);
	EXPECT_STR_EQ(env[0], "PATH=/a");
	EXPECT_STR_EQ(env[1], "HOME=/h");
	EXPECT_STR_EQ(env[2], "SECRET=s");
	EXPECT_STR_EQ(env[3], "NEW=1");
	EXPECT_STR_EQ(env[4], "LANG=fr");
	EXPECT_EQ(sandbox_environment_build(caller_without_path, NULL, 0, "PATH=/default", env, 8,
					    &count, message, sizeof(message)), 0);
	EXPECT_EQ(count, 2);
	EXPECT_STR_EQ(env[1], "PATH=/default");
	EXPECT_EQ(sandbox_environment_build(caller, (const char *[]){ "PATH=/mine" }, 1,
					    "PATH=/default", env, 8, &count, message,
					    sizeof(message)), 0);
	EXPECT_EQ(count, 3); /* LANG, HOME, then the given PATH instead of the caller's */
	EXPECT_STR_EQ(env[2], "PATH=/mine");
	EXPECT_EQ(sandbox_environment_build(caller, given, 5, "PATH=/default", env, 4, &count,
					    message, sizeof(message)), -1);
	EXPECT_CONTAINS(message, "more than 4 variables");
}

TEST(sandbox_environment_filter)
{
	EXPECT_TRUE(sandbox_environment_passes("PATH=/bin"));
	EXPECT_TRUE(sandbox_environment_passes("LC_ALL=C"));
	EXPECT_TRUE(sandbox_environment_passes("TERM="));
	EXPECT_FALSE(sandbox_environment_passes("SSH_AUTH_SOCK=/tmp/x"));
	EXPECT_FALSE(sandbox_environment_passes("AWS_SECRET_ACCESS_KEY=x"));
	EXPECT_FALSE(sandbox_environment_passes("PATHX=/bin"));
	EXPECT_FALSE(sandbox_environment_passes("PAT=/bin"));
	EXPECT_FALSE(sandbox_environment_passes("PATH"));
}

/* What the receiver says must be what the report says: true ends the VM. */
static void feed(struct sandbox_report *report, const char *text)
{
	bool ends_the_vm = sandbox_report_receive(report, (const uint8_t *)text, strlen(text), NULL);

	EXPECT_EQ(ends_the_vm, report->finished && !report->wait_for_power_off);
}

TEST(sandbox_report_parses_the_control_port)
{
	struct sandbox_report report = { 0 };

	feed(&report, "ex");
	feed(&report, "it 4");
	EXPECT_FALSE(report.finished);
	feed(&report, "2\n");
	EXPECT_TRUE(report.finished);
	EXPECT_EQ(report.status, 42);
	feed(&report, "exit 7\n"); /* the first status counts */
	EXPECT_EQ(report.status, 42);

	memset(&report, 0, sizeof(report));
	feed(&report, "signal 9\r\n");
	EXPECT_EQ(report.status, 137);

	memset(&report, 0, sizeof(report));
	feed(&report, "exit 256\nexit -1\nexit 3x\nsignal 0\n");
	EXPECT_FALSE(report.finished);
	feed(&report, "error mounting 9p failed\nerror second\n");
	EXPECT_STR_EQ(report.error, "mounting 9p failed");

	/* A warning is logged and is neither a status nor an error. */
	memset(&report, 0, sizeof(report));
	feed(&report, "warning the clock was not set\n");
	EXPECT_FALSE(report.finished);
	EXPECT_STR_EQ(report.error, "");

	/* init's trace lines (--loglevel debug) are logged, never a status or an error. */
	memset(&report, 0, sizeof(report));
	feed(&report, "trace started (guest clock 0.512 s)\ntrace exit 3\n");
	EXPECT_FALSE(report.finished);
	EXPECT_STR_EQ(report.error, "");
	feed(&report, "exit 5\n");
	EXPECT_EQ(report.status, 5);

	/* A line longer than the buffer is cut, not overflowed. */
	memset(&report, 0, sizeof(report));
	for (int i = 0; i < 3000; i++)
		feed(&report, "x");
	feed(&report, "\nexit 1\n");
	EXPECT_EQ(report.status, 1);

	/* The status ends the VM, but not when the guest is to power off by itself. */
	memset(&report, 0, sizeof(report));
	EXPECT_TRUE(sandbox_report_receive(&report, (const uint8_t *)"exit 0\n", 7, NULL));
	memset(&report, 0, sizeof(report));
	report.wait_for_power_off = true;
	EXPECT_FALSE(sandbox_report_receive(&report, (const uint8_t *)"exit 0\n", 7, NULL));
	EXPECT_TRUE(report.finished);
	EXPECT_EQ(report.status, 0);
}

/* What init's "clock" asks gets one answer, lvmm's CLOCK_REALTIME in ns, through the port's
 * way back to the guest; other lines get none. */
struct answers {
	char text[256];
	size_t length;
	int calls;
};

static void keep_answer(void *context, const uint8_t *bytes, size_t count)
{
	struct answers *answers = context;

	if (answers->length + count < sizeof(answers->text)) {
		memcpy(answers->text + answers->length, bytes, count);
		answers->length += count;
		answers->text[answers->length] = '\0';
	}
	answers->calls++;
}

static long long realtime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

TEST(sandbox_report_answers_the_clock_with_lvmms_realtime)
{
	struct sandbox_report report = { 0 };
	struct answers answers = { .length = 0 };
	const struct console_reply reply = { .send = keep_answer, .context = &answers };
	long long before, after, answered = 0;
	char extra;

	EXPECT_FALSE(sandbox_report_receive(&report, (const uint8_t *)"trace started\nclo", 17,
					    &reply));
	EXPECT_EQ(answers.calls, 0);
	before = realtime_ns();
	EXPECT_FALSE(sandbox_report_receive(&report, (const uint8_t *)"ck\r\n", 4, &reply));
	after = realtime_ns();
	EXPECT_EQ(answers.calls, 1);
	EXPECT_EQ(sscanf(answers.text, "clock %lld%c", &answered, &extra), 2);
	EXPECT_EQ(extra, '\n');
	EXPECT_TRUE(answered >= before && answered <= after);
	/* Not a status, not an error; "clocks" and "clock 5" are not the question. */
	EXPECT_FALSE(report.finished);
	EXPECT_STR_EQ(report.error, "");
	sandbox_report_receive(&report, (const uint8_t *)"clocks\nclock 5\n", 15, &reply);
	EXPECT_EQ(answers.calls, 1);
	/* Without a way back (a port that cannot answer), the question is dropped. */
	sandbox_report_receive(&report, (const uint8_t *)"clock\n", 6, NULL);
	EXPECT_EQ(answers.calls, 1);
}

/* The OOM killer's victim, as the kernel logs it: the last kill counts; a log without one, or
 * with a cut line, names nobody. */
TEST(sandbox_oom_victim_reads_the_kernel_log)
{
	static const char log[] =
		"[    1.2] sh invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0\n"
		"[    1.3] Out of memory: Killed process 61 (cc1) total-vm:1000kB, anon-rss:900kB\n"
		"[    1.4] Memory cgroup out of memory: Killed process 77 (memory-hog) total-vm:9kB\n";
	static const char cut[] = "[ 1.3] Out of memory: Killed process 61 (cc1\n) x";
	char victim[64];

	EXPECT_TRUE(sandbox_oom_victim(log, strlen(log), victim, sizeof(victim)));
	EXPECT_STR_EQ(victim, "77 (memory-hog)");
	EXPECT_TRUE(sandbox_oom_victim(log, 160, victim, sizeof(victim))); /* the first line's kill */
	EXPECT_STR_EQ(victim, "61 (cc1)");
	EXPECT_FALSE(sandbox_oom_victim(log, 60, victim, sizeof(victim)));
	EXPECT_FALSE(sandbox_oom_victim(cut, strlen(cut), victim, sizeof(victim)));
	EXPECT_FALSE(sandbox_oom_victim("Killed\n", 7, victim, sizeof(victim)));
	/* A small buffer gets the start of the name, terminated. */
	EXPECT_TRUE(sandbox_oom_victim(log, strlen(log), victim, 5));
	EXPECT_STR_EQ(victim, "77 (");
}

/* Decodes stream in pieces of piece bytes; the input's bytes go to data, the other lines to
 * lines (each ended by '|'). */
static void decode_in_pieces(struct sandbox_input_decoder *decoder, const char *stream,
			     size_t size, size_t piece, char *data, size_t *data_length, char *lines)
{
	*data_length = 0;
	lines[0] = '\0';
	for (size_t offset = 0; offset < size; ) {
		size_t count = size - offset < piece ? size - offset : piece;
		char out[64];
		size_t out_count;
		bool line_ready;
		size_t taken = sandbox_input_decode(decoder, stream + offset, count, out, &out_count,
						    &line_ready);

		memcpy(data + *data_length, out, out_count);
		*data_length += out_count;
		if (line_ready) {
			strcat(lines, decoder->line);
			strcat(lines, "|");
		}
		EXPECT_TRUE(taken > 0 && taken <= count);
		EXPECT_TRUE(line_ready || taken == count);
		offset += taken;
	}
}

/* A frame of count bytes at out, as lvmm sends it; returns its length. */
static size_t append_frame(char *out, const char *bytes, size_t count)
{
	size_t header = sandbox_input_header(out, count);

	memcpy(out + header, bytes, count);
	return header + count;
}

/* lvmm's standard input reaches the command whole and in order whatever pieces the port
 * delivers it in, around an answer of lvmm's; its end is seen. */
TEST(sandbox_input_frames_survive_any_split)
{
	char stream[256], data[256], lines[128];
	size_t size = 0, data_length;

	size += (size_t)sprintf(stream + size, "clock 5\n");
	size += append_frame(stream + size, "hello", 5);
	size += append_frame(stream + size, "\ninp", 4); /* input that looks like the protocol */
	size += (size_t)sprintf(stream + size, "input-end\n");
	EXPECT_TRUE(memcmp(stream + 8 + 8 + 5, "input 4\n", 8) == 0);
	for (size_t piece = 1; piece <= size; piece++) {
		struct sandbox_input_decoder decoder = { .line_length = 0 };

		decode_in_pieces(&decoder, stream, size, piece, data, &data_length, lines);
		EXPECT_EQ(data_length, 9);
		EXPECT_TRUE(memcmp(data, "hello\ninp", 9) == 0);
		EXPECT_STR_EQ(lines, "clock 5|");
		EXPECT_TRUE(decoder.ended);
		EXPECT_FALSE(decoder.broken);
	}
}

/* A header that is not "input N" with N in 1..4096, or a frame after the end, breaks the
 * input: no byte after it is taken for the command's. */
TEST(sandbox_input_decoder_refuses_malformed_frames)
{
	static const char *const bad[] = {
		"input 0\nabc", "input 4097\nabc", "input -1\nabc", "input 12x\nabc", "input \nabc",
		"input 99999999999999999999999\nabc", "input 03\nabc", "input-end\ninput 3\nabc",
	};
	char data[64], lines[128];
	size_t data_length;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sandbox_input_decoder decoder = { .line_length = 0 };

		decode_in_pieces(&decoder, bad[i], strlen(bad[i]), 64, data, &data_length, lines);
		EXPECT_EQ(data_length, 0);
		EXPECT_TRUE(decoder.broken);
	}
	/* The largest frame is whole. */
	{
		static char stream[SANDBOX_INPUT_HEADER_MAX + SANDBOX_INPUT_FRAME_MAX];
		static char big[SANDBOX_INPUT_FRAME_MAX];
		struct sandbox_input_decoder decoder = { .line_length = 0 };
		size_t header = sandbox_input_header(stream, SANDBOX_INPUT_FRAME_MAX);
		size_t count;
		bool line_ready;

		memset(stream + header, 'x', SANDBOX_INPUT_FRAME_MAX);
		EXPECT_EQ(sandbox_input_decode(&decoder, stream, header + SANDBOX_INPUT_FRAME_MAX, big,
					       &count, &line_ready), header + SANDBOX_INPUT_FRAME_MAX);
		EXPECT_EQ(count, SANDBOX_INPUT_FRAME_MAX);
		EXPECT_FALSE(decoder.broken);
	}
}

/* The control port's guest end, as a test sees it: what was sent, and room left. */
struct guest_end {
	char bytes[3 * SANDBOX_INPUT_FRAME_MAX];
	size_t length;
	size_t room;
};

static void guest_end_send(void *context, const uint8_t *bytes, size_t count)
{
	struct guest_end *end = context;

	EXPECT_TRUE(count <= end->room);
	if (end->length + count <= sizeof(end->bytes)) {
		memcpy(end->bytes + end->length, bytes, count);
		end->length += count;
	}
	end->room -= count <= end->room ? count : end->room;
}

static size_t guest_end_space(void *context)
{
	return ((struct guest_end *)context)->room;
}

/* lvmm reads its standard input only once init asked ("input"), frames it so that it fits the
 * port with room left for an answer, ends it once, and stops when the command closed its end
 * ("input-closed"). */
TEST(sandbox_input_waits_for_init_and_stops_when_refused)
{
	struct sandbox_report report = { 0 };
	struct guest_end end = { .length = 0, .room = 4096 };
	const struct console_reply to_guest = { .send = guest_end_send, .space = guest_end_space,
						.context = &end };
	struct sandbox_input_decoder decoder = { .line_length = 0 };
	char data[64];
	size_t space, count;
	bool line_ready;

	EXPECT_EQ(sandbox_input_space(&report, &to_guest), 0);
	EXPECT_FALSE(sandbox_input_done(&report));
	sandbox_report_receive(&report, (const uint8_t *)"trace x\ninp", 11, NULL);
	EXPECT_EQ(sandbox_input_space(&report, &to_guest), 0);
	sandbox_report_receive(&report, (const uint8_t *)"ut\n", 3, NULL);
	space = sandbox_input_space(&report, &to_guest);
	EXPECT_TRUE(space > 0 && space + SANDBOX_INPUT_HEADER_MAX + 32 <= end.room);
	sandbox_input(&report, &to_guest, (const uint8_t *)"line\n", 5);
	sandbox_input_end(&report, &to_guest);
	EXPECT_EQ(sandbox_input_decode(&decoder, end.bytes, end.length, data, &count, &line_ready),
		  end.length);
	EXPECT_EQ(count, 5);
	EXPECT_TRUE(memcmp(data, "line\n", 5) == 0);
	EXPECT_TRUE(decoder.ended);
	EXPECT_FALSE(report.finished);
	/* Nearly full: nothing taken, so an answer still fits. */
	end.room = 80;
	EXPECT_EQ(sandbox_input_space(&report, &to_guest), 0);
	end.room = 4096;
	sandbox_report_receive(&report, (const uint8_t *)"input-closed\n", 13, NULL);
	EXPECT_TRUE(sandbox_input_done(&report));
	EXPECT_EQ(sandbox_input_space(&report, &to_guest), 0);
}

/* Without "input" from init, the end of lvmm's standard input sends nothing. */
TEST(sandbox_input_end_waits_for_init_too)
{
	struct sandbox_report report = { 0 };
	struct guest_end end = { .length = 0, .room = 4096 };
	const struct console_reply to_guest = { .send = guest_end_send, .space = guest_end_space,
						.context = &end };

	sandbox_input_end(&report, &to_guest);
	EXPECT_EQ(end.length, 0);
}

/* "resize ROWS COLUMNS" round-trips for every size, and anything else is not one. */
TEST(sandbox_resize_lines_parse_strictly)
{
	static const unsigned short sizes[][2] = { { 0, 0 }, { 24, 80 }, { 65535, 65535 }, { 1, 9 } };
	static const char *const bad[] = {
		"resize 24", "resize 24 80x", "resize 65536 1", "resize  24 80", "resize -1 80",
		"resize 24 80 1", "resizes 24 80", "resize 123456 1", "resize 24 ", "resize  ", "",
		"input 24 80", "resize 24\t80",
	};
	char line[SANDBOX_RESIZE_LINE_MAX];
	unsigned short rows = 7, columns = 7;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t length = sandbox_resize_line(line, sizes[i][0], sizes[i][1]);

		EXPECT_TRUE(length > 0 && length < sizeof(line) && line[length - 1] == '\n');
		line[length - 1] = '\0'; /* as the decoder hands a line back */
		EXPECT_TRUE(sandbox_resize_parse(line, &rows, &columns));
		EXPECT_EQ(rows, sizes[i][0]);
		EXPECT_EQ(columns, sizes[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rows = columns = 7;
		EXPECT_FALSE(sandbox_resize_parse(bad[i], &rows, &columns));
		EXPECT_EQ(rows, 7);
		EXPECT_EQ(columns, 7);
	}
}

/* With -t a new size waits for init's "input" (before it, the port carries the clock's
 * answer), goes out whole when it fits and never into a frame, only the last one counts, and
 * an unchanged size sends nothing. The decoder hands it to init as a line of its own. */
TEST(sandbox_resize_waits_for_init_and_room)
{
	struct sandbox_report report = { .terminal = true, .terminal_size_checked = true,
					 .terminal_rows = 24, .terminal_columns = 80 };
	struct guest_end end = { .length = 0, .room = 4096 };
	const struct console_reply to_guest = { .send = guest_end_send, .space = guest_end_space,
						.context = &end };
	struct sandbox_input_decoder decoder = { .line_length = 0 };
	char data[64];
	size_t count, taken;
	bool line_ready;

	sandbox_input_resize(&report, &to_guest, 30, 100);
	EXPECT_EQ(end.length, 0);
	sandbox_input_resize(&report, &to_guest, 31, 101);
	EXPECT_EQ(end.length, 0);
	sandbox_report_receive(&report, (const uint8_t *)"input\n", 6, NULL);
	end.room = 10; /* "resize 31 101\n" is 14 bytes */
	EXPECT_EQ(sandbox_input_space(&report, &to_guest), 0);
	EXPECT_EQ(end.length, 0);
	end.room = 4096;
	EXPECT_TRUE(sandbox_input_space(&report, &to_guest) > 0);
	EXPECT_EQ(end.length, 14);
	EXPECT_TRUE(memcmp(end.bytes, "resize 31 101\n", 14) == 0);
	sandbox_input_resize(&report, &to_guest, 31, 101);
	EXPECT_EQ(end.length, 14);
	sandbox_input(&report, &to_guest, (const uint8_t *)"ls\r", 3);
	sandbox_input_resize(&report, &to_guest, 50, 120);
	EXPECT_EQ(end.length, 14 + 8 + 3 + 14);
	taken = sandbox_input_decode(&decoder, end.bytes, end.length, data, &count, &line_ready);
	EXPECT_TRUE(line_ready);
	EXPECT_STR_EQ(decoder.line, "resize 31 101");
	EXPECT_EQ(count, 0);
	taken += sandbox_input_decode(&decoder, end.bytes + taken, end.length - taken, data, &count,
				      &line_ready);
	EXPECT_TRUE(line_ready);
	EXPECT_STR_EQ(decoder.line, "resize 50 120");
	EXPECT_EQ(count, 3);
	EXPECT_TRUE(memcmp(data, "ls\r", 3) == 0);
	EXPECT_EQ(taken, end.length);
	/* Once the command closed its input, nothing more goes. */
	sandbox_report_receive(&report, (const uint8_t *)"input-closed\n", 13, NULL);
	sandbox_input_resize(&report, &to_guest, 10, 10);
	EXPECT_EQ(end.length, 14 + 8 + 3 + 14);
}
