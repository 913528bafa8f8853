#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#include "cpio_writer.h"
#include "kernel_modules.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "monotonic_clock.h"
#include "payload.h"
#include "run_guest.h"
#include "sandbox_environment.h"
#include "sandbox_init.h"
#include "sandbox_init_image.h"
#include "sandbox_spec.h"
#include "vm.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define KERNEL_LOG_TAIL_LINES 20

extern char **environ;

struct sandbox {
	struct run_options opts;
	struct sandbox_options command;
	char root[PATH_MAX];                        /* the host directory that is the guest's / */
	char mount_points[CLI_MAX_SHARES][PATH_MAX]; /* the further shares' places in the guest */
	char modules_directory[PATH_MAX];           /* --modules, resolved */
	char modules_place[KERNEL_RELEASE_MAX + 16]; /* where in it the release's modules are */
	char cwd[PATH_MAX];
	char path_entry[sizeof("PATH=") + sizeof(DEFAULT_PATH)];
	char params[4096];
	struct sandbox_spec spec;
	struct console_port ports[SANDBOX_PORTS];
	struct sandbox_report report;
	int kernel_log_fd;                          /* the kernel console, kept for a failure */
	bool terminal_keyboard;                     /* -t: lvmm's terminal is the command's, raw */
};

/* A path on the host as the guest sees it: inside the root, the part below it. */
static const char *guest_path_of(const struct sandbox *sandbox, const char *host_path)
{
	size_t root_length = strlen(sandbox->root);

	if (strcmp(sandbox->root, "/") == 0)
		return host_path;
	if (strncmp(host_path, sandbox->root, root_length) == 0) {
		if (host_path[root_length] == '\0')
			return "/";
		if (host_path[root_length] == '/')
			return host_path + root_length;
	}
	return NULL;
}

static int directory_resolve(const char *given, size_t length, char *resolved, const char *what,
			     const char *fix)
{
	char path[PATH_MAX];
	struct stat st;

	if (length >= sizeof(path)) {
		log_error("%s '%.*s' is too long", what, (int)length, given);
		return -1;
	}
	memcpy(path, given, length);
	path[length] = '\0';
	if (!realpath(path, resolved) || stat(resolved, &st) < 0) {
		log_error("%s '%s': %s (%s)", what, path, strerror(errno), fix);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("%s '%s' is not a directory (%s)", what, path, fix);
		return -1;
	}
	return 0;
}

/* The root share first, then the user's shares, each mounted at its own path. */
static int shares_setup(struct sandbox *sandbox)
{
	struct run_options *opts = &sandbox->opts;
	struct sandbox_spec *spec = &sandbox->spec;
	const char *rootfs = sandbox->command.rootfs ? sandbox->command.rootfs : "/";

	if (directory_resolve(rootfs, strlen(rootfs), sandbox->root, "--rootfs",
			      "give the directory that is to be the guest's /"))
		return -1;
	for (unsigned int i = 0; i < opts->share_count; i++) {
		struct share_option *share = &opts->shares[i];
		char host_path[PATH_MAX];
		const char *guest_path;

		if (directory_resolve(share->path, share->path_length, host_path, "--9p directory",
				      "give an existing directory"))
			return -1;
		guest_path = guest_path_of(sandbox, host_path);
		snprintf(sandbox->mount_points[i], PATH_MAX, "%s", guest_path ? guest_path : host_path);
	}
	/* The root share goes first; the spec's tags point at the shares where they end up. */
	memmove(&opts->shares[1], &opts->shares[0], opts->share_count * sizeof(opts->shares[0]));
	for (unsigned int i = 0; i < opts->share_count; i++) {
		spec->shares[spec->share_count++] = (struct sandbox_share){
			.tag = opts->shares[i + 1].tag, .path = sandbox->mount_points[i],
			.read_only = opts->shares[i + 1].read_only,
		};
	}
	opts->shares[0] = (struct share_option){
		.path = sandbox->root, .path_length = strlen(sandbox->root), .tag = CLI_SANDBOX_ROOT_TAG,
		.read_only = true,
	};
	opts->share_count++;
	spec->root = (struct sandbox_share){ .tag = CLI_SANDBOX_ROOT_TAG, .path = "/", .read_only = true };
	spec->root_overlay = sandbox->command.writable_root;
	spec->user_given = sandbox->command.user_given;
	spec->user_id = sandbox->command.user_id;
	spec->group_id = sandbox->command.group_id;
	/* The kernel's modules, last: the guest puts the release's part of them at /lib/modules. */
	if (sandbox->command.modules) {
		if (directory_resolve(sandbox->command.modules, strlen(sandbox->command.modules),
				      sandbox->modules_directory, "--modules",
				      "give the directory make modules_install INSTALL_MOD_PATH=DIR made"))
			return -1;
		opts->shares[opts->share_count++] = (struct share_option){
			.path = sandbox->modules_directory,
			.path_length = strlen(sandbox->modules_directory),
			.tag = CLI_SANDBOX_MODULES_TAG, .read_only = true,
		};
	}
	return 0;
}

static int command_setup(struct sandbox *sandbox)
{
	struct sandbox_spec *spec = &sandbox->spec;
	const char *home = NULL, *guest_cwd;
	char message[256];

	if (!getcwd(sandbox->cwd, sizeof(sandbox->cwd))) {
		log_error("cannot read the current directory: %s", strerror(errno));
		return -1;
	}
	/* Outside --rootfs, the command starts at the guest's /. */
	guest_cwd = guest_path_of(sandbox, sandbox->cwd);
	spec->cwd = guest_cwd ? guest_cwd : "/";
	snprintf(sandbox->path_entry, sizeof(sandbox->path_entry), "PATH=%s", DEFAULT_PATH);
	if (sandbox_environment_build(environ, sandbox->command.env, sandbox->command.env_count,
				      sandbox->path_entry, spec->env, SANDBOX_SPEC_MAX_ENV,
				      &spec->env_count, message, sizeof(message))) {
		log_error("%s", message);
		return -1;
	}
	for (unsigned int i = 0; i < spec->env_count; i++) {
		if (strncmp(spec->env[i], "HOME=", 5) == 0)
			home = spec->env[i] + 5;
	}
	if (sandbox->command.command_count > SANDBOX_SPEC_MAX_ARGS) {
		log_error("the command has more than %d arguments", SANDBOX_SPEC_MAX_ARGS);
		return -1;
	}
	for (int i = 0; i < sandbox->command.command_count; i++)
		spec->args[spec->arg_count++] = sandbox->command.command[i];
	spec->tmpfs[spec->tmpfs_count++] = "/tmp";
	spec->tmpfs[spec->tmpfs_count++] = "/var/tmp";
	spec->tmpfs[spec->tmpfs_count++] = "/run";
	if (home && home[0] == '/' && strcmp(home, "/") != 0)
		spec->tmpfs[spec->tmpfs_count++] = home;
	return 0;
}

/* DIRECTORY/NAME; -1 if it does not fit. */
static int path_join(char *path, size_t size, const char *directory, const char *name)
{
	int n = snprintf(path, size, "%s/%s", directory, name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Whether a file or directory exists: open, not access, which the main thread's seccomp
 * filter does not allow. */
static bool host_path_exists(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * The host directory holding the kernel's modules.dep, into directory: --modules's (where it
 * keeps this release, which the guest is told), else ROOT/lib/modules/RELEASE, as modprobe
 * finds them. 1 if there is none (the drivers must be built in), 0, or -1 with a line in err:
 * --modules names no modules for this kernel.
 */
static int modules_directory(struct sandbox *sandbox, const struct payloads *payloads,
			     char *directory, size_t size, char *err, size_t err_size)
{
	const char *root = strcmp(sandbox->root, "/") == 0 ? "" : sandbox->root;
	char release[KERNEL_RELEASE_MAX], probe[PATH_MAX + 16];
	bool release_known;

	if (!sandbox->command.modules) {
		/* No lib/modules in the root: nothing to look up, and no need to scan the Image
		 * (megabytes) for its release. */
		snprintf(probe, sizeof(probe), "%s/lib/modules", root);
		if (!host_path_exists(probe, O_DIRECTORY) ||
		    kernel_release_find(payloads->kernel.data, payloads->kernel.size, release,
					sizeof(release)))
			return 1;
		snprintf(directory, size, "%s/lib/modules/%s", root, release);
		return path_join(probe, sizeof(probe), directory, "modules.dep") == 0 &&
		       host_path_exists(probe, 0) ? 0 : 1;
	}
	release_known = kernel_release_find(payloads->kernel.data, payloads->kernel.size, release,
					    sizeof(release)) == 0;
	if (modules_directory_find(sandbox->modules_directory, release_known ? release : NULL,
				   sandbox->modules_place, sizeof(sandbox->modules_place))) {
		if (release_known)
			snprintf(err, err_size, "--modules %s holds no modules.dep, neither in itself nor in lib/modules/%s: give the directory make modules_install INSTALL_MOD_PATH=DIR made for this kernel (release %s), or its lib/modules/%s",
				 sandbox->command.modules, release, release, release);
		else
			snprintf(err, err_size, "--modules %s holds no modules.dep, and the kernel names no release (it has no 'Linux version' banner) to look for lib/modules/RELEASE in: give that release directory itself",
				 sandbox->command.modules);
		return -1;
	}
	sandbox->spec.modules_share_tag = CLI_SANDBOX_MODULES_TAG;
	sandbox->spec.modules_share_directory = sandbox->modules_place;
	if (path_join(directory, size, sandbox->modules_directory, sandbox->modules_place)) {
		snprintf(err, err_size, "the --modules path '%s' is too long", sandbox->modules_directory);
		return -1;
	}
	return 0;
}

/* The modules of the drivers a sandbox needs, when the kernel builds them as modules and
 * their directory has them. */
static int modules_add(struct sandbox *sandbox, const struct payloads *payloads,
		       struct cpio_writer *initrd, char names[][64], char *err, size_t err_size)
{
	static const char *const base_drivers[] = {
		"virtio_mmio", "virtio_console", "9pnet_virtio", "9p", NULL,
	};
	const char *drivers[10];
	unsigned int driver_count = 0;
	char directory[PATH_MAX + 128], path[PATH_MAX + 256];
	struct module_list list;
	struct payload dep;
	int result = -1, found;

	for (unsigned int i = 0; base_drivers[i]; i++)
		drivers[driver_count++] = base_drivers[i];
	if (sandbox->opts.disk_count)
		drivers[driver_count++] = "virtio_blk";
	if (sandbox->opts.rng)
		drivers[driver_count++] = "virtio_rng";
	if (sandbox->command.writable_root)
		drivers[driver_count++] = "overlay";
	drivers[driver_count] = NULL;
	found = modules_directory(sandbox, payloads, directory, sizeof(directory), err, err_size);
	if (found)
		return found < 0 ? -1 : 0;
	if (path_join(path, sizeof(path), directory, "modules.dep") ||
	    payload_read_file(path, 64u << 20, &dep, err, err_size))
		return -1;
	if (modules_resolve((const char *)dep.data, dep.size, drivers, &list, err, err_size))
		goto out_dep;
	cpio_add_directory(initrd, "lib", 0755);
	cpio_add_directory(initrd, "lib/modules", 0755);
	for (unsigned int i = 0; i < list.count; i++) {
		const char *base = strrchr(list.paths[i], '/');
		struct payload module;

		if (path_join(path, sizeof(path), directory, list.paths[i])) {
			snprintf(err, err_size, "the module path '%s' is too long", list.paths[i]);
			goto out_list;
		}
		if (payload_read_file(path, 64u << 20, &module, err, err_size))
			goto out_list;
		snprintf(names[i], 64, "/lib/modules/%s", base ? base + 1 : list.paths[i]);
		cpio_add_file(initrd, names[i] + 1, 0644, module.data, module.size);
		munmap(module.mapping, module.mapping_size);
		sandbox->spec.modules[sandbox->spec.module_count++] = names[i];
	}
	result = 0;
out_list:
	module_list_free(&list);
out_dep:
	if (dep.mapping)
		munmap(dep.mapping, dep.mapping_size);
	return result;
}

/* The initrd: the sandbox's init program (vmm/sandbox_init_image.h) as /init, the spec, the
 * modules; built afresh at every boot. */
static int initrd_build(void *context, struct payloads *payloads, char *err, size_t err_size)
{
	struct sandbox *sandbox = context;
	char module_names[KERNEL_MODULES_MAX][64];
	struct cpio_writer initrd;
	char *spec_bytes;
	size_t spec_size;

	cpio_writer_init(&initrd);
	cpio_add_directory(&initrd, "dev", 0755);
	cpio_add_char_device(&initrd, "dev/console", 0600, 5, 1);
	sandbox->spec.module_count = 0;
	if (modules_add(sandbox, payloads, &initrd, module_names, err, err_size))
		goto fail;
	cpio_add_file(&initrd, "init", 0755, sandbox_init_image,
		      (size_t)(sandbox_init_image_end - sandbox_init_image));
	if (sandbox_spec_encode(&sandbox->spec, &spec_bytes, &spec_size, err, err_size))
		goto fail;
	cpio_add_file(&initrd, SANDBOX_SPEC_PATH + 1, 0600, spec_bytes, spec_size);
	free(spec_bytes);
	if (cpio_finish(&initrd)) {
		snprintf(err, err_size, "out of memory building the sandbox's initrd");
		return -1;
	}
	payloads->initrd = (struct payload){ .data = initrd.bytes, .size = initrd.size, .built = true };
	log_debug("sandbox initrd: %zu KiB, its init %zu KiB, %u module(s)", initrd.size >> 10,
		  (size_t)(sandbox_init_image_end - sandbox_init_image) >> 10, sandbox->spec.module_count);
	return 0;
fail:
	free(initrd.bytes);
	return -1;
}

/* The kernel's log as lvmm kept it (a memfd), mapped; MAP_FAILED when it was shown instead
 * (--loglevel info) or is empty. */
static char *kernel_log_map(const struct sandbox *sandbox, size_t *size)
{
	struct stat st;

	*size = 0;
	if (sandbox->kernel_log_fd < 0 || fstat(sandbox->kernel_log_fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size <= 0)
		return MAP_FAILED;
	*size = (size_t)st.st_size;
	return mmap(NULL, *size, PROT_READ, MAP_SHARED, sandbox->kernel_log_fd, 0);
}

/* A command killed by SIGKILL: when the guest kernel's OOM killer did it, one line says so and
 * how to give the guest more memory; the status stays the command's (137). */
static void explain_kill(struct sandbox *sandbox)
{
	char victim[128];
	size_t size;
	char *log_text = kernel_log_map(sandbox, &size);

	if (log_text == MAP_FAILED)
		return;
	if (sandbox_oom_victim(log_text, size, victim, sizeof(victim)))
		log_warning("sandbox: the guest ran out of memory and its kernel killed process %s: give it more than %llu MiB with -m",
			    victim, (unsigned long long)sandbox->opts.mem_mib);
	munmap(log_text, size);
}

/* Init's own line on the kernel console ("lvmm-sandbox-init: error ..."), for a guest whose
 * control port never came up; else the kernel log's last lines. */
static void explain_failure(struct sandbox *sandbox, const char *what)
{
	const char *prefix = SANDBOX_INIT_CONSOLE_PREFIX "error ";
	char *log_text;
	size_t size;

	if (sandbox->report.error[0]) {
		log_error("sandbox: %s", sandbox->report.error);
		return;
	}
	log_text = kernel_log_map(sandbox, &size);
	if (log_text != MAP_FAILED) {
		const char *found = memmem(log_text, size, prefix, strlen(prefix));

		if (found) {
			const char *end = memchr(found, '\n', size - (size_t)(found - log_text));
			size_t length = (end ? (size_t)(end - found) : size - (size_t)(found - log_text)) -
					strlen(prefix);

			/* The UART's line ends are CRLF. */
			while (length && found[strlen(prefix) + length - 1] == '\r')
				length--;
			log_error("sandbox: %.*s", (int)length, found + strlen(prefix));
		} else {
			const char *start = log_text + size;
			unsigned int lines = 0;

			while (start > log_text && lines <= KERNEL_LOG_TAIL_LINES) {
				start--;
				if (*start == '\n')
					lines++;
			}
			log_error("sandbox: %s; the guest kernel's log ends:", what);
			fwrite(start, 1, size - (size_t)(start - log_text), stderr);
			fputc('\n', stderr);
		}
		munmap(log_text, size);
		return;
	}
	log_error("sandbox: %s (rerun with --loglevel info to see the guest kernel's log)", what);
}

static int sandbox_status(struct sandbox *sandbox, int status)
{
	if (status == EXIT_GUEST_POWEROFF && sandbox->report.finished) {
		if (sandbox->report.status == 128 + SIGKILL)
			explain_kill(sandbox);
		return sandbox->report.status;
	}
	if (status == EXIT_GUEST_POWEROFF && sandbox->report.output_closed)
		return 128 + SIGPIPE;
	if (status >= 128) {
		/* lvmm itself was stopped: said, so that it is not taken for the command's signal. */
		const char *reason = vm_host_stop_reason();
		char signal_name[32];

		if (!reason) { /* a signal while the payloads loaded, before there was a VM */
			const char *name = sigabbrev_np(status - 128);

			snprintf(signal_name, sizeof(signal_name), "SIG%s", name ? name : "?");
			reason = signal_name;
		}
		log_warning("sandbox: stopped by %s before the command ended", reason);
		return status;
	}
	switch (status) {
	case EXIT_GUEST_POWEROFF:
		explain_failure(sandbox, "the guest powered off without reporting the command's status");
		break;
	case EXIT_GUEST_RESET:
		explain_failure(sandbox, "the guest kernel reset before the command ended (a panic?)");
		break;
	case EXIT_GUEST_PANIC:
		explain_failure(sandbox, "the guest kernel panicked");
		break;
	case EXIT_GUEST_CRASH:
		explain_failure(sandbox, "the guest crashed");
		break;
	default:
		break; /* lvmm's own error: already said */
	}
	return SANDBOX_EXIT_FAILURE;
}

/*
 * The command's standard input is lvmm's (a pipe, a file, a terminal read line by line), as
 * with ssh: except /dev/null (then the command's is /dev/null too, and lvmm never reads it;
 * lvmm puts /dev/null in place of a closed stdin), and a terminal lvmm is in the background
 * of (reading it would stop lvmm with SIGTTIN).
 */
static bool input_forwarded(void)
{
	struct stat st, null_st;

	if (fstat(STDIN_FILENO, &st) < 0)
		return false;
	if (S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 && S_ISCHR(null_st.st_mode) &&
	    st.st_rdev == null_st.st_rdev)
		return false;
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp())
		return false;
	return true;
}

/*
 * -t: the command gets a pseudo-terminal in the guest, and lvmm's terminal, in raw mode, is
 * its keyboard and screen (as ssh -t). Only a terminal lvmm may read and set: its standard
 * input, lvmm in its foreground. -tt gives the command its terminal without one (as ssh -tt):
 * lvmm's input, if any, is typed on it, and it has lvmm's output's size, or 24x80.
 */
static int terminal_setup(struct sandbox *sandbox)
{
	unsigned short rows = 24, columns = 80;
	bool on_terminal = isatty(STDIN_FILENO);

	if (on_terminal && tcgetpgrp(STDIN_FILENO) == getpgrp()) {
		console_terminal_size(&rows, &columns);
		sandbox->terminal_keyboard = true;
		sandbox->report.terminal = true;
		sandbox->report.terminal_rows = rows;
		sandbox->report.terminal_columns = columns;
		sandbox->ports[SANDBOX_PORT_CONTROL].input_resized = sandbox_input_resized;
	} else if (sandbox->command.terminal_forced) {
		struct winsize size;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row && size.ws_col) {
			rows = size.ws_row;
			columns = size.ws_col;
		}
	} else if (!on_terminal) {
		log_error("-t needs a terminal as lvmm's standard input, and it has none: drop -t "
			  "(the command then reads lvmm's input as a pipe), or give -tt for a terminal "
			  "in the guest anyway");
		return -1;
	} else {
		log_error("-t needs lvmm in the foreground of its terminal: run it in the foreground, "
			  "drop -t, or give -tt for a terminal in the guest anyway");
		return -1;
	}
	sandbox->spec.terminal = true;
	sandbox->spec.terminal_rows = rows;
	sandbox->spec.terminal_columns = columns;
	return 0;
}

static int sandbox_prepare(struct sandbox *sandbox, int argc, char **argv, bool *help)
{
	char message[4096];
	int written;

	*help = false;
	switch (cli_parse_sandbox(argc, argv, &sandbox->opts, &sandbox->command, message,
				  sizeof(message))) {
	case CLI_HELP:
		fputs(message, stdout);
		*help = true;
		return 0;
	case CLI_ERROR:
		log_error("%s", message);
		return -1;
	case CLI_RUN:
		break;
	}
	if (shares_setup(sandbox) || command_setup(sandbox))
		return -1;
	/* A panic resets the guest (panic=-1), and a reset ends the sandbox. */
	written = snprintf(sandbox->params, sizeof(sandbox->params), "panic=-1 rdinit=/init%s%s%s%s",
			   sandbox->opts.loglevel >= LOG_INFO ? "" : " quiet",
			   sandbox->opts.loglevel >= LOG_DEBUG ? " lvmm.sandbox_trace" : "",
			   sandbox->opts.params ? " " : "", sandbox->opts.params ? sandbox->opts.params : "");
	if (written < 0 || (size_t)written >= sizeof(sandbox->params)) {
		log_error("the kernel parameters given with -p are too long");
		return -1;
	}
	sandbox->opts.params = sandbox->params;
	sandbox->opts.no_reboot = true;
	sandbox->ports[SANDBOX_PORT_STDOUT] = (struct console_port){
		.name = "stdout", .output_fd = STDOUT_FILENO,
		.reader_gone = sandbox_report_output_closed, .context = &sandbox->report,
	};
	sandbox->ports[SANDBOX_PORT_STDERR] = (struct console_port){
		.name = "stderr", .output_fd = STDERR_FILENO,
		.reader_gone = sandbox_report_output_closed, .context = &sandbox->report,
	};
	sandbox->ports[SANDBOX_PORT_CONTROL] = (struct console_port){
		.name = "control port", .output_fd = -1, .receive = sandbox_report_receive,
		.context = &sandbox->report,
	};
	sandbox->spec.input_forwarded = input_forwarded();
	if (sandbox->spec.input_forwarded) {
		sandbox->ports[SANDBOX_PORT_CONTROL].input_space = sandbox_input_space;
		sandbox->ports[SANDBOX_PORT_CONTROL].input = sandbox_input;
		sandbox->ports[SANDBOX_PORT_CONTROL].input_end = sandbox_input_end;
		sandbox->ports[SANDBOX_PORT_CONTROL].input_done = sandbox_input_done;
	}
	if (sandbox->command.terminal && terminal_setup(sandbox))
		return -1;
	sandbox->opts.console_ports = sandbox->ports;
	sandbox->opts.console_port_count = SANDBOX_PORTS;
	/* The kernel's console is kept, not shown, unless asked for: the command's output is
	 * what lvmm sandbox prints. */
	if (sandbox->opts.loglevel >= LOG_INFO) {
		sandbox->kernel_log_fd = dup(STDERR_FILENO);
		sandbox->report.wait_for_power_off = true;
	}
	else
		sandbox->kernel_log_fd = memfd_create("lvmm-sandbox-kernel-log", MFD_CLOEXEC);
	if (sandbox->kernel_log_fd < 0) {
		log_error("creating the kernel log's buffer failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int sandbox_command(int argc, char **argv)
{
	uint64_t start_ns = monotonic_ns();
	struct sandbox *sandbox = calloc(1, sizeof(*sandbox));
	bool help;
	int status;

	if (!sandbox) {
		log_error("out of memory");
		return SANDBOX_EXIT_FAILURE;
	}
	sandbox->kernel_log_fd = -1;
	if (sandbox_prepare(sandbox, argc, argv, &help)) {
		status = SANDBOX_EXIT_FAILURE;
	} else if (help) {
		status = fflush(stdout) == 0 ? 0 : SANDBOX_EXIT_FAILURE;
	} else {
		status = run_guest(&sandbox->opts, &(struct run_guest_session){
			.console_fd = sandbox->kernel_log_fd, .prepare_payloads = initrd_build,
			.context = sandbox, .terminal_raw = sandbox->terminal_keyboard }, start_ns);
		status = sandbox_status(sandbox, status);
	}
	if (sandbox->kernel_log_fd >= 0)
		close(sandbox->kernel_log_fd);
	free(sandbox);
	return status;
}
