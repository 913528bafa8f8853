#include <stdio.h>

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
	memset(message, 'Z', sizeof(message) - 1); /* a stale message must not survive */
	message[sizeof(message) - 1] = '\0';
	return cli_parse_run(argc, argv, &opts, message, sizeof(message));
}

/* An error is one printable line (main() prints it after "lvmm: "). */
static void expect_one_line(int line)
{
	for (const char *p = message; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			unit_test_fail(__FILE__, line, "error message has byte 0x%02x: \"%s\"",
				       (unsigned char)*p, message);
			return;
		}
	}
	if (!message[0])
		unit_test_fail(__FILE__, line, "error message is empty");
}

/* The options must be rejected with a single-line message containing every needle given. */
#define EXPECT_ERROR(needle, ...)                                               \
	do {                                                                    \
		EXPECT_EQ(PARSE(__VA_ARGS__), CLI_ERROR);                      \
		EXPECT_CONTAINS(message, needle);                               \
		expect_one_line(__LINE__);                                      \
	} while (0)

TEST(cli_defaults)
{
	EXPECT_EQ(PARSE("-k", "Image"), CLI_RUN);
	EXPECT_STR_EQ(message, "");
	EXPECT_STR_EQ(opts.kernel_path, "Image");
	EXPECT_TRUE(opts.initrd_path == NULL);
	EXPECT_TRUE(opts.firmware_path == NULL);
	EXPECT_TRUE(opts.params == NULL);
	EXPECT_TRUE(opts.dump_dtb_path == NULL);
	EXPECT_STR_EQ(opts.name, "guest");
	EXPECT_FALSE(opts.name_given); /* the control socket is then guest-PID */
	EXPECT_EQ(opts.cpus, 1);
	EXPECT_EQ(opts.mem_mib, 256);
	EXPECT_EQ(opts.irqchip, IRQCHIP_AUTO);
	EXPECT_EQ(opts.loglevel, LOG_WARNING);
	EXPECT_FALSE(opts.nodefaults);
	EXPECT_FALSE(opts.no_reboot);
	EXPECT_FALSE(opts.no_seccomp); /* confined unless asked otherwise */
	EXPECT_FALSE(opts.pmu);
	EXPECT_FALSE(opts.pvsched);
	EXPECT_EQ(opts.pvsched_stats, STATS_NONE);
	EXPECT_FALSE(opts.kaslr_seed_given);
}

TEST(cli_kaslr_seed)
{
	EXPECT_EQ(PARSE("-k", "K", "--kaslr-seed", "12345"), CLI_RUN);
	EXPECT_TRUE(opts.kaslr_seed_given);
	EXPECT_EQ(opts.kaslr_seed, 12345);
	EXPECT_EQ(PARSE("-k", "K", "--kaslr-seed=0xFfffffffffffffff"), CLI_RUN);
	EXPECT_EQ(opts.kaslr_seed, UINT64_MAX);
	EXPECT_EQ(PARSE("-k", "K", "--kaslr-seed", "010"), CLI_RUN); /* decimal, not octal */
	EXPECT_EQ(opts.kaslr_seed, 10);
	EXPECT_EQ(PARSE("-k", "K", "--kaslr-seed", "0"), CLI_RUN); /* no seed: KASLR off */
	EXPECT_TRUE(opts.kaslr_seed_given);
	EXPECT_EQ(opts.kaslr_seed, 0);
	EXPECT_ERROR("--kaslr-seed '-1'", "-k", "K", "--kaslr-seed", "-1");
	EXPECT_ERROR("--kaslr-seed ' 5'", "-k", "K", "--kaslr-seed", " 5");
	EXPECT_ERROR("--kaslr-seed '0x'", "-k", "K", "--kaslr-seed", "0x");
	EXPECT_ERROR("--kaslr-seed '0x-5'", "-k", "K", "--kaslr-seed", "0x-5");
	EXPECT_ERROR("--kaslr-seed '18446744073709551616'", "-k", "K", "--kaslr-seed",
		     "18446744073709551616"); /* 2^64 */
	EXPECT_ERROR("--kaslr-seed '12ab'", "-k", "K", "--kaslr-seed", "12ab");
	EXPECT_ERROR("--kaslr-seed ''", "-k", "K", "--kaslr-seed", "");
}

TEST(cli_every_option_long)
{
	EXPECT_EQ(PARSE("--kernel", "K", "--initrd", "I", "--params", "quiet", "--cpus", "4", "--mem", "512",
			"--name", "vm1", "--console", "serial", "--network", "mode=none", "--irqchip", "gicv2",
			"--nodefaults", "--no-reboot", "--dump-dtb", "out.dtb", "--loglevel=info",
			"--pmu", "--pvsched", "--pvsched-stats=json", "--no-seccomp"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "K");
	EXPECT_STR_EQ(opts.initrd_path, "I");
	EXPECT_STR_EQ(opts.params, "quiet");
	EXPECT_EQ(opts.cpus, 4);
	EXPECT_EQ(opts.mem_mib, 512);
	EXPECT_STR_EQ(opts.name, "vm1");
	EXPECT_EQ(opts.irqchip, IRQCHIP_GICV2);
	EXPECT_TRUE(opts.nodefaults);
	EXPECT_TRUE(opts.no_reboot);
	EXPECT_STR_EQ(opts.dump_dtb_path, "out.dtb");
	EXPECT_EQ(opts.loglevel, LOG_INFO);
	EXPECT_TRUE(opts.pmu);
	EXPECT_TRUE(opts.pvsched);
	EXPECT_EQ(opts.pvsched_stats, STATS_JSON);
	EXPECT_TRUE(opts.no_seccomp);

	EXPECT_EQ(PARSE("--firmware", "fw.bin", "--cpus=3", "--mem=1G", "--irqchip=gicv3"), CLI_RUN);
	EXPECT_STR_EQ(opts.firmware_path, "fw.bin");
	EXPECT_TRUE(opts.kernel_path == NULL);
	EXPECT_EQ(opts.cpus, 3);
	EXPECT_EQ(opts.mem_mib, 1024);
	EXPECT_EQ(opts.irqchip, IRQCHIP_GICV3);
	EXPECT_EQ(PARSE("-k", "K", "--irqchip", "gicv3", "--irqchip", "auto"), CLI_RUN);
	EXPECT_EQ(opts.irqchip, IRQCHIP_AUTO); /* the last one wins */
	EXPECT_EQ(PARSE("-k", "K", "--irqchip=gicv3-its"), CLI_RUN); /* kvmtool's spelling */
	EXPECT_EQ(opts.irqchip, IRQCHIP_GICV3);
	EXPECT_TRUE(opts.gic_its);
	EXPECT_EQ(PARSE("-k", "K", "--irqchip=gicv3-its", "--irqchip=gicv3"), CLI_RUN);
	EXPECT_FALSE(opts.gic_its);
}

TEST(cli_every_option_short)
{
	EXPECT_EQ(PARSE("-k", "K", "-i", "I", "-p", "a b", "-c", "2", "-m", "2G", "-n", "none"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "K");
	EXPECT_STR_EQ(opts.initrd_path, "I");
	EXPECT_STR_EQ(opts.params, "a b");
	EXPECT_EQ(opts.cpus, 2);
	EXPECT_EQ(opts.mem_mib, 2048);
	EXPECT_EQ(PARSE("-kK", "-c8", "-m64M"), CLI_RUN); /* attached values */
	EXPECT_STR_EQ(opts.kernel_path, "K");
	EXPECT_EQ(opts.cpus, 8);
	EXPECT_EQ(opts.mem_mib, 64);
	EXPECT_EQ(PARSE("-f", "fw.bin"), CLI_RUN);
	EXPECT_STR_EQ(opts.firmware_path, "fw.bin");
	EXPECT_EQ(PARSE("-h"), CLI_HELP);
	EXPECT_CONTAINS(message, "usage: lvmm run");
}

TEST(cli_loglevels)
{
	static char *const names[] = { "error", "warning", "info", "debug" };
	static const enum log_level levels[] = { LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(PARSE("-k", "K", "--loglevel", names[i]), CLI_RUN);
		EXPECT_EQ(opts.loglevel, levels[i]);
	}
	EXPECT_EQ(PARSE("-k", "K", "--loglevel=debug"), CLI_RUN);
	EXPECT_EQ(opts.loglevel, LOG_DEBUG);
}

TEST(cli_limits_are_inclusive)
{
	EXPECT_EQ(PARSE("-k", "K", "-c", "512", "-m", "16"), CLI_RUN);
	EXPECT_EQ(opts.cpus, 512);
	EXPECT_EQ(opts.mem_mib, 16);
	EXPECT_EQ(PARSE("-k", "K", "-m", "1T"), CLI_RUN);
	EXPECT_EQ(opts.mem_mib, 1024 * 1024);
	EXPECT_EQ(PARSE("-k", "K", "--irqchip", "gicv2", "-c", "8"), CLI_RUN);
	EXPECT_EQ(PARSE("-k", "K", "--irqchip", "gicv3", "-c", "9"), CLI_RUN);
	EXPECT_EQ(PARSE("-k", "K", "-c", "9"), CLI_RUN); /* auto: machine.c checks the GIC it got */
	EXPECT_EQ(PARSE("-k", "K", "--name", "0123456789012345678901234567890123456789012345678901234567890123"),
		  CLI_RUN);
}

TEST(cli_bad_values_name_the_option)
{
	EXPECT_ERROR("--cpus '0'", "-k", "K", "-c", "0");
	EXPECT_ERROR("--cpus '513'", "-k", "K", "-c", "513");
	EXPECT_ERROR("--cpus '-1'", "-k", "K", "-c", "-1");
	EXPECT_ERROR("--cpus '2x'", "-k", "K", "-c", "2x");
	EXPECT_ERROR("--cpus ''", "-k", "K", "-c", "");
	EXPECT_ERROR("--cpus '4294967297'", "-k", "K", "-c", "4294967297"); /* 2^32 + 1 */
	EXPECT_ERROR("--mem '15'", "-k", "K", "-m", "15");
	EXPECT_ERROR("--mem '1x'", "-k", "K", "-m", "1x");
	EXPECT_ERROR("--mem '2T'", "-k", "K", "-m", "2T");
	EXPECT_ERROR("--mem '0'", "-k", "K", "-m", "0");
	EXPECT_ERROR("--mem '99999999999999999999'", "-k", "K", "-m", "99999999999999999999");
	EXPECT_ERROR("--irqchip 'gicv4'", "-k", "K", "--irqchip", "gicv4");
	EXPECT_ERROR("--console 'hv'", "-k", "K", "--console", "hv");
	EXPECT_ERROR("--disk ',ro'", "-k", "K", "--disk", ",ro");
	EXPECT_ERROR("--disk ''", "-k", "K", "--disk", "");
	EXPECT_ERROR("--network 'mode=tap'", "-k", "K", "-n", "mode=tap");
	EXPECT_ERROR("--loglevel 'loud'", "-k", "K", "--loglevel", "loud");
	EXPECT_ERROR("--loglevel 'INFO'", "-k", "K", "--loglevel=INFO");
	EXPECT_ERROR("--name", "-k", "K", "--name", "");
	EXPECT_ERROR("--name", "-k", "K", "--name",
		     "01234567890123456789012345678901234567890123456789012345678901234");
	/* The name is the control socket's file name: nothing that leaves its directory. */
	EXPECT_ERROR("invalid --name: give 1 to 64 letters", "-k", "K", "--name", "../x");
	EXPECT_ERROR("invalid --name", "-k", "K", "--name", "a/b");
	EXPECT_ERROR("invalid --name", "-k", "K", "--name", ".hidden");
	EXPECT_ERROR("invalid --name", "-k", "K", "--name", "two words");
	EXPECT_ERROR("--pvsched-stats 'xml'", "-k", "K", "--pvsched", "--pvsched-stats=xml");
}

/* strtoull skips blanks and accepts a sign: " -1" would be 2^64 - 1, and a well-chosen
 * negative number wraps to a value in range. */
TEST(cli_numbers_take_digits_only)
{
	EXPECT_ERROR("--mem", "-k", "K", "-m", " -18446744073709551360"); /* 2^64 - that = 256 */
	EXPECT_ERROR("--cpus", "-k", "K", "-c", " -18446744073709551615"); /* wraps to 1 */
	EXPECT_ERROR("--cpus", "-k", "K", "-c", " 4");
	EXPECT_ERROR("--cpus", "-k", "K", "-c", "+4");
	EXPECT_ERROR("--mem", "-k", "K", "-m", " 512");
	EXPECT_ERROR("--mem", "-k", "K", "-m", "512 ");
	EXPECT_ERROR("--mem", "-k", "K", "-m", "0x100");
}

TEST(cli_structural_errors)
{
	EXPECT_ERROR("unknown option '--frob'", "-k", "K", "--frob");
	EXPECT_ERROR("unknown option '-z'", "-k", "K", "-z");
	EXPECT_ERROR("unknown option '-z'", "-zk", "K"); /* inside a bundle of short options */
	EXPECT_ERROR("option '-k' needs a value", "-k");
	EXPECT_ERROR("option '--cpus' needs a value", "-k", "K", "--cpus");
	EXPECT_ERROR("option '--kernel' needs a value", "--kernel");
	EXPECT_ERROR("unexpected argument 'stray'", "-k", "K", "stray");
	EXPECT_ERROR("unexpected argument 'stray'", "stray", "-k", "K");
	EXPECT_ERROR("unexpected argument 'x'", "-k", "K", "--", "x");
	EXPECT_ERROR("nothing to boot", "-c", "2");
	EXPECT_ERROR("nothing to boot", "--nodefaults");
	EXPECT_ERROR("not both", "-k", "K", "-f", "F");
	EXPECT_ERROR("--initrd needs a kernel", "-f", "F", "-i", "I");
	EXPECT_ERROR("nothing to boot", "-i", "I");
	EXPECT_ERROR("at most 8", "-k", "K", "--irqchip", "gicv2", "-c", "9");
	EXPECT_ERROR("at most 8", "-k", "K", "-c", "9", "--irqchip=gicv2");
	EXPECT_ERROR("needs --pvsched", "-k", "K", "--pvsched-stats");
	EXPECT_ERROR("unknown option '--no'", "-k", "K", "--no"); /* ambiguous prefix */
}

/* getopt reports a known long option given a value it does not take with optopt = its val;
 * that must name the option, not print val as a character (a control byte for long-only
 * options, "-h" for --help). */
TEST(cli_flag_given_a_value)
{
	EXPECT_ERROR("option '--nodefaults' takes no value", "-k", "K", "--nodefaults=1");
	EXPECT_ERROR("option '--no-reboot' takes no value", "-k", "K", "--no-reboot=yes");
	EXPECT_ERROR("option '--pmu' takes no value", "-k", "K", "--pmu=on");
	EXPECT_ERROR("option '--no-seccomp' takes no value", "-k", "K", "--no-seccomp=1");
	EXPECT_ERROR("option '--help' takes no value", "--help=all");
	EXPECT_TRUE(strstr(message, "=all") == NULL);
}

TEST(cli_help)
{
	EXPECT_EQ(PARSE("--help"), CLI_HELP);
	EXPECT_STR_EQ(message, cli_run_usage);
	EXPECT_EQ(PARSE("-k", "K", "-h", "-c", "0"), CLI_HELP); /* help wins over what follows */
	EXPECT_CONTAINS(message, "--dump-dtb");
	EXPECT_CONTAINS(message, "--no-seccomp");
	EXPECT_CONTAINS(message, "7 seccomp");
	/* A buffer too small for the text is truncated, not overrun. */
	{
		char small[16];
		struct run_options o;
		char *argv[] = { "run", "--help", NULL };

		EXPECT_EQ(cli_parse_run(2, argv, &o, small, sizeof(small)), CLI_HELP);
		EXPECT_EQ(strlen(small), sizeof(small) - 1);
	}
}

TEST(cli_parses_twice_in_a_row)
{
	EXPECT_EQ(PARSE("-k", "A", "-c", "3", "-i", "I", "--nodefaults", "--irqchip", "gicv2"), CLI_RUN);
	EXPECT_EQ(PARSE("-k", "B"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "B");
	EXPECT_EQ(opts.cpus, 1); /* nothing carried over from the previous parse */
	EXPECT_TRUE(opts.initrd_path == NULL);
	EXPECT_FALSE(opts.nodefaults);
	EXPECT_EQ(opts.irqchip, IRQCHIP_AUTO);
	/* An error in the middle of a bundle leaves getopt mid-argument; the next parse starts over. */
	EXPECT_EQ(PARSE("-zk", "K"), CLI_ERROR);
	EXPECT_EQ(PARSE("-c", "2", "-k", "C"), CLI_RUN);
	EXPECT_STR_EQ(opts.kernel_path, "C");
	EXPECT_EQ(opts.cpus, 2);
	EXPECT_STR_EQ(message, "");
}

TEST(cli_mem_suffixes)
{
	uint64_t mib = 7;

	EXPECT_TRUE(cli_parse_mem_mib("512", &mib));
	EXPECT_EQ(mib, 512);
	EXPECT_TRUE(cli_parse_mem_mib("512M", &mib));
	EXPECT_EQ(mib, 512);
	EXPECT_TRUE(cli_parse_mem_mib("512m", &mib));
	EXPECT_EQ(mib, 512);
	EXPECT_TRUE(cli_parse_mem_mib("3g", &mib));
	EXPECT_EQ(mib, 3072);
	EXPECT_TRUE(cli_parse_mem_mib("2G", &mib));
	EXPECT_EQ(mib, 2048);
	EXPECT_TRUE(cli_parse_mem_mib("1T", &mib));
	EXPECT_EQ(mib, 1024 * 1024);
	mib = 7;
	EXPECT_FALSE(cli_parse_mem_mib("", &mib));
	EXPECT_FALSE(cli_parse_mem_mib("G", &mib));
	EXPECT_FALSE(cli_parse_mem_mib("-5", &mib));
	EXPECT_FALSE(cli_parse_mem_mib("1x", &mib));
	EXPECT_FALSE(cli_parse_mem_mib("1GB", &mib));
	EXPECT_FALSE(cli_parse_mem_mib("18446744073709551615G", &mib));
	EXPECT_FALSE(cli_parse_mem_mib("18014398509481984G", &mib)); /* 2^54 * 2^10 wraps */
	EXPECT_FALSE(cli_parse_mem_mib("0123456789012345678901234567890123456789", &mib)); /* long */
	EXPECT_EQ(mib, 7); /* untouched on failure */
}

TEST(cli_devices)
{
	char *argv[3 + 2 * (CLI_MAX_DISKS + 1) + 1] = { "run", "-k", "K" };
	int argc = 3;

	EXPECT_EQ(PARSE("-k", "K"), CLI_RUN);
	EXPECT_EQ(opts.disk_count, 0);
	EXPECT_FALSE(opts.rng);
	EXPECT_FALSE(opts.test_device); /* opt-in: a guest cannot end lvmm with "passed" unasked */
	EXPECT_EQ(opts.console, CONSOLE_SERIAL);
	EXPECT_EQ(PARSE("-k", "K", "-d", "a.img", "--disk", "b,ro", "--disk=c,ro,ro", "--rng",
			"--test-device", "--console", "virtio"), CLI_RUN);
	EXPECT_EQ(opts.disk_count, 3);
	EXPECT_EQ(opts.disks[0].path_length, 5);
	EXPECT_FALSE(opts.disks[0].read_only);
	EXPECT_EQ(opts.disks[1].path_length, 1); /* "b" */
	EXPECT_TRUE(opts.disks[1].read_only);
	EXPECT_EQ(opts.disks[2].path_length, 4); /* "c,ro": only the last ,ro is the flag */
	EXPECT_TRUE(opts.disks[2].read_only);
	EXPECT_TRUE(opts.rng);
	EXPECT_TRUE(opts.test_device);
	EXPECT_EQ(opts.console, CONSOLE_VIRTIO);

	/* One disk past the limit is refused by name, at the limit accepted. */
	for (int i = 0; i < CLI_MAX_DISKS; i++) {
		argv[argc++] = "-d";
		argv[argc++] = "x.img";
	}
	EXPECT_EQ(parse(argv), CLI_RUN);
	EXPECT_EQ(opts.disk_count, CLI_MAX_DISKS);
	argv[argc++] = "-d";
	argv[argc++] = "x.img";
	EXPECT_EQ(parse(argv), CLI_ERROR);
	EXPECT_CONTAINS(message, "too many --disk");
}

TEST(cli_kernel_cmdline)
{
	char line[64];

	EXPECT_EQ(PARSE("-k", "K", "-p", "quiet root=/dev/ram0"), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "console=ttyS0 quiet root=/dev/ram0");
	EXPECT_EQ(PARSE("-k", "K"), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "console=ttyS0");
	EXPECT_EQ(PARSE("-k", "K", "-p", ""), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "console=ttyS0"); /* no trailing space */
	EXPECT_EQ(PARSE("-k", "K", "--console", "virtio", "-p", "quiet"), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "console=hvc0 quiet");
	EXPECT_EQ(PARSE("-k", "K", "--nodefaults", "-p", "quiet"), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "quiet");
	EXPECT_EQ(PARSE("-k", "K", "--nodefaults"), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), 0);
	EXPECT_STR_EQ(line, "");

	/* "console=ttyS0" is 13 bytes: it fits in 14, not in 13. */
	EXPECT_EQ(PARSE("-k", "K"), CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, 14), 0);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, 13), -1);
	EXPECT_EQ(PARSE("-k", "K", "-p", "0123456789012345678901234567890123456789012345678901234567890123"),
		  CLI_RUN);
	EXPECT_EQ(cli_kernel_cmdline(&opts, line, sizeof(line)), -1);
}

TEST(cli_pvsched_options)
{
	EXPECT_EQ(PARSE("-k", "K", "--pvsched"), CLI_RUN);
	EXPECT_TRUE(opts.pvsched);
	EXPECT_EQ(opts.pvsched_stats, STATS_NONE);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched", "--pvsched-stats"), CLI_RUN);
	EXPECT_EQ(opts.pvsched_stats, STATS_TEXT);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched", "--pvsched-stats=text"), CLI_RUN);
	EXPECT_EQ(opts.pvsched_stats, STATS_TEXT);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched", "--pvsched-stats=json"), CLI_RUN);
	EXPECT_EQ(opts.pvsched_stats, STATS_JSON);
}

TEST(cli_pvsched_semantics)
{
	EXPECT_EQ(PARSE("-k", "K", "--pvsched"), CLI_RUN);
	EXPECT_FALSE(opts.pvsched_idle_preempted);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched=idle-preempted"), CLI_RUN);
	EXPECT_TRUE(opts.pvsched);
	EXPECT_TRUE(opts.pvsched_idle_preempted);
	EXPECT_EQ(PARSE("-k", "K", "--pvsched=idle-preempted", "--pvsched=runnable"), CLI_RUN);
	EXPECT_TRUE(opts.pvsched);
	EXPECT_FALSE(opts.pvsched_idle_preempted); /* the last one given wins */
	EXPECT_ERROR("invalid --pvsched 'on': use --pvsched, --pvsched=runnable or --pvsched=idle-preempted",
		     "-k", "K", "--pvsched=on");
	EXPECT_ERROR("invalid --pvsched 'idle'", "-k", "K", "--pvsched=idle");
	EXPECT_ERROR("needs --pvsched", "-k", "K", "--pvsched-stats");
}

TEST(cli_vcpu_affinity)
{
	const cpu_set_t *set;

	EXPECT_EQ(PARSE("-k", "K", "-c", "4"), CLI_RUN);
	EXPECT_TRUE(cli_vcpu_affinity(&opts, 0) == NULL); /* unpinned unless asked */
	/* One list for every vCPU (kvmtool's form). */
	EXPECT_EQ(PARSE("-k", "K", "-c", "4", "--vcpu-affinity", "1-2"), CLI_RUN);
	for (unsigned int vcpu = 0; vcpu < 4; vcpu++) {
		set = cli_vcpu_affinity(&opts, vcpu);
		EXPECT_TRUE(set && CPU_COUNT(set) == 2 && CPU_ISSET(1, set) && CPU_ISSET(2, set));
	}
	/* Per vCPU, in any order, beside the form for the rest, which a later one replaces. */
	EXPECT_EQ(PARSE("-k", "K", "-c", "3", "--vcpu-affinity", "2:5", "--vcpu-affinity", "0",
			"--vcpu-affinity=0:7,9", "--vcpu-affinity", "1-3"), CLI_RUN);
	set = cli_vcpu_affinity(&opts, 0);
	EXPECT_TRUE(set && CPU_COUNT(set) == 2 && CPU_ISSET(7, set) && CPU_ISSET(9, set));
	set = cli_vcpu_affinity(&opts, 1);
	EXPECT_TRUE(set && CPU_COUNT(set) == 3 && CPU_ISSET(1, set) && CPU_ISSET(3, set));
	set = cli_vcpu_affinity(&opts, 2);
	EXPECT_TRUE(set && CPU_COUNT(set) == 1 && CPU_ISSET(5, set));
	EXPECT_EQ(opts.vcpu_affinity_count, 3);
	/* Only per-vCPU lists: the others float. */
	EXPECT_EQ(PARSE("-k", "K", "-c", "2", "--vcpu-affinity", "1:0"), CLI_RUN);
	EXPECT_TRUE(cli_vcpu_affinity(&opts, 0) == NULL);
	EXPECT_TRUE(cli_vcpu_affinity(&opts, 1) != NULL);

	EXPECT_ERROR("--vcpu-affinity for vCPU 1 is given twice", "-k", "K", "-c", "2",
		     "--vcpu-affinity", "1:0", "--vcpu-affinity", "1:1");
	EXPECT_ERROR("names vCPU 2, but the guest has 2 vCPUs", "-k", "K", "-c", "2",
		     "--vcpu-affinity", "2:0");
	/* -c after the option still counts. */
	EXPECT_ERROR("names vCPU 1, but the guest has 1 vCPU (", "-k", "K", "--vcpu-affinity",
		     "1:0");
	EXPECT_EQ(PARSE("-k", "K", "--vcpu-affinity", "1:0", "-c", "2"), CLI_RUN);
	EXPECT_ERROR("invalid --vcpu-affinity '0-'", "-k", "K", "--vcpu-affinity", "0-");
	EXPECT_ERROR("invalid --vcpu-affinity ''", "-k", "K", "--vcpu-affinity", "");
	EXPECT_ERROR("invalid --vcpu-affinity ':1'", "-k", "K", "--vcpu-affinity", ":1");
	EXPECT_ERROR("invalid --vcpu-affinity '0:'", "-k", "K", "--vcpu-affinity", "0:");
	EXPECT_ERROR("invalid --vcpu-affinity 'x:1'", "-k", "K", "--vcpu-affinity", "x:1");
	EXPECT_ERROR("invalid --vcpu-affinity '0:1:2'", "-k", "K", "--vcpu-affinity", "0:1:2");
	EXPECT_ERROR("VCPU is a vCPU number from 0 to 511", "-k", "K", "--vcpu-affinity", "512:1");
	EXPECT_ERROR("each below 1024", "-k", "K", "--vcpu-affinity", "1024");
}

TEST(cli_vcpu_affinity_limit)
{
	char *argv[2 + 2 * (CLI_MAX_VCPU_AFFINITIES + 1) + 4];
	char values[CLI_MAX_VCPU_AFFINITIES + 1][16];
	int argc = 0;

	argv[argc++] = "run";
	argv[argc++] = "-k";
	argv[argc++] = "K";
	argv[argc++] = "-c";
	argv[argc++] = "100";
	for (int i = 0; i <= CLI_MAX_VCPU_AFFINITIES; i++) {
		snprintf(values[i], sizeof(values[i]), "%d:0", i);
		argv[argc++] = "--vcpu-affinity";
		argv[argc++] = values[i];
	}
	argv[argc] = NULL;
	EXPECT_EQ(cli_parse_run(argc - 2, argv, &opts, message, sizeof(message)), CLI_RUN);
	EXPECT_EQ(opts.vcpu_affinity_count, CLI_MAX_VCPU_AFFINITIES);
	EXPECT_EQ(cli_parse_run(argc, argv, &opts, message, sizeof(message)), CLI_ERROR);
	EXPECT_CONTAINS(message, "too many --vcpu-affinity");
}

TEST(cli_cpu_features_and_pvtime)
{
	EXPECT_EQ(PARSE("-k", "K"), CLI_RUN);
	/* Everything KVM offers, by default. */
	EXPECT_FALSE(opts.no_pvtime || opts.disable_sve || opts.disable_ptrauth || opts.disable_mte);
	EXPECT_EQ(opts.sve_max_vl, 0);
	EXPECT_EQ(PARSE("-k", "K", "--no-pvtime", "--disable-sve", "--disable-ptrauth", "--disable-mte"),
		  CLI_RUN);
	EXPECT_TRUE(opts.no_pvtime && opts.disable_sve && opts.disable_ptrauth && opts.disable_mte);
	EXPECT_EQ(PARSE("-k", "K", "--sve-max-vl", "256"), CLI_RUN);
	EXPECT_EQ(opts.sve_max_vl, 256);
	EXPECT_EQ(PARSE("-k", "K", "--sve-max-vl=2048"), CLI_RUN);
	EXPECT_EQ(opts.sve_max_vl, 2048);
	EXPECT_ERROR("invalid --sve-max-vl '200'", "-k", "K", "--sve-max-vl", "200");
	EXPECT_ERROR("invalid --sve-max-vl '0'", "-k", "K", "--sve-max-vl", "0");
	EXPECT_ERROR("invalid --sve-max-vl '2176'", "-k", "K", "--sve-max-vl", "2176");
	EXPECT_ERROR("invalid --sve-max-vl '-128'", "-k", "K", "--sve-max-vl", "-128");
	EXPECT_ERROR("--sve-max-vl needs SVE", "-k", "K", "--sve-max-vl", "128", "--disable-sve");
	EXPECT_ERROR("option '--no-pvtime' takes no value", "-k", "K", "--no-pvtime=1");
}
