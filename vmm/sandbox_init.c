#include "sandbox_init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "monotonic_clock.h"
#include "sandbox_init_exec.h"
#include "sandbox_init_terminal.h"
#include "sandbox_input_frames.h"
#include "sandbox_spec.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define NINEP_MSIZE "524288"
#define DEVICE_WAIT_MS 5000

extern char **environ;

static int control_fd = -1;
static int console_fd = 2;
static int trace_fd = -1;

bool sandbox_init_wanted(void)
{
	return getpid() == 1 && access(SANDBOX_SPEC_PATH, R_OK) == 0;
}

static void write_all(int fd, const char *text, size_t length)
{
	while (length > 0) {
		ssize_t n = write(fd, text, length);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		length -= (size_t)n;
	}
}

static void power_off(void) __attribute__((noreturn));
static void power_off(void)
{
	if (control_fd >= 0)
		tcdrain(control_fd);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

/* One line for lvmm: on the control port when it is up, and always on the kernel console. */
static void report(const char *kind, const char *fmt, va_list ap)
{
	char message[1024], line[1100];
	int length;

	vsnprintf(message, sizeof(message), fmt, ap);
	for (char *c = message; *c; c++) {
		if (*c == '\n')
			*c = ' ';
	}
	length = snprintf(line, sizeof(line), "%s %s\n", kind, message);
	if (control_fd >= 0 && length > 0)
		write_all(control_fd, line, strnlen(line, sizeof(line)));
	length = snprintf(line, sizeof(line), SANDBOX_INIT_CONSOLE_PREFIX "%s %s\n", kind, message);
	if (length > 0)
		write_all(console_fd, line, strnlen(line, sizeof(line)));
}

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error", fmt, ap);
	va_end(ap);
	power_off();
}

/* A problem that does not stop the command: lvmm logs it as a warning. */
static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning", fmt, ap);
	va_end(ap);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec delay = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&delay, NULL);
}

/* devtmpfs creates nodes from a kernel thread: a device probed a moment ago may not be there
 * yet. */
static bool wait_for_path(const char *path, unsigned int timeout_ms)
{
	for (unsigned int waited = 0; ; waited += 10) {
		if (access(path, F_OK) == 0)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(10);
	}
}

static void mount_or_fail(const char *source, const char *target, const char *type,
			  unsigned long flags, const char *data, const char *fix)
{
	if (mount(source, target, type, flags, data) < 0)
		fail("mounting %s on %s failed: %s%s%s", type, target, strerror(errno),
		     fix ? " " : "", fix ? fix : "");
}

/* The start of a small file (procfs), terminated; false if it cannot be read or is empty. */
static bool read_small_file(const char *path, char *text, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, text, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return true;
}

/* Whether a line of text is word, or ends in a tab and word (/proc/filesystems). */
static bool text_has_line(const char *text, const char *word)
{
	size_t word_length = strlen(word);

	for (const char *line = text; *line; ) {
		size_t length = strcspn(line, "\n");
		const char *last = line + length;

		while (last > line && last[-1] != '\t')
			last--;
		if ((size_t)(line + length - last) == word_length && memcmp(last, word, word_length) == 0)
			return true;
		line += length + (line[length] == '\n');
	}
	return false;
}

static bool file_has_line(const char *path, const char *word)
{
	char text[8192];

	return read_small_file(path, text, sizeof(text)) && text_has_line(text, word);
}

/* Whether the kernel command line has word (a whole word). */
static bool command_line_has(const char *word)
{
	char text[4096];

	if (!read_small_file("/proc/cmdline", text, sizeof(text)))
		return false;
	for (char *token = strtok(text, " \n"); token; token = strtok(NULL, " \n"))
		if (strcmp(token, word) == 0)
			return true;
	return false;
}

/* With lvmm.sandbox_trace on the kernel command line (lvmm sandbox --loglevel debug), each
 * step of init is a line in the kernel's log, with the kernel's timestamp, and a "trace"
 * line on the control port with the guest's clock, which lvmm logs with its own: where a
 * slow sandbox spends its time, up to the status (the kernel's log can only be read back
 * by the command, before the steps that follow it). The steps before the port is open wait
 * in pending_traces. */
static bool trace_enabled;
static char pending_traces[512];
static size_t pending_traces_length;

static void trace_begin(void)
{
	trace_enabled = command_line_has("lvmm.sandbox_trace");
	if (trace_enabled)
		trace_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
}

/* One write() per record, as /dev/kmsg takes them: a stdio stream may split a record over
 * several writes (glibc's dprintf() to /dev/kmsg returned -1 and logged nothing). */
static void trace(const char *step)
{
	struct timespec now;
	char line[160];
	int length;

	if (!trace_enabled)
		return;
	length = snprintf(line, sizeof(line), "lvmm-sandbox-init: %s\n", step);
	if (trace_fd >= 0 && length > 0 && (size_t)length < sizeof(line))
		write_all(trace_fd, line, (size_t)length);
	clock_gettime(CLOCK_BOOTTIME, &now);
	length = snprintf(line, sizeof(line), "trace %s (guest clock %lld.%06ld s)\n", step,
			  (long long)now.tv_sec, now.tv_nsec / 1000);
	if (length <= 0 || (size_t)length >= sizeof(line))
		return;
	if (control_fd >= 0) {
		write_all(control_fd, line, (size_t)length);
	} else if (pending_traces_length + (size_t)length <= sizeof(pending_traces)) {
		memcpy(pending_traces + pending_traces_length, line, (size_t)length);
		pending_traces_length += (size_t)length;
	}
}

static void trace_flush_pending(void)
{
	if (control_fd >= 0 && pending_traces_length > 0)
		write_all(control_fd, pending_traces, pending_traces_length);
	pending_traces_length = 0;
}

static void load_modules(const struct sandbox_spec *spec)
{
	for (unsigned int i = 0; i < spec->module_count; i++) {
		const char *path = spec->modules[i];
		size_t length = strlen(path);
		int flags = length > 3 && strcmp(path + length - 3, ".ko") != 0 ?
			    MODULE_INIT_COMPRESSED_FILE : 0;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			fail("the initrd lacks its module %s: %s", path, strerror(errno));
		if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST) {
			int error = errno;

			fail("loading the guest kernel module %s failed: %s%s", path, strerror(error),
			     error == ENOEXEC ? " (a module of another kernel build? the modules must be this kernel's own)" : "");
		}
		close(fd);
	}
}

static void check_kernel(void)
{
	if (access("/sys/bus/platform/drivers/virtio-mmio", F_OK) != 0)
		fail("the guest kernel has no virtio-mmio driver: build it with CONFIG_VIRTIO_MMIO (or give its module in the root's /lib/modules)");
}

/* Raw: lvmm's answers come back unechoed and unchanged, and init's lines go out as written. */
static void open_control_port(void)
{
	struct termios termios;
	char path[32];

	snprintf(path, sizeof(path), "/dev/hvc%d", SANDBOX_PORT_CONTROL);
	if (!wait_for_path(path, DEVICE_WAIT_MS))
		fail("the guest kernel has no virtio-console (%s never appeared): build it with CONFIG_VIRTIO_CONSOLE (or give its module in the root's /lib/modules)",
		     path);
	control_fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (control_fd < 0)
		fail("opening %s failed: %s", path, strerror(errno));
	if (tcgetattr(control_fd, &termios) == 0) {
		cfmakeraw(&termios);
		tcsetattr(control_fd, TCSANOW, &termios);
	}
}

/* One line of lvmm's answer on the control port, within timeout_ms; false if none came. */
static bool read_answer(char *answer, size_t size, unsigned int timeout_ms)
{
	uint64_t deadline_ns = monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	size_t length = 0;

	while (length < size - 1) {
		struct pollfd port = { .fd = control_fd, .events = POLLIN };
		uint64_t now_ns = monotonic_ns();
		ssize_t n;

		if (now_ns >= deadline_ns ||
		    poll(&port, 1, (int)((deadline_ns - now_ns + 999999) / 1000000)) <= 0)
			return false;
		n = read(control_fd, answer + length, size - 1 - length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		length += (size_t)n;
		answer[length] = '\0';
		if (memchr(answer, '\n', length))
			return true;
	}
	return false;
}

/*
 * The guest's clock, from lvmm's. The kernel sets it at boot from the RTC, which counts whole
 * seconds, so it starts up to half a second off either way; a file the host stamps (any write
 * to a share) could then be in the guest's future, which make reports as clock skew. lvmm
 * answers "clock" with its CLOCK_REALTIME; the guest takes that plus the whole round trip, so
 * that it is never behind the host, and ahead by no more than the round trip.
 */
#define CLOCK_ANSWER_MS 2000

static void set_clock(void)
{
	uint64_t asked_ns = monotonic_ns();
	struct timespec now;
	char answer[64], extra;
	long long host_ns;

	write_all(control_fd, "clock\n", 6);
	if (!read_answer(answer, sizeof(answer), CLOCK_ANSWER_MS) ||
	    sscanf(answer, "clock %lld%c", &host_ns, &extra) != 2 || extra != '\n' || host_ns < 0) {
		warn("lvmm did not give the time: the guest's clock is its RTC's, to the second");
		return;
	}
	host_ns += (long long)(monotonic_ns() - asked_ns);
	now = (struct timespec){ .tv_sec = host_ns / 1000000000LL, .tv_nsec = host_ns % 1000000000LL };
	if (clock_settime(CLOCK_REALTIME, &now) < 0)
		warn("setting the guest's clock failed: %s", strerror(errno));
}

/* The bytes a command writes reach lvmm unchanged: no \n -> \r\n, no echo. */
static int open_port(int port, int flags)
{
	char path[32];
	struct termios termios;
	int fd;

	snprintf(path, sizeof(path), "/dev/hvc%d", port);
	fd = open(path, flags | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fail("opening %s failed: %s", path, strerror(errno));
	if (tcgetattr(fd, &termios) == 0) {
		cfmakeraw(&termios);
		tcsetattr(fd, TCSANOW, &termios);
	}
	return fd;
}

static void mount_share(const struct sandbox_share *share, const char *target, bool root)
{
	char options[128];

	/* The read-only root does not change under a run: caching it saves a round trip to
	 * lvmm per lookup and per read after a file's first (its qid version is nonzero,
	 * docs/9p.md). Writable shares see the host's changes, and the host their writes, at
	 * once (directio), yet take shared writable mappings, which Linux refuses without a
	 * write-back cache (cache=mmap; kernels before 6.6 ignore directio and write through
	 * without it). lvmm keeps no extended attributes (docs/9p.md): noxattr has the guest
	 * answer for them itself instead of asking lvmm, which a kernel with
	 * CONFIG_9P_FS_SECURITY did for security.capability at every write() and exec, and
	 * overlayfs for every directory (kernels without the option ignore it). */
	snprintf(options, sizeof(options), "trans=virtio,version=9p2000.L,noxattr,msize=%s%s",
		 NINEP_MSIZE,
		 share->read_only ? ",cache=loose" : ",cache=mmap,directio");
	if (mount(share->tag, target, "9p", share->read_only ? MS_RDONLY : 0, options) < 0) {
		if (errno == ENODEV && !file_has_line("/proc/filesystems", "9p"))
			fail("the guest kernel has no 9p file system: build it with CONFIG_NET_9P, CONFIG_NET_9P_VIRTIO and CONFIG_9P_FS (or give their modules in the root's /lib/modules)");
		if (errno == ENOENT && root)
			fail("the guest kernel found no 9p share '%s': build it with CONFIG_NET_9P_VIRTIO", share->tag);
		fail("mounting the 9p share '%s' on %s failed: %s", share->tag, share->path, strerror(errno));
	}
}

static bool is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The kernel's own file systems that a system's init (systemd) mounts at their usual places,
 * where tests of the kernel look for them (cgroup's, ftrace's, BPF's selftests): each where
 * the kernel has it and sysfs made its mount point, else left out.
 */
static void mount_kernel_file_systems(void)
{
	static const char *const systems[][2] = {
		{ "cgroup2", "/newroot/sys/fs/cgroup" }, { "debugfs", "/newroot/sys/kernel/debug" },
		{ "tracefs", "/newroot/sys/kernel/tracing" }, { "bpf", "/newroot/sys/fs/bpf" },
		{ "securityfs", "/newroot/sys/kernel/security" },
		{ "configfs", "/newroot/sys/kernel/config" },
	};
	char filesystems[8192];

	if (!read_small_file("/proc/filesystems", filesystems, sizeof(filesystems)))
		return;
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		if (text_has_line(filesystems, systems[i][0]) && is_directory(systems[i][1]))
			mount(systems[i][0], systems[i][1], systems[i][0],
			      MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
}

/* --writable-root: the share, read-only, is the overlay's lower layer; a tmpfs takes what the
 * command writes, which ends with the guest. The layers stay mounted in the initramfs, out of
 * the command's sight once the overlay is its root. */
static void mount_root_overlay(const struct sandbox_share *root, const char *target)
{
	mkdir("/root-share", 0755);
	mount_share(root, "/root-share", true);
	mkdir("/root-writes", 0755);
	mount_or_fail("tmpfs", "/root-writes", "tmpfs", 0, "mode=0755", NULL);
	if (mkdir("/root-writes/upper", 0755) < 0 || mkdir("/root-writes/work", 0755) < 0)
		fail("making the overlay's directories failed: %s", strerror(errno));
	if (mount("overlay", target, "overlay", 0,
		  "lowerdir=/root-share,upperdir=/root-writes/upper,workdir=/root-writes/work") < 0) {
		if (errno == ENODEV && !file_has_line("/proc/filesystems", "overlay"))
			fail("the guest kernel has no overlay file system for --writable-root: build it with CONFIG_OVERLAY_FS (or give its module in the root's /lib/modules or with --modules), or drop --writable-root");
		fail("mounting the overlay on the root share failed: %s", strerror(errno));
	}
}

static void under_new_root(char *out, size_t size, const char *path)
{
	snprintf(out, size, "/newroot%s", strcmp(path, "/") == 0 ? "" : path);
}

static bool same_directory(const char *a, const char *b)
{
	struct stat first, second;

	return stat(a, &first) == 0 && stat(b, &second) == 0 && first.st_dev == second.st_dev &&
	       first.st_ino == second.st_ino;
}

/* Whether path is the top of a mount: its parent is on another file system. */
static bool is_mount_top(const char *path)
{
	char parent[4200];
	struct stat st, parent_st;

	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &st) == 0 && stat(parent, &parent_st) == 0 &&
	       st.st_dev != parent_st.st_dev;
}

/* mkdir -p, for mount points inside a tmpfs; true if path is a directory in the end. */
static bool make_directories(const char *path)
{
	char partial[4096];

	snprintf(partial, sizeof(partial), "%s", path);
	for (char *slash = strchr(partial + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(partial, 0755);
		*slash = '/';
	}
	mkdir(partial, 0755);
	return is_directory(partial);
}

/* The tmpfs over $HOME or /tmp must not hide the directory the caller works in (a checkout
 * under $HOME, a CI workspace: GitHub's runners work below /home/runner): it is bound aside
 * while it is still the host's, and put back, read-only as the root, on top of the tmpfs that
 * covered it. A working directory that is a tmpfs's own place (/tmp, $HOME) is that tmpfs. */
#define KEPT_WORKING_DIRECTORY "/kept-working-directory"

static bool keep_working_directory(const char *cwd)
{
	return strcmp(cwd, "/newroot") != 0 && mkdir(KEPT_WORKING_DIRECTORY, 0755) == 0 &&
	       mount(cwd, KEPT_WORKING_DIRECTORY, NULL, MS_BIND, NULL) == 0;
}

static void restore_working_directory(const char *cwd, const char *guest_cwd)
{
	if (same_directory(cwd, KEPT_WORKING_DIRECTORY) || is_mount_top(cwd)) {
		umount2(KEPT_WORKING_DIRECTORY, MNT_DETACH);
		return;
	}
	if (!make_directories(cwd) ||
	    mount(KEPT_WORKING_DIRECTORY, cwd, NULL, MS_MOVE, NULL) < 0)
		fail("cannot keep the working directory %s visible under the tmpfs over it: %s",
		     guest_cwd, strerror(errno));
}

/* --modules: the release's directory of that share at /lib/modules/RELEASE, the running
 * kernel's, where modprobe looks. A root without it gets a tmpfs over its /lib/modules to make
 * it in: what that hides is other kernels' modules. */
static void mount_modules(const struct sandbox_spec *spec)
{
	const struct sandbox_share share = { .tag = spec->modules_share_tag, .path = "/lib/modules",
					     .read_only = true };
	char source[4096], target[4096];
	struct utsname uts;

	if (!spec->modules_share_tag)
		return;
	if (uname(&uts) < 0)
		fail("uname failed: %s", strerror(errno));
	mkdir("/modules-share", 0755);
	mount_share(&share, "/modules-share", false);
	snprintf(source, sizeof(source), "/modules-share/%s", spec->modules_share_directory);
	snprintf(target, sizeof(target), "/newroot/lib/modules/%s", uts.release);
	if (!is_directory(target)) {
		if (!is_directory("/newroot/lib/modules"))
			fail("the guest's root has no /lib/modules to put the --modules directory in: make that directory in the root");
		mount_or_fail("tmpfs", "/newroot/lib/modules", "tmpfs", MS_NOSUID | MS_NODEV,
			      "mode=0755", NULL);
		if (!make_directories(target))
			fail("cannot make /lib/modules/%s in the guest: %s", uts.release, strerror(errno));
	}
	if (mount(source, target, NULL, MS_BIND, NULL) < 0)
		fail("putting the --modules directory at /lib/modules/%s failed: %s", uts.release,
		     strerror(errno));
	umount2("/modules-share", MNT_DETACH);
}

/* The command's HOME, from its environment; NULL if it has none. */
static const char *command_home(const struct sandbox_spec *spec)
{
	for (unsigned int i = 0; i < spec->env_count; i++) {
		if (strncmp(spec->env[i], "HOME=", 5) == 0)
			return spec->env[i] + 5;
	}
	return NULL;
}

static void build_root(const struct sandbox_spec *spec)
{
	const char *home = command_home(spec);
	char target[4096], cwd[4096];
	bool kept;

	mkdir("/newroot", 0755);
	if (spec->root_overlay)
		mount_root_overlay(&spec->root, "/newroot");
	else
		mount_share(&spec->root, "/newroot", true);
	under_new_root(cwd, sizeof(cwd), spec->cwd);
	kept = keep_working_directory(cwd);
	for (unsigned int i = 0; i < spec->tmpfs_count; i++) {
		const char *path = spec->tmpfs[i];
		bool sticky = strcmp(path, "/tmp") == 0 || strcmp(path, "/var/tmp") == 0;
		char options[64] = "mode=0755";

		if (sticky)
			strcpy(options, "mode=1777");
		else if (spec->user_given && home && strcmp(path, home) == 0)
			snprintf(options, sizeof(options), "mode=0755,uid=%u,gid=%u", spec->user_id,
				 spec->group_id);
		under_new_root(target, sizeof(target), path);
		if (is_directory(target))
			mount_or_fail("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options, NULL);
	}
	if (kept)
		restore_working_directory(cwd, spec->cwd);
	for (unsigned int i = 0; i < spec->share_count; i++) {
		under_new_root(target, sizeof(target), spec->shares[i].path);
		/* A share below a tmpfs's place gets its mount point made there. */
		if (!is_directory(target) && !make_directories(target))
			fail("cannot mount the 9p share '%s' at %s: no such directory in the guest's root",
			     spec->shares[i].tag, spec->shares[i].path);
		mount_share(&spec->shares[i], target, false);
	}
	mount_modules(spec);
	if (!is_directory("/newroot/dev") || !is_directory("/newroot/proc") || !is_directory("/newroot/sys"))
		fail("the guest's root has no /dev, /proc or /sys to mount on: give a root file system with them");
	mount_or_fail("/dev", "/newroot/dev", NULL, MS_MOVE, NULL, NULL);
	mount_or_fail("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, NULL);
	mount_or_fail("sysfs", "/newroot/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, NULL);
	mount_kernel_file_systems();
	mkdir("/newroot/dev/pts", 0755);
	mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "ptmxmode=0666,mode=0620");
	mkdir("/newroot/dev/shm", 01777);
	mount("tmpfs", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
		fail("entering the 9p root failed: %s", strerror(errno));
	if (chdir(spec->cwd) < 0)
		fail("cannot enter the working directory %s in the guest: %s", spec->cwd, strerror(errno));
}

/* --user, in the command's process: its terminal (-t) becomes its own, as login makes it,
 * then its ids; root's supplementary groups are dropped. */
static void become_user(const struct sandbox_spec *spec)
{
	if ((spec->terminal && fchown(0, spec->user_id, spec->group_id) < 0) ||
	    setgroups(0, NULL) < 0 || setgid(spec->group_id) < 0 || setuid(spec->user_id) < 0) {
		dprintf(2, "lvmm sandbox: cannot run the command as user %u, group %u: %s\n",
			spec->user_id, spec->group_id, strerror(errno));
		_exit(126);
	}
}

/* The child: the command, its output on pipes that init relays to the ports, its input
 * input_fd (a pipe init fills from the control port) or /dev/null (-1). With -t all three are
 * the pseudo-terminal's far end, which becomes the controlling terminal of the command's
 * session (job control, Ctrl-C, SIGWINCH). */
static void run_command(const struct sandbox_spec *spec, int input_fd, int output_pipe,
			int error_pipe) __attribute__((noreturn));
static void run_command(const struct sandbox_spec *spec, int input_fd, int output_pipe,
			int error_pipe)
{
	int in = input_fd >= 0 ? input_fd : open("/dev/null", O_RDONLY);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (in < 0 || dup2(in, 0) < 0 || dup2(output_pipe, 1) < 0 || dup2(error_pipe, 2) < 0)
		_exit(126);
	if (spec->terminal && ioctl(0, TIOCSCTTY, 0) < 0)
		_exit(126);
	if (spec->user_given)
		become_user(spec);
	environ = (char **)spec->env;
	sandbox_exec_command((char *const *)spec->args);
}

/*
 * lvmm's standard input, from the control port to the command's (vmm/sandbox_input_frames.h).
 * The port is read only while nothing waits to go into the pipe: a command that does not read
 * its input holds lvmm's back (the guest's tty, then the port, then lvmm stop taking more),
 * and init never waits on the pipe.
 */
struct input_relay {
	int pipe_fd;        /* the command's input, init's end; -1 once closed */
	int terminal_fd;    /* with -t, the pseudo-terminal's near end (for its size), else -1 */
	bool active;        /* the port still carries input for the command */
	struct sandbox_input_decoder decoder;
	char pending[SANDBOX_INPUT_FRAME_MAX];
	size_t pending_start, pending_length;
};

static void input_close(struct input_relay *relay)
{
	if (relay->pipe_fd >= 0)
		close(relay->pipe_fd);
	relay->pipe_fd = -1;
	relay->pending_length = 0;
}

/* The command's end of the pipe is closed: lvmm is told to read no more (as a writer to a
 * closed pipe gets EPIPE); what is on its way is dropped. init, as process 1, gets no SIGPIPE. */
static void input_refused(struct input_relay *relay)
{
	input_close(relay);
	write_all(control_fd, "input-closed\n", 13);
}

static void input_from_port(struct input_relay *relay)
{
	char bytes[SANDBOX_INPUT_FRAME_MAX], data[SANDBOX_INPUT_FRAME_MAX];
	ssize_t n = read(control_fd, bytes, sizeof(bytes));
	size_t taken = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		relay->active = false;
		input_close(relay);
		return;
	}
	/* Only when nothing is pending: the data of n bytes of the port fit. */
	relay->pending_start = 0;
	while (taken < (size_t)n) {
		size_t data_count;
		bool line_ready;

		taken += sandbox_input_decode(&relay->decoder, bytes + taken, (size_t)n - taken,
					      data, &data_count, &line_ready);
		if (relay->pipe_fd >= 0) {
			memcpy(relay->pending + relay->pending_length, data, data_count);
			relay->pending_length += data_count;
		}
		/* Another line: a new terminal size, or one to ignore (a clock answer that came
		 * too late). */
		if (line_ready && relay->terminal_fd >= 0)
			sandbox_terminal_resize(relay->terminal_fd, relay->decoder.line);
	}
	if (relay->decoder.broken) {
		warn("lvmm's standard input came malformed on the control port: the command's ends here");
		relay->active = false;
	} else if (relay->decoder.ended) {
		relay->active = false;
	}
}

static void input_to_pipe(struct input_relay *relay)
{
	while (relay->pipe_fd >= 0 && relay->pending_length > 0) {
		ssize_t n = write(relay->pipe_fd, relay->pending + relay->pending_start,
				  relay->pending_length);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			input_refused(relay);
			return;
		}
		relay->pending_start += (size_t)n;
		relay->pending_length -= (size_t)n;
	}
	/* All of it went in: end of file for the command once the port said so. */
	if (!relay->active)
		input_close(relay);
}

/* Moves what a pipe holds to its port; false at end of file. */
static bool relay(int from, int to)
{
	char buffer[65536];
	ssize_t n = read(from, buffer, sizeof(buffer));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	write_all(to, buffer, (size_t)n);
	return true;
}

/* Everything a pipe holds now, without waiting for more. */
static void drain(int from, int to)
{
	char buffer[65536];
	ssize_t n;

	fcntl(from, F_SETFL, O_NONBLOCK);
	while ((n = read(from, buffer, sizeof(buffer))) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0)
			write_all(to, buffer, (size_t)n);
	}
}

/* As process 1, init reaps every orphan too. True when the command itself was reaped. */
static bool reap(int signal_fd, pid_t child, int *child_status)
{
	struct signalfd_siginfo info;
	bool done = false;
	pid_t reaped;
	int status;

	while (read(signal_fd, &info, sizeof(info)) > 0)
		;
	while ((reaped = waitpid(-1, &status, WNOHANG)) > 0) {
		if (reaped == child) {
			done = true;
			*child_status = status;
		}
	}
	return done;
}

/*
 * With -t the command's three are the far end of a pseudo-terminal; init reads its output from
 * the near end as from the output pipe, and writes lvmm's input into it through a copy of it
 * (which the input's end closes, as it would the input pipe's). Its stderr port goes unused.
 */
static void terminal_for_command(const struct sandbox_spec *spec, int output[2], int error[2],
				 int input[2])
{
	char err[256];
	int far_end, near_end = sandbox_terminal_open(spec->terminal_rows, spec->terminal_columns,
						      &far_end, err, sizeof(err));

	if (near_end < 0)
		fail("%s", err);
	output[0] = near_end;
	output[1] = error[1] = input[0] = far_end;
	error[0] = -1;
	if (!spec->input_forwarded)
		return; /* -tt without input: nothing is ever typed on it */
	input[1] = fcntl(near_end, F_DUPFD_CLOEXEC, 0);
	if (input[1] < 0)
		fail("copying the pseudo-terminal's descriptor failed: %s", strerror(errno));
}

static void run_and_report(const struct sandbox_spec *spec)
{
	int output[2], error[2], input[2] = { -1, -1 }, ports[2], signal_fd;
	bool open_ends[2] = { true, !spec->terminal }, child_done = false;
	struct input_relay command_input = { .pipe_fd = -1, .terminal_fd = -1 };
	int child_status = 0;
	sigset_t set;
	pid_t child;

	ports[0] = open_port(SANDBOX_PORT_STDOUT, O_WRONLY);
	ports[1] = open_port(SANDBOX_PORT_STDERR, O_WRONLY);
	if (spec->terminal)
		terminal_for_command(spec, output, error, input);
	else if (pipe2(output, O_CLOEXEC) < 0 || pipe2(error, O_CLOEXEC) < 0 ||
		 (spec->input_forwarded && pipe2(input, O_CLOEXEC) < 0))
		fail("creating the command's pipes failed: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (signal_fd < 0)
		fail("signalfd failed: %s", strerror(errno));
	trace("starting the command");
	child = fork();
	if (child < 0)
		fail("starting the command failed: %s", strerror(errno));
	if (child == 0) {
		/* dup2 clears close-on-exec on the copies it makes. */
		run_command(spec, input[0], output[1], error[1]);
	}
	close(output[1]);
	if (!spec->terminal)
		close(error[1]);
	if (spec->input_forwarded) {
		if (!spec->terminal)
			close(input[0]);
		fcntl(input[1], F_SETFL, O_NONBLOCK);
		command_input = (struct input_relay){ .pipe_fd = input[1], .active = true,
						      .terminal_fd = spec->terminal ? output[0] : -1 };
		write_all(control_fd, "input\n", 6);
	}
	while (!child_done) {
		struct pollfd fds[5] = {
			{ .fd = open_ends[0] ? output[0] : -1, .events = POLLIN },
			{ .fd = open_ends[1] ? error[0] : -1, .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = command_input.active && command_input.pending_length == 0 ? control_fd : -1,
			  .events = POLLIN },
			{ .fd = command_input.pending_length > 0 ? command_input.pipe_fd : -1, .events = POLLOUT },
		};

		if (poll(fds, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("waiting for the command failed: %s", strerror(errno));
		}
		for (int i = 0; i < 2; i++) {
			if (open_ends[i] && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				open_ends[i] = relay(i ? error[0] : output[0], ports[i]);
		}
		if (fds[3].revents & (POLLIN | POLLHUP | POLLERR))
			input_from_port(&command_input);
		if (fds[3].revents || (fds[4].revents & (POLLOUT | POLLERR | POLLHUP)))
			input_to_pipe(&command_input);
		if (fds[2].revents & POLLIN)
			child_done = reap(signal_fd, child, &child_status);
	}
	input_close(&command_input);
	trace("the command ended");
	/* A background process the command leaves behind may hold the pipes open forever: once
	 * the command itself has ended, what the pipes hold is relayed and no more is waited for. */
	for (int i = 0; i < 2; i++) {
		if (open_ends[i])
			drain(i ? error[0] : output[0], ports[i]);
	}
	tcdrain(ports[0]);
	tcdrain(ports[1]);
	/* The status ends the VM at once (lvmm does not wait for the power-off): what the
	 * command wrote to a disk reaches it first. */
	trace("output relayed");
	sync();
	trace("synced");
	if (WIFSIGNALED(child_status))
		dprintf(control_fd, "signal %d\n", WTERMSIG(child_status));
	else
		dprintf(control_fd, "exit %d\n", WEXITSTATUS(child_status));
}

/* The kernel leaves the loopback interface down, as every init finds it: a command's server
 * and client on 127.0.0.1 or ::1 need it up. Any socket takes the interface's ioctls; a kernel
 * without a network stack has no interface to bring up. */
static void loopback_up(void)
{
	struct ifreq request = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (ioctl(fd, SIOCGIFFLAGS, &request) == 0 && !(request.ifr_flags & IFF_UP)) {
		request.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &request) < 0)
			warn("bringing the loopback interface up failed: %s", strerror(errno));
	}
	close(fd);
}

/*
 * The host name, from the root's /etc/hostname as systemd sets it: its first line that is not
 * a comment, else systemd's fallback, localhost. With the host's root that is the host's name,
 * which its /etc/hosts resolves; the kernel's own, "(none)", no /etc/hosts does.
 */
static void set_hostname(void)
{
	char text[256], *name = NULL;
	size_t length = 0;

	if (read_small_file("/etc/hostname", text, sizeof(text))) {
		for (char *line = strtok(text, "\n"); line && !name; line = strtok(NULL, "\n")) {
			line += strspn(line, " \t");
			length = strcspn(line, " \t#");
			if (length && line[0] != '#')
				name = line;
		}
	}
	for (size_t i = 0; name && i < length; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			name = NULL;
	}
	if (!name || length > 64) {
		name = "localhost";
		length = strlen(name);
	}
	sethostname(name, length);
}

/* The links every init (udev, systemd) makes in /dev and devtmpfs does not: without them a
 * script's "echo ... > /dev/stderr" made a regular file there, and bash's <(...) failed. */
static void dev_links(void)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		symlink(links[i][0], links[i][1]);
}

static char *read_spec(size_t *size)
{
	int fd = open(SANDBOX_SPEC_PATH, O_RDONLY | O_CLOEXEC);
	char *bytes = malloc(SANDBOX_SPEC_MAX_BYTES);
	size_t total = 0;
	ssize_t n;

	if (fd < 0 || !bytes)
		fail("reading %s failed: %s", SANDBOX_SPEC_PATH, strerror(errno));
	while (total < SANDBOX_SPEC_MAX_BYTES &&
	       (n = read(fd, bytes + total, SANDBOX_SPEC_MAX_BYTES - total)) > 0)
		total += (size_t)n;
	close(fd);
	*size = total;
	return bytes;
}

void sandbox_init_main(void)
{
	struct sandbox_spec spec;
	char err[256];
	size_t size;
	char *bytes;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	dev_links();
	if (fcntl(2, F_GETFD) < 0)
		console_fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mount_or_fail("proc", "/proc", "proc", 0, NULL, NULL);
	mount_or_fail("sysfs", "/sys", "sysfs", 0, NULL, NULL);
	trace_begin();
	trace("started");
	bytes = read_spec(&size);
	if (sandbox_spec_decode(bytes, size, &spec, err, sizeof(err)))
		fail("%s", err);
	load_modules(&spec);
	trace("modules loaded");
	check_kernel();
	open_control_port();
	trace_flush_pending();
	trace("control port open");
	set_clock();
	trace("clock set");
	build_root(&spec);
	trace("root mounted");
	loopback_up();
	set_hostname();
	run_and_report(&spec);
	trace("status sent");
	power_off();
}
