#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "control_protocol.h"
#include "cpu_list.h"

const char cli_main_usage[] =
	"usage: lvmm <command> [options]\n"
	"\n"
	"The most commonly used lvmm commands are:\n"
	"  run        boot a guest (lvmm run --help for its options)\n"
	"  sandbox    run a command in a guest kernel, with the host's / as its root, and exit\n"
	"             with its status (lvmm sandbox --help)\n"
	"  list       list the running guests (their names, pids, states)\n"
	"  stop       stop a running guest: lvmm stop --name NAME\n"
	"  pause      pause a running guest's vCPUs: lvmm pause --name NAME\n"
	"  resume     resume a paused guest: lvmm resume --name NAME\n"
	"  stat       a running guest's vCPU states, exits, steal time and PV sched counters:\n"
	"             lvmm stat --name NAME [--json]\n"
	"  help       show this text\n"
	"  version    show lvmm's version\n"
	"  seccomp    list the system calls each lvmm thread may make (lvmm(1), SECCOMP)\n"
	"\n"
	"options: --help, --version\n";

const char cli_run_usage[] =
	"usage: lvmm run -k IMAGE [options]\n"
	"       lvmm run -f FIRMWARE [options]\n"
	"\n"
	"  -k, --kernel FILE        arm64 Linux Image (raw or gzip-compressed) to boot\n"
	"  -i, --initrd FILE        initial ramdisk handed to the kernel\n"
	"  -p, --params STRING      kernel command line (appended to the defaults)\n"
	"  -f, --firmware FILE      raw binary loaded at the start of RAM and entered there\n"
	"  -c, --cpus N             number of vCPUs (default 1)\n"
	"  -m, --mem SIZE           guest RAM in MiB, or with a M/G suffix (default 256)\n"
	"      --name NAME          the guest's name, for lvmm stop/pause/resume/stat --name\n"
	"                           (default guest-PID)\n"
	"      --console TYPE       the guest's console: serial (the 16550 UART, ttyS0; default)\n"
	"                           or virtio (virtio-console, hvc0)\n"
	"  -d, --disk FILE[,ro]     a virtio-blk disk backed by the raw image FILE (repeatable;\n"
	"                           ,ro: read-only)\n"
	"      --9p DIR,TAG[,ro]    share the host directory DIR with the guest over virtio-9p,\n"
	"                           mount tag TAG (repeatable; ,ro: read-only); in the guest:\n"
	"                           mount -t 9p -o trans=virtio,version=9p2000.L TAG /mnt\n"
	"      --rng                a virtio-rng device fed from the host's getrandom()\n"
	"      --test-device        the lvmm,doorbell-v1 test device (docs/doorbell.md) for\n"
	"                           test guests: it can end lvmm and print report lines\n"
	"  -n, --network mode=none  networking (only mode=none: lvmm has no network device)\n"
	"      --irqchip TYPE       gicv3, gicv3-its (with an ITS), gicv2 or auto (default:\n"
	"                           gicv3, else gicv2)\n"
	"      --nodefaults         add nothing to the kernel command line\n"
	"      --no-reboot          exit with status 3 when the guest resets instead of rebooting\n"
	"      --no-seccomp         run without the seccomp filters that confine lvmm's threads\n"
	"                           (for debugging)\n"
	"      --dump-dtb FILE      write the generated device tree blob to FILE\n"
	"      --loglevel LEVEL     error, warning (default), info or debug\n"
	"      --pmu                a virtual PMUv3 for the guest (perf in the guest)\n"
	"      --vcpu-affinity [VCPU:]CPULIST  the host CPUs every vCPU's thread may run on\n"
	"                           (as taskset -c: 0-3,6); with VCPU: for that vCPU only\n"
	"                           (repeatable, e.g. --vcpu-affinity 0:2 --vcpu-affinity 1:3)\n"
	"      --no-pvtime          no PV steal time for the guest (given when KVM has it)\n"
	"      --sve-max-vl BITS    the guest's longest SVE vector length, a multiple of 128\n"
	"                           (default: the longest KVM offers)\n"
	"      --disable-sve, --disable-ptrauth, --disable-mte\n"
	"                           withhold SVE, pointer authentication or MTE, which the guest\n"
	"                           gets whenever KVM offers them\n"
	"      --kaslr-seed N       the guest's KASLR seed (decimal or 0x hex; 0: none, KASLR\n"
	"                           off); default: a new random seed at every boot\n"
	"      --pvsched[=SEMANTICS]  paravirtualized scheduling for the guest (docs/pvsched.md);\n"
	"                           runnable (default): preempted means descheduled while\n"
	"                           runnable; idle-preempted: a vCPU idle in WFI also reads so\n"
	"      --pvsched-stats[=json]  print PV sched counters per vCPU when the guest stops\n"
	"  -h, --help               show this text\n"
	"\n"
	"exit status: 0 guest powered off, 1 lvmm error, 2 usage error, 3 guest reset with\n"
	"--no-reboot, 4 guest panic, 5 guest crash, 6 guest test failure, 7 seccomp\n"
	"violation, 128+N signal N.\n";

const char cli_sandbox_usage[] =
	"usage: lvmm sandbox -k IMAGE [options] -- COMMAND [ARGS...]\n"
	"\n"
	"Boots IMAGE with the host's / as the guest's root (read-only, over 9p, with a tmpfs on\n"
	"/tmp, /var/tmp, /run and $HOME), runs COMMAND as root (or --user) in the guest in the\n"
	"current directory, with its output on lvmm's stdout and stderr, and exits with its status\n"
	"(128+N if it died of signal N). The kernel needs virtio-mmio, virtio-console and 9p\n"
	"(lvmm(1)).\n"
	"\n"
	"  -k, --kernel FILE        arm64 Linux Image (raw or gzip-compressed) to boot\n"
	"      --rootfs DIR         the guest's root instead of the host's /\n"
	"      --user UID:GID       run COMMAND as that user and group (default: root),\n"
	"                           e.g. --user \"$(id -u):$(id -g)\"; $HOME's tmpfs is theirs\n"
	"      --writable-root      the command may write anywhere in the root: the writes stay\n"
	"                           in the guest's memory (an overlay), the host's files unchanged\n"
	"      --modules DIR        the kernel's modules: what make modules_install\n"
	"                           INSTALL_MOD_PATH=DIR made, or its lib/modules/RELEASE;\n"
	"                           at /lib/modules/RELEASE in the guest (modprobe works)\n"
	"  -e, --env NAME[=VALUE]   also gives COMMAND the variable NAME: as given, or as lvmm has\n"
	"                           it (repeatable)\n"
	"  -t, --tty                run COMMAND on a terminal in the guest: lvmm's own, which must\n"
	"                           be its standard input and in the foreground (an interactive\n"
	"                           shell, an editor, Ctrl-C and window sizes reaching COMMAND;\n"
	"                           Ctrl-A x ends lvmm, Ctrl-A Ctrl-A types Ctrl-A); -tt: a\n"
	"                           terminal for COMMAND even without one of lvmm's (as ssh -tt)\n"
	"      --9p DIR,TAG[,ro]    a further share, mounted at DIR in the guest (read-write\n"
	"                           unless ,ro)\n"
	"  -p, --params STRING      appended to the kernel command line\n"
	"  -c, --cpus N             number of vCPUs (default 1)\n"
	"  -m, --mem SIZE           guest RAM in MiB, or with a M/G suffix (default 256)\n"
	"  -d, --disk FILE[,ro]     a virtio-blk disk (repeatable)\n"
	"      --rng                a virtio-rng device\n"
	"      --loglevel LEVEL     error, warning (default), info (also shows the guest kernel's\n"
	"                           log on stderr) or debug\n"
	"      also: --name, --irqchip, --pmu, --kaslr-seed, --pvsched[=SEMANTICS], --no-seccomp,\n"
	"      --vcpu-affinity, --no-pvtime, --sve-max-vl, --disable-sve, --disable-ptrauth,\n"
	"      --disable-mte (lvmm run --help)\n"
	"  -h, --help               show this text\n"
	"\n"
	"exit status: COMMAND's, 128+N if it died of signal N, 126 if it cannot be run, 127 if it\n"
	"is not found; 141 if lvmm's stdout or stderr was closed by its reader first; 125 if lvmm\n"
	"or the guest failed before COMMAND ended (one line says why).\n";

enum long_only_option {
	OPT_NAME = 256,
	OPT_CONSOLE,
	OPT_IRQCHIP,
	OPT_NODEFAULTS,
	OPT_NO_REBOOT,
	OPT_DUMP_DTB,
	OPT_LOGLEVEL,
	OPT_PMU,
	OPT_PVSCHED,
	OPT_PVSCHED_STATS,
	OPT_KASLR_SEED,
	OPT_RNG,
	OPT_TEST_DEVICE,
	OPT_NO_SECCOMP,
	OPT_9P,
	OPT_ROOTFS,
	OPT_MODULES,
	OPT_WRITABLE_ROOT,
	OPT_USER,
	OPT_VCPU_AFFINITY,
	OPT_NO_PVTIME,
	OPT_SVE_MAX_VL,
	OPT_DISABLE_SVE,
	OPT_DISABLE_PTRAUTH,
	OPT_DISABLE_MTE,
};

static const struct option run_long_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "params", required_argument, NULL, 'p' },
	{ "firmware", required_argument, NULL, 'f' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "mem", required_argument, NULL, 'm' },
	{ "network", required_argument, NULL, 'n' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
	{ "nodefaults", no_argument, NULL, OPT_NODEFAULTS },
	{ "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
	{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },
	{ "pmu", no_argument, NULL, OPT_PMU },
	{ "pvsched", optional_argument, NULL, OPT_PVSCHED },
	{ "pvsched-stats", optional_argument, NULL, OPT_PVSCHED_STATS },
	{ "kaslr-seed", required_argument, NULL, OPT_KASLR_SEED },
	{ "disk", required_argument, NULL, 'd' },
	{ "9p", required_argument, NULL, OPT_9P },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "test-device", no_argument, NULL, OPT_TEST_DEVICE },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "vcpu-affinity", required_argument, NULL, OPT_VCPU_AFFINITY },
	{ "no-pvtime", no_argument, NULL, OPT_NO_PVTIME },
	{ "sve-max-vl", required_argument, NULL, OPT_SVE_MAX_VL },
	{ "disable-sve", no_argument, NULL, OPT_DISABLE_SVE },
	{ "disable-ptrauth", no_argument, NULL, OPT_DISABLE_PTRAUTH },
	{ "disable-mte", no_argument, NULL, OPT_DISABLE_MTE },
	{ "help", no_argument, NULL, 'h' },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "writable-root", no_argument, NULL, OPT_WRITABLE_ROOT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "env", required_argument, NULL, 'e' },
	{ "tty", no_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

static enum cli_result fail(char *message, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum cli_result fail(char *message, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, size, fmt, ap);
	va_end(ap);
	return CLI_ERROR;
}

static bool parse_unsigned(const char *text, unsigned long long *value)
{
	char *end;

	/* A digit first: strtoull would also skip spaces and accept a sign (" -1" is 2^64-1). */
	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	*value = strtoull(text, &end, 10);
	return errno == 0 && end != text && *end == '\0';
}

bool cli_parse_mem_mib(const char *text, uint64_t *mib)
{
	unsigned long long value, scale = 1;
	char digits[32];
	size_t len = strlen(text);

	if (len == 0 || len >= sizeof(digits))
		return false;
	memcpy(digits, text, len + 1);
	switch (digits[len - 1]) {
	case 'M': case 'm': scale = 1; digits[--len] = '\0'; break;
	case 'G': case 'g': scale = 1024; digits[--len] = '\0'; break;
	case 'T': case 't': scale = 1024 * 1024; digits[--len] = '\0'; break;
	default: break;
	}
	if (!parse_unsigned(digits, &value) || value > UINT64_MAX / scale)
		return false;
	*mib = value * scale;
	return true;
}

static bool parse_loglevel(const char *text, enum log_level *level)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*level = (enum log_level)i;
			return true;
		}
	}
	return false;
}

/* A mount tag: printable, no space, comma or slash (it is also a name in messages). */
static bool share_tag_valid(const char *tag, size_t length)
{
	if (length == 0 || length > SHARE_TAG_MAX)
		return false;
	for (size_t i = 0; i < length; i++) {
		if (tag[i] <= ' ' || tag[i] > '~' || tag[i] == ',' || tag[i] == '/')
			return false;
	}
	return true;
}

/* DIR,TAG[,ro|,rw], read from the right: DIR itself may hold commas. */
static enum cli_result parse_share(const char *arg, struct run_options *opts, char *message,
				   size_t size)
{
	struct share_option *share = &opts->shares[opts->share_count];
	size_t length = strlen(arg);
	const char *comma;
	size_t tag_length;

	if (opts->share_count == CLI_MAX_SHARES)
		return fail(message, size, "too many --9p: lvmm takes at most %d shares", CLI_MAX_SHARES);
	memset(share, 0, sizeof(*share));
	if (length >= 3 && (strcmp(arg + length - 3, ",ro") == 0 || strcmp(arg + length - 3, ",rw") == 0)) {
		share->read_only = arg[length - 2] == 'r' && arg[length - 1] == 'o';
		length -= 3;
	}
	comma = memrchr(arg, ',', length);
	if (!comma || comma == arg)
		return fail(message, size, "invalid --9p '%s': give DIR,TAG or DIR,TAG,ro", arg);
	tag_length = length - (size_t)(comma + 1 - arg);
	if (!share_tag_valid(comma + 1, tag_length))
		return fail(message, size,
			    "invalid --9p tag '%.*s': give 1 to %d printable characters without spaces, commas or slashes",
			    (int)tag_length, comma + 1, SHARE_TAG_MAX);
	memcpy(share->tag, comma + 1, tag_length);
	share->tag[tag_length] = '\0';
	for (unsigned int i = 0; i < opts->share_count; i++) {
		if (strcmp(opts->shares[i].tag, share->tag) == 0)
			return fail(message, size, "--9p tag '%s' is given twice: each share needs its own tag",
				    share->tag);
	}
	share->path = arg;
	share->path_length = (size_t)(comma - arg);
	opts->share_count++;
	return CLI_RUN;
}

/* [VCPU:]CPULIST. The form for every vCPU replaces an earlier one; a vCPU's own is given once.
 * Whether VCPU exists is checked once -c is known (check_run). */
static enum cli_result parse_vcpu_affinity(const char *arg, struct run_options *opts,
					   char *message, size_t size)
{
	const char *colon = strchr(arg, ':');
	struct vcpu_affinity_option entry = { .vcpu = VCPU_AFFINITY_ALL };
	const char *list = arg;
	unsigned int slot;

	if (colon) {
		char digits[16];
		unsigned long long vcpu;
		size_t length = (size_t)(colon - arg);

		if (length == 0 || length >= sizeof(digits))
			return fail(message, size, "invalid --vcpu-affinity '%s': give CPULIST, or VCPU:CPULIST for one vCPU",
				    arg);
		memcpy(digits, arg, length);
		digits[length] = '\0';
		if (!parse_unsigned(digits, &vcpu) || vcpu >= arch_limits.max_vcpus)
			return fail(message, size, "invalid --vcpu-affinity '%s': VCPU is a vCPU number from 0 to %u",
				    arg, arch_limits.max_vcpus - 1);
		entry.vcpu = (unsigned int)vcpu;
		list = colon + 1;
	}
	if (!cpu_list_parse(list, &entry.cpus))
		return fail(message, size, "invalid --vcpu-affinity '%s': give host CPUs as taskset -c does, e.g. 0-3,6 (each below %d)",
			    arg, CPU_SETSIZE);
	for (slot = 0; slot < opts->vcpu_affinity_count; slot++) {
		if (opts->vcpu_affinities[slot].vcpu != entry.vcpu)
			continue;
		if (entry.vcpu != VCPU_AFFINITY_ALL)
			return fail(message, size, "--vcpu-affinity for vCPU %u is given twice: give each vCPU's CPUs once",
				    entry.vcpu);
		opts->vcpu_affinities[slot] = entry;
		return CLI_RUN;
	}
	if (opts->vcpu_affinity_count == CLI_MAX_VCPU_AFFINITIES)
		return fail(message, size, "too many --vcpu-affinity: lvmm takes at most %d",
			    CLI_MAX_VCPU_AFFINITIES);
	opts->vcpu_affinities[opts->vcpu_affinity_count++] = entry;
	return CLI_RUN;
}

const cpu_set_t *cli_vcpu_affinity(const struct run_options *opts, unsigned int vcpu)
{
	const cpu_set_t *every = NULL;

	for (unsigned int i = 0; i < opts->vcpu_affinity_count; i++) {
		if (opts->vcpu_affinities[i].vcpu == vcpu)
			return &opts->vcpu_affinities[i].cpus;
		if (opts->vcpu_affinities[i].vcpu == VCPU_AFFINITY_ALL)
			every = &opts->vcpu_affinities[i].cpus;
	}
	return every;
}

static void set_defaults(struct run_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->cpus = DEFAULT_CPUS;
	opts->mem_mib = DEFAULT_MEM_MIB;
	opts->irqchip = IRQCHIP_AUTO;
	opts->loglevel = LOG_WARNING;
	opts->name = "guest";
}

static enum cli_result parse_one(int option, const char *arg, struct run_options *opts,
				 char *message, size_t size)
{
	unsigned long long number;

	switch (option) {
	case 'k': opts->kernel_path = arg; break;
	case 'i': opts->initrd_path = arg; break;
	case 'p': opts->params = arg; break;
	case 'f': opts->firmware_path = arg; break;
	case OPT_DUMP_DTB: opts->dump_dtb_path = arg; break;
	case OPT_NODEFAULTS: opts->nodefaults = true; break;
	case OPT_NO_REBOOT: opts->no_reboot = true; break;
	case OPT_PMU: opts->pmu = true; break;
	case OPT_RNG: opts->rng = true; break;
	case OPT_TEST_DEVICE: opts->test_device = true; break;
	case OPT_NO_SECCOMP: opts->no_seccomp = true; break;
	case OPT_NO_PVTIME: opts->no_pvtime = true; break;
	case OPT_DISABLE_SVE: opts->disable_sve = true; break;
	case OPT_DISABLE_PTRAUTH: opts->disable_ptrauth = true; break;
	case OPT_DISABLE_MTE: opts->disable_mte = true; break;
	case OPT_VCPU_AFFINITY:
		return parse_vcpu_affinity(arg, opts, message, size);
	case OPT_SVE_MAX_VL:
		if (!parse_unsigned(arg, &number) || number == 0 || number % SVE_VL_GRANULE_BITS ||
		    number > SVE_VL_MAX_BITS)
			return fail(message, size, "invalid --sve-max-vl '%s': give a vector length in bits, a multiple of %d up to %d",
				    arg, SVE_VL_GRANULE_BITS, SVE_VL_MAX_BITS);
		opts->sve_max_vl = (unsigned int)number;
		break;
	case 'd': {
		size_t length = strlen(arg);
		struct disk_option *disk = &opts->disks[opts->disk_count];

		if (opts->disk_count == CLI_MAX_DISKS)
			return fail(message, size, "too many --disk: lvmm takes at most %d", CLI_MAX_DISKS);
		disk->path = arg;
		disk->path_length = length;
		if (length >= 3 && strcmp(arg + length - 3, ",ro") == 0) {
			disk->read_only = true;
			disk->path_length = length - 3;
		}
		if (disk->path_length == 0)
			return fail(message, size, "invalid --disk '%s': give an image file, FILE or FILE,ro", arg);
		opts->disk_count++;
		break;
	}
	case OPT_9P:
		return parse_share(arg, opts, message, size);
	case OPT_KASLR_SEED: {
		char *end;

		/* A digit first, as parse_unsigned: no sign, no spaces. Base 16 only after 0x: a
		 * leading 0 is not octal here. */
		errno = 0;
		number = strtoull(arg, &end, arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X') ? 16 : 10);
		if (arg[0] < '0' || arg[0] > '9' || errno || *end != '\0')
			return fail(message, size, "invalid --kaslr-seed '%s': give a 64-bit number, decimal or 0x hex (0: no seed)",
				    arg);
		opts->kaslr_seed = number;
		opts->kaslr_seed_given = true;
		break;
	}
	case OPT_PVSCHED:
		opts->pvsched = true;
		if (!arg || strcmp(arg, "runnable") == 0)
			opts->pvsched_idle_preempted = false;
		else if (strcmp(arg, "idle-preempted") == 0)
			opts->pvsched_idle_preempted = true;
		else
			return fail(message, size, "invalid --pvsched '%s': use --pvsched, --pvsched=runnable or --pvsched=idle-preempted",
				    arg);
		break;
	case OPT_PVSCHED_STATS:
		if (!arg || strcmp(arg, "text") == 0)
			opts->pvsched_stats = STATS_TEXT;
		else if (strcmp(arg, "json") == 0)
			opts->pvsched_stats = STATS_JSON;
		else
			return fail(message, size, "invalid --pvsched-stats '%s': use --pvsched-stats or --pvsched-stats=json",
				    arg);
		break;
	case 'c':
		if (!parse_unsigned(arg, &number) || number == 0 || number > arch_limits.max_vcpus)
			return fail(message, size, "invalid --cpus '%s': give a number of vCPUs from 1 to %u",
				    arg, arch_limits.max_vcpus);
		opts->cpus = (unsigned int)number;
		break;
	case 'm':
		if (!cli_parse_mem_mib(arg, &opts->mem_mib) || opts->mem_mib < arch_limits.min_ram_mib ||
		    opts->mem_mib > arch_limits.max_ram_mib)
			return fail(message, size,
				    "invalid --mem '%s': give the RAM size in MiB (or with a G suffix), from %llu to %llu MiB",
				    arg, (unsigned long long)arch_limits.min_ram_mib,
				    (unsigned long long)arch_limits.max_ram_mib);
		break;
	case 'n':
		if (strcmp(arg, "mode=none") != 0 && strcmp(arg, "none") != 0)
			return fail(message, size,
				    "unsupported --network '%s': lvmm has no network device; use --network mode=none",
				    arg);
		break;
	case OPT_NAME:
		/* It names the control socket's file too (lvmm list, docs/control.md). */
		if (!control_name_valid(arg))
			return fail(message, size, "invalid --name: give 1 to %d letters, digits, '.', '_' or '-', not starting with '.' or '-'",
				    CONTROL_NAME_MAX);
		opts->name = arg;
		opts->name_given = true;
		break;
	case OPT_CONSOLE:
		if (strcmp(arg, "serial") == 0)
			opts->console = CONSOLE_SERIAL;
		else if (strcmp(arg, "virtio") == 0)
			opts->console = CONSOLE_VIRTIO;
		else
			return fail(message, size,
				    "unsupported --console '%s': use --console serial or --console virtio", arg);
		break;
	case OPT_IRQCHIP:
		opts->gic_its = false;
		if (strcmp(arg, "gicv3") == 0) {
			opts->irqchip = IRQCHIP_GICV3;
		} else if (strcmp(arg, "gicv3-its") == 0) {
			opts->irqchip = IRQCHIP_GICV3;
			opts->gic_its = true;
		}
		else if (strcmp(arg, "gicv2") == 0)
			opts->irqchip = IRQCHIP_GICV2;
		else if (strcmp(arg, "auto") == 0)
			opts->irqchip = IRQCHIP_AUTO;
		else
			return fail(message, size, "invalid --irqchip '%s': use gicv3, gicv3-its, gicv2 or auto", arg);
		break;
	case OPT_LOGLEVEL:
		if (!parse_loglevel(arg, &opts->loglevel))
			return fail(message, size,
				    "invalid --loglevel '%s': use error, warning, info or debug", arg);
		break;
	default:
		return fail(message, size, "internal error: unhandled option %d", option);
	}
	return CLI_RUN;
}

/* The options only lvmm sandbox takes: its root, its command's user, environment, terminal. */
static bool sandbox_only(int option)
{
	return option == OPT_ROOTFS || option == OPT_MODULES || option == OPT_USER ||
	       option == OPT_WRITABLE_ROOT || option == 'e' || option == 't';
}

/* An option's long name, for messages ("tty" for -t). */
static const char *long_name_of(int option)
{
	for (const struct option *entry = run_long_options; entry->name; entry++) {
		if (entry->val == option)
			return entry->name;
	}
	return "?";
}

/* "UID:GID", each decimal below 4294967295 ((uid_t)-1 means no change to set*id). */
static bool parse_user(const char *text, unsigned int *user_id, unsigned int *group_id)
{
	const char *colon = strchr(text, ':');
	unsigned long long value;
	char user[16];

	if (!colon || (size_t)(colon - text) >= sizeof(user))
		return false;
	memcpy(user, text, (size_t)(colon - text));
	user[colon - text] = '\0';
	if (!parse_unsigned(user, &value) || value >= 0xffffffffULL)
		return false;
	*user_id = (unsigned int)value;
	if (!parse_unsigned(colon + 1, &value) || value >= 0xffffffffULL)
		return false;
	*group_id = (unsigned int)value;
	return true;
}

/* The getopt loop shared by run and sandbox (sandbox non-NULL: --rootfs allowed, and the
 * operands are its command). */
static enum cli_result parse_arguments(int argc, char **argv, struct run_options *opts,
				       struct sandbox_options *sandbox, char *message, size_t size)
{
	const char *command = sandbox ? "sandbox" : "run";
	const char *usage = sandbox ? cli_sandbox_usage : cli_run_usage;
	enum cli_result result;
	int option;

	set_defaults(opts);
	if (sandbox)
		memset(sandbox, 0, sizeof(*sandbox));
	message[0] = '\0';
	optind = 0; /* glibc: full re-initialisation, so the parser can run more than once */
	opterr = 0;
	while ((option = getopt_long(argc, argv, "+:k:i:p:f:c:m:n:d:e:th", run_long_options, NULL)) != -1) {
		if (option == 'h') {
			snprintf(message, size, "%s", usage);
			return CLI_HELP;
		}
		if (option == '?') {
			/* optopt is also set (to its val) for a known long option given "=value" it
			 * does not take: getopt has then consumed it, so argv[optind - 1] names it. */
			if (optopt > 255 || optopt == 'h' || optopt == 't') {
				const char *given = argv[optind - 1];

				return fail(message, size, "option '%.*s' takes no value (see lvmm %s --help)",
					    (int)strcspn(given, "="), given, command);
			}
			if (optopt)
				return fail(message, size, "unknown option '-%c' (see lvmm %s --help)", optopt,
					    command);
			return fail(message, size, "unknown option '%s' (see lvmm %s --help)",
				    argv[optind - 1], command);
		}
		if (option == ':')
			return fail(message, size, "option '%s' needs a value (see lvmm %s --help)",
				    argv[optind - 1], command);
		if (sandbox_only(option) && !sandbox)
			return fail(message, size, "--%s is an option of lvmm sandbox, not of lvmm run",
				    long_name_of(option));
		if (option == OPT_ROOTFS) {
			sandbox->rootfs = optarg;
			continue;
		}
		if (option == OPT_MODULES) {
			sandbox->modules = optarg;
			continue;
		}
		if (option == OPT_USER) {
			if (!parse_user(optarg, &sandbox->user_id, &sandbox->group_id))
				return fail(message, size, "invalid --user '%s': give UID:GID, decimal (as id -u and id -g print them)",
					    optarg);
			sandbox->user_given = true;
			continue;
		}
		if (option == OPT_WRITABLE_ROOT) {
			sandbox->writable_root = true;
			continue;
		}
		if (option == 'e') {
			if (optarg[0] == '=' || optarg[0] == '\0')
				return fail(message, size, "invalid --env '%s': give NAME or NAME=VALUE", optarg);
			if (sandbox->env_count == CLI_MAX_SANDBOX_ENV)
				return fail(message, size, "too many --env: at most %d", CLI_MAX_SANDBOX_ENV);
			sandbox->env[sandbox->env_count++] = optarg;
			continue;
		}
		if (option == 't') {
			sandbox->terminal_forced = sandbox->terminal;
			sandbox->terminal = true;
			continue;
		}
		result = parse_one(option, optarg, opts, message, size);
		if (result != CLI_RUN)
			return result;
	}
	if (sandbox) {
		sandbox->command = argv + optind;
		sandbox->command_count = argc - optind;
	} else if (optind < argc) {
		return fail(message, size, "unexpected argument '%s' (see lvmm run --help)", argv[optind]);
	}
	return CLI_RUN;
}

static enum cli_result check_run(struct run_options *opts, char *message, size_t size)
{
	if (!opts->kernel_path && !opts->firmware_path)
		return fail(message, size, "nothing to boot: give a kernel with -k IMAGE or a firmware with -f FILE");
	if (opts->kernel_path && opts->firmware_path)
		return fail(message, size, "give either --kernel or --firmware, not both");
	if (opts->initrd_path && !opts->kernel_path)
		return fail(message, size, "--initrd needs a kernel: add -k IMAGE");
	if (opts->pvsched_stats != STATS_NONE && !opts->pvsched)
		return fail(message, size, "--pvsched-stats needs --pvsched");
	if (opts->sve_max_vl && opts->disable_sve)
		return fail(message, size, "--sve-max-vl needs SVE: drop --disable-sve");
	for (unsigned int i = 0; i < opts->vcpu_affinity_count; i++) {
		unsigned int vcpu = opts->vcpu_affinities[i].vcpu;

		if (vcpu != VCPU_AFFINITY_ALL && vcpu >= opts->cpus)
			return fail(message, size, "--vcpu-affinity names vCPU %u, but the guest has %u vCPU%s (numbered from 0); raise -c or drop it",
				    vcpu, opts->cpus, opts->cpus == 1 ? "" : "s");
	}
	if (arch_check_options(opts, message, size))
		return CLI_ERROR;
	return CLI_RUN;
}

enum cli_result cli_parse_run(int argc, char **argv, struct run_options *opts, char *message,
			      size_t size)
{
	enum cli_result result = parse_arguments(argc, argv, opts, NULL, message, size);

	return result == CLI_RUN ? check_run(opts, message, size) : result;
}

enum cli_result cli_parse_sandbox(int argc, char **argv, struct run_options *opts,
				  struct sandbox_options *sandbox, char *message, size_t size)
{
	enum cli_result result = parse_arguments(argc, argv, opts, sandbox, message, size);

	if (result != CLI_RUN)
		return result;
	if (sandbox->command_count == 0)
		return fail(message, size, "no command to run: give it after --, as in lvmm sandbox -k IMAGE -- uname -a");
	if (!opts->kernel_path)
		return fail(message, size, "lvmm sandbox needs a kernel: add -k IMAGE");
	/* The sandbox makes the initrd, the consoles and the kernel's command line itself. */
	if (opts->firmware_path || opts->initrd_path)
		return fail(message, size, "lvmm sandbox makes its own initrd and boots a kernel: drop %s",
			    opts->firmware_path ? "--firmware" : "--initrd");
	if (opts->console != CONSOLE_SERIAL)
		return fail(message, size, "lvmm sandbox chooses its own consoles: drop --console");
	if (opts->nodefaults)
		return fail(message, size, "lvmm sandbox needs its own kernel parameters: drop --nodefaults");
	if (opts->share_count + 1 + (sandbox->modules ? 1 : 0) > CLI_MAX_SHARES)
		return fail(message, size, "too many --9p for lvmm sandbox: its root%s take%s %d of the %d shares",
			    sandbox->modules ? " and --modules" : "", sandbox->modules ? "" : "s",
			    sandbox->modules ? 2 : 1, CLI_MAX_SHARES);
	for (unsigned int i = 0; i < opts->share_count; i++) {
		if (strcmp(opts->shares[i].tag, CLI_SANDBOX_ROOT_TAG) == 0 ||
		    strcmp(opts->shares[i].tag, CLI_SANDBOX_MODULES_TAG) == 0)
			return fail(message, size, "--9p tag '%s' is the sandbox's own (%s): choose another tag",
				    opts->shares[i].tag,
				    strcmp(opts->shares[i].tag, CLI_SANDBOX_ROOT_TAG) == 0 ? "its root" : "--modules");
	}
	return check_run(opts, message, size);
}

int cli_kernel_cmdline(const struct run_options *opts, char *out, size_t out_size)
{
	const char *defaults = opts->nodefaults ? "" :
			       opts->console == CONSOLE_VIRTIO ? "console=hvc0" : "console=ttyS0";
	const char *params = opts->params ? opts->params : "";
	const char *space = defaults[0] && params[0] ? " " : "";
	int n = snprintf(out, out_size, "%s%s%s", defaults, space, params);

	return n < 0 || (size_t)n >= out_size ? -1 : 0;
}
