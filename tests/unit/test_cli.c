#include "unit_test.h"
#include "vmm/cli.h"

static char message[4096];
static struct run_options opts;

#define PARSE(...) parse((char *[]){ "run", __VA_ARGS__, NULL })

static enum cli_result parse(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cli_parse_run(argc, argv, &opts, message, sizeof(message));
}

TEST(cli_defaults)
{
	EXPECT_EQ(PARSE("-k", "Image"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "Image");
	EXPECT_EQ(opts.cpus, 1);
	EXPECT_EQ(opts.mem_mib, 256);
	EXPECT_EQ(opts.irqchip, IRQCHIP_AUTO);
	EXPECT_EQ(opts.loglevel, LOG_WARNING);
	EXPECT_TRUE(!opts.nodefaults && !opts.no_reboot && !opts.initrd_path && !opts.params);
	EXPECT_STR_EQ(opts.name, "guest");
}

TEST(cli_every_option_long)
{
	EXPECT_EQ(PARSE("--kernel", "K", "--initrd", "I", "--params", "quiet", "--cpus", "4", "--mem", "512",
			"--name", "vm1", "--console", "serial", "--network", "mode=none", "--irqchip", "gicv2",
			"--nodefaults", "--no-reboot", "--dump-dtb", "out.dtb", "--loglevel=info"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "K");
	EXPECT_STR_EQ(opts.initrd_path, "I");
	EXPECT_STR_EQ(opts.params, "quiet");
	EXPECT_EQ(opts.cpus, 4);
	EXPECT_EQ(opts.mem_mib, 512);
	EXPECT_STR_EQ(opts.name, "vm1");
	EXPECT_EQ(opts.irqchip, IRQCHIP_GICV2);
	EXPECT_TRUE(opts.nodefaults && opts.no_reboot);
	EXPECT_STR_EQ(opts.dump_dtb_path, "out.dtb");
	EXPECT_EQ(opts.loglevel, LOG_INFO);
}

TEST(cli_every_option_short)
{
	EXPECT_EQ(PARSE("-k", "K", "-i", "I", "-p", "a b", "-c", "2", "-m", "2G", "-n", "none"), CLI_RUN);
	EXPECT_EQ(opts.cpus, 2);
	EXPECT_EQ(opts.mem_mib, 2048);
	EXPECT_STR_EQ(opts.params, "a b");
	EXPECT_EQ(PARSE("-f", "fw.bin"), CLI_RUN);
	EXPECT_STR_EQ(opts.firmware_path, "fw.bin");
}

TEST(cli_bad_values_name_the_option)
{
	EXPECT_EQ(PARSE("-k", "K", "-c", "0"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--cpus '0'");
	EXPECT_EQ(PARSE("-k", "K", "-c", "513"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--cpus '513'");
	EXPECT_EQ(PARSE("-k", "K", "-c", "-1"), CLI_ERROR);
	EXPECT_EQ(PARSE("-k", "K", "-c", "2x"), CLI_ERROR);
	EXPECT_EQ(PARSE("-k", "K", "-m", "15"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--mem '15'");
	EXPECT_EQ(PARSE("-k", "K", "-m", "1x"), CLI_ERROR);
	EXPECT_EQ(PARSE("-k", "K", "-m", "99999999999999999999"), CLI_ERROR);
	EXPECT_EQ(PARSE("-k", "K", "--irqchip", "gicv3-its"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--irqchip");
	EXPECT_EQ(PARSE("-k", "K", "--console", "virtio"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--console serial");
	EXPECT_EQ(PARSE("-k", "K", "-n", "mode=tap"), CLI_ERROR);
	EXPECT_CONTAINS(message, "mode=none");
	EXPECT_EQ(PARSE("-k", "K", "--loglevel", "loud"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--loglevel 'loud'");
	EXPECT_EQ(PARSE("-k", "K", "--name", ""), CLI_ERROR);
}

TEST(cli_structural_errors)
{
	EXPECT_EQ(PARSE("--frob"), CLI_ERROR);
	EXPECT_CONTAINS(message, "unknown option '--frob'");
	EXPECT_EQ(PARSE("-z"), CLI_ERROR);
	EXPECT_CONTAINS(message, "'-z'");
	EXPECT_EQ(PARSE("-k"), CLI_ERROR);
	EXPECT_CONTAINS(message, "needs a value");
	EXPECT_EQ(PARSE("-k", "K", "stray"), CLI_ERROR);
	EXPECT_CONTAINS(message, "unexpected argument 'stray'");
	EXPECT_EQ(PARSE("-c", "2"), CLI_ERROR);
	EXPECT_CONTAINS(message, "nothing to boot");
	EXPECT_EQ(PARSE("-k", "K", "-f", "F"), CLI_ERROR);
	EXPECT_CONTAINS(message, "not both");
	EXPECT_EQ(PARSE("-f", "F", "-i", "I"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--initrd needs a kernel");
	EXPECT_EQ(PARSE("-k", "K", "--irqchip", "gicv2", "-c", "9"), CLI_ERROR);
	EXPECT_CONTAINS(message, "at most 8");
	EXPECT_TRUE(strchr(message, '\n') == NULL); /* one line */
}

TEST(cli_help_and_reparse)
{
	EXPECT_EQ(PARSE("--help"), CLI_HELP);
	EXPECT_CONTAINS(message, "--dump-dtb");
	EXPECT_EQ(PARSE("-k", "A", "-c", "3"), CLI_RUN);
	EXPECT_EQ(PARSE("-k", "B"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "B");
	EXPECT_EQ(opts.cpus, 1); /* nothing carried over from the previous parse */
}

TEST(cli_mem_suffixes)
{
	uint64_t mib;

	EXPECT_TRUE(cli_parse_mem_mib("512", &mib) && mib == 512);
	EXPECT_TRUE(cli_parse_mem_mib("512M", &mib) && mib == 512);
	EXPECT_TRUE(cli_parse_mem_mib("3g", &mib) && mib == 3072);
	EXPECT_TRUE(cli_parse_mem_mib("1T", &mib) && mib == 1024 * 1024);
	EXPECT_TRUE(!cli_parse_mem_mib("", &mib));
	EXPECT_TRUE(!cli_parse_mem_mib("G", &mib));
	EXPECT_TRUE(!cli_parse_mem_mib("-5", &mib));
	EXPECT_TRUE(!cli_parse_mem_mib("18446744073709551615G", &mib));
}

TEST(cli_kernel_cmdline)
{
	char line[64];

	PARSE("-k", "K", "-p", "quiet root=/dev/ram0");
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "console=ttyS0 quiet root=/dev/ram0");
	PARSE("-k", "K");
	cli_kernel_cmdline(&opts, line, sizeof(line));
	EXPECT_STR_EQ(line, "console=ttyS0");
	PARSE("-k", "K", "--nodefaults", "-p", "quiet");
	cli_kernel_cmdline(&opts, line, sizeof(line));
	EXPECT_STR_EQ(line, "quiet");
	PARSE("-k", "K", "-p", "0123456789012345678901234567890123456789012345678901234567890123");
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), (unsigned long long)-1);
}

TEST(cli_pvsched_options)
{
	EXPECT_EQ(PARSE("-k", "K", "--pvsched"), CLI_RUN);
	EXPECT_TRUE(opts.pvsched && opts.pvsched_stats == STATS_NONE);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched", "--pvsched-stats"), CLI_RUN);
	EXPECT_EQ(opts.pvsched_stats, STATS_TEXT);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched", "--pvsched-stats=json"), CLI_RUN);
	EXPECT_EQ(opts.pvsched_stats, STATS_JSON);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched", "--pvsched-stats=xml"), CLI_ERROR);
	EXPECT_CONTAINS(message, "--pvsched-stats 'xml'");
	EXPECT_EQ(PARSE("-k", "K", "--pvsched-stats"), CLI_ERROR);
	EXPECT_CONTAINS(message, "needs --pvsched");
}
