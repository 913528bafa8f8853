#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "lvmm/exit_status.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a SIGSYS raised by a filter (asm-generic/siginfo.h) */
#endif

#define EVERY   CONFINE_EVERY
#define MAIN    CONFINE_FOR(CONFINE_MAIN)
#define VCPU    CONFINE_FOR(CONFINE_VCPU)
#define IO      CONFINE_FOR(CONFINE_IO)
#define FILES   CONFINE_FOR(CONFINE_FILE_SERVER)

#define CALL(kinds_, name_) { .kinds = (kinds_), .syscall = (name_) }
#define CALL_IF(kinds_, name_, what_, ...) \
	{ .kinds = (kinds_), .syscall = (name_), .what = (what_), .cond = { __VA_ARGS__ } }
#define ARG_EQ(arg_, value_) { .arg = (arg_), .op = CONFINE_EQ, .value = (uint64_t)(value_) }
#define ARG_MASKED(arg_, mask_, value_) \
	{ .arg = (arg_), .op = CONFINE_MASKED_EQ, .mask = (uint64_t)(mask_), .value = (uint64_t)(value_) }
#define ARG_OWN_PID(arg_) { .arg = (arg_), .op = CONFINE_EQ_OWN_PID }
#define ARG_CONTROL_DIRECTORY(arg_) { .arg = (arg_), .op = CONFINE_EQ_CONTROL_DIRECTORY }

static int control_directory_fd = -1;

void confine_set_control_directory(int fd)
{
	control_directory_fd = fd;
}
/* An ioctl by request number; the request's name is what lvmm(1) shows. */
#define IOCTL(kinds_, request_) CALL_IF(kinds_, "ioctl", #request_, ARG_EQ(1, request_))

/* O_TMPFILE carries O_DIRECTORY; only its own bit marks a file created. */
#define OPEN_CREATES (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))
#define THREAD_CLONE (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)

/*
 * The policy. Names are arm64's system calls (lvmm's only target; the native unit tests build
 * the same list for their own architecture). What uses each, where it is not obvious:
 * - every thread: locks and condition variables (futex); log lines (ppoll on stderr, write);
 *   the clock (clock_gettime, also in the vDSO); the kick signal's return (rt_sigreturn);
 *   glibc's malloc and thread exit (brk, mmap, munmap, mremap, madvise, rt_sigprocmask,
 *   exit); abort() (tgkill of lvmm's own SIGABRT); a stop and continue (restart_syscall); the
 *   terminal restored on the way out after a violation (TCSETSF on standard input).
 * - the main thread sets up each boot, reboots included: /dev/kvm, the payloads, the disks
 *   (openat, fstat, fcntl for the disk lock, BLKGETSIZE64), eventfds, the KVM requests of
 *   vm.c, arm/ and pvsched/, the threads (clone, their own filters, glibc's per-thread
 *   set_robust_list and rseq), the kick (tgkill SIGUSR1), the event loop (ppoll, read of
 *   stdin, the signalfd and eventfds; isatty, TCGETS; TIOCGWINSZ for lvmm sandbox -t) and the KASLR seed (getrandom).
 * - vCPU threads: KVM_RUN and their exits: MMIO to devices (eventfd writes, KVM_IRQ_LINE for
 *   the UART), PV sched hypercalls (x0/x1 through ONE_REG, the guest's structure through the
 *   vCPU's device attributes, a kick is an eventfd write), log lines.
 * - I/O threads: their queues' eventfds (ppoll, read), interrupts (eventfd writes), the disk
 *   (preadv, pwritev, pwrite64 for zeroes, fallocate, fdatasync) and the rng (getrandom).
 * - 9p server threads (a virtio-9p share's I/O thread): their queue as the I/O threads, and
 *   the share's files (hw/p9_server*.c): openat2 beneath the share's root (nothing else opens
 *   a file), fstat and fstatat (newfstatat), fstatfs, close; readdir (lseek, getdents64); I/O
 *   (preadv, pwritev, fsync, fdatasync); the *at calls on a directory and one name
 *   (mkdirat, symlinkat, mknodat, linkat, unlinkat, renameat2, readlinkat, fchownat,
 *   utimensat, fchmodat2); on an open file (fchmod, ftruncate, and futimens: utimensat).
 * - the console output thread: only what every thread has (write to stdout, ppoll on it).
 */
static const struct confine_rule core_rules[] = {
	CALL(EVERY, "exit"),
	CALL(EVERY, "exit_group"),
	CALL(EVERY, "futex"),
	CALL(EVERY, "restart_syscall"),
	CALL(EVERY, "rt_sigreturn"),
	CALL(EVERY, "rt_sigprocmask"),
	CALL(EVERY, "write"),
	CALL(EVERY, "ppoll"),
	CALL(EVERY, "clock_gettime"),
	CALL(EVERY, "getpid"),
	CALL(EVERY, "gettid"),
	CALL_IF(EVERY, "tgkill", "SIGABRT to lvmm itself", ARG_OWN_PID(0), ARG_EQ(2, SIGABRT)),
	CALL_IF(EVERY, "ioctl", "TCSETSF on standard input", ARG_EQ(0, STDIN_FILENO), ARG_EQ(1, TCSETSF)),
	CALL(EVERY, "brk"),
	CALL_IF(EVERY, "mmap", "without PROT_EXEC", ARG_MASKED(2, PROT_EXEC, 0)),
	CALL_IF(EVERY, "mprotect", "without PROT_EXEC", ARG_MASKED(2, PROT_EXEC, 0)),
	CALL(EVERY, "munmap"),
	CALL(EVERY, "mremap"),
	CALL(EVERY, "madvise"),

	CALL(MAIN | IO | FILES, "read"),
	CALL_IF(MAIN, "openat", "without O_CREAT or O_TMPFILE", ARG_MASKED(2, OPEN_CREATES, 0)),
	{ .kinds = MAIN, .syscall = "openat", .what = "any flags with --dump-dtb",
	  .only_with_dump_dtb = true },
	CALL(MAIN, "close"),
	CALL(MAIN, "fstat"),
	CALL(MAIN, "newfstatat"),
	CALL(MAIN, "eventfd2"),
	CALL_IF(MAIN, "clone", "threads only: CLONE_VM, CLONE_SIGHAND and CLONE_THREAD",
		ARG_MASKED(0, THREAD_CLONE, THREAD_CLONE)),
	/* Its flags are out of a filter's reach (in memory): ENOSYS makes glibc use clone. */
	{ .kinds = MAIN, .syscall = "clone3", .what = "fails with ENOSYS, so glibc uses clone",
	  .fail_errno = ENOSYS },
	/* --vcpu-affinity: lvmm's own CPUs checked once; glibc pins each new vCPU thread from
	 * the thread that creates it. */
	CALL_IF(MAIN, "sched_getaffinity", "of lvmm itself", ARG_EQ(0, 0)),
	CALL(MAIN, "sched_setaffinity"),
	CALL(MAIN, "rt_sigpending"), /* a stop signal while a payload decompresses */
	/* The control socket (vmm/control_socket.c): connections, the peer's uid, one request and
	 * one reply each, and the socket's removal on exit. */
	CALL(MAIN, "accept4"),
	CALL_IF(MAIN, "getsockopt", "SO_PEERCRED", ARG_EQ(1, SOL_SOCKET), ARG_EQ(2, SO_PEERCRED)),
	CALL(MAIN, "recvfrom"),
	CALL(MAIN, "sendto"),
	CALL_IF(MAIN, "unlinkat", "in the control socket's directory only",
		ARG_CONTROL_DIRECTORY(0)),
	CALL(MAIN, "set_robust_list"),
	CALL(MAIN, "rseq"),
	CALL_IF(MAIN, "fcntl", "F_SETFL", ARG_EQ(1, F_SETFL)),
	CALL_IF(MAIN, "fcntl", "F_OFD_GETLK", ARG_EQ(1, F_OFD_GETLK)),
	CALL_IF(MAIN, "fcntl", "F_OFD_SETLK", ARG_EQ(1, F_OFD_SETLK)),
	CALL(MAIN | IO, "getrandom"),
	CALL_IF(MAIN, "seccomp", "SECCOMP_SET_MODE_FILTER: a new thread's own filter",
		ARG_EQ(0, SECCOMP_SET_MODE_FILTER)),
	CALL_IF(MAIN, "tgkill", "SIGUSR1 to lvmm's own threads", ARG_OWN_PID(0), ARG_EQ(2, SIGUSR1)),
	IOCTL(MAIN, KVM_GET_API_VERSION),
	IOCTL(MAIN, KVM_CHECK_EXTENSION),
	IOCTL(MAIN, KVM_CREATE_VM),
	IOCTL(MAIN, KVM_GET_VCPU_MMAP_SIZE),
	IOCTL(MAIN, KVM_CREATE_VCPU),
	IOCTL(MAIN, KVM_SET_USER_MEMORY_REGION),
	IOCTL(MAIN, KVM_CREATE_DEVICE),
	IOCTL(MAIN, KVM_HAS_DEVICE_ATTR),
	IOCTL(MAIN, KVM_ENABLE_CAP),
	IOCTL(MAIN, KVM_IRQFD),
	IOCTL(MAIN, KVM_IOEVENTFD),
	IOCTL(VCPU, KVM_RUN),
	IOCTL(MAIN | VCPU, KVM_GET_ONE_REG),
	IOCTL(MAIN | VCPU, KVM_SET_ONE_REG),
	IOCTL(MAIN | VCPU, KVM_GET_DEVICE_ATTR),
	IOCTL(MAIN | VCPU, KVM_SET_DEVICE_ATTR),
	IOCTL(MAIN | VCPU, KVM_IRQ_LINE),
	IOCTL(MAIN, BLKGETSIZE64),
	IOCTL(MAIN, TCGETS),
	IOCTL(MAIN, TIOCGWINSZ), /* lvmm sandbox -t: the terminal's size, at SIGWINCH */

	CALL(IO | FILES, "preadv"),
	CALL(IO | FILES, "pwritev"),
	CALL(IO, "pwrite64"),
	CALL(IO, "fallocate"),
	CALL(IO | FILES, "fdatasync"),

	CALL(FILES, "openat2"),
	CALL(FILES, "close"),
	CALL(FILES, "newfstatat"),
	CALL(FILES, "fstatfs"),
	CALL(FILES, "lseek"),
	CALL(FILES, "getdents64"),
	CALL(FILES, "fsync"),
	CALL(FILES, "mkdirat"),
	CALL(FILES, "symlinkat"),
	CALL(FILES, "mknodat"),
	CALL(FILES, "linkat"),
	CALL(FILES, "unlinkat"),
	CALL(FILES, "renameat2"),
	CALL(FILES, "readlinkat"),
	CALL(FILES, "fchownat"),
	CALL(FILES, "utimensat"),
	CALL(FILES, "fchmodat2"),
	CALL(FILES, "fchmod"),
	CALL(FILES, "ftruncate"),
};

#define CORE_RULE_COUNT (sizeof(core_rules) / sizeof(core_rules[0]))

unsigned int confine_rule_total(void)
{
	return (unsigned int)CORE_RULE_COUNT + arch_confine_rule_count;
}

const struct confine_rule *confine_rule_at(unsigned int index)
{
	if (index < CORE_RULE_COUNT)
		return &core_rules[index];
	index -= (unsigned int)CORE_RULE_COUNT;
	return index < arch_confine_rule_count ? &arch_confine_rules[index] : NULL;
}

/* The main thread's filter is the ceiling of every thread: it holds every rule, but the 9p
 * server's own calls (openat2 among them, whose flags a filter cannot see) only in a run that
 * has shares. */
static bool rule_in_filter(const struct confine_rule *rule, enum confine_kind kind,
			   unsigned int options)
{
	if (rule->only_with_dump_dtb && !(options & CONFINE_WITH_DUMP_DTB))
		return false;
	if (kind == CONFINE_MAIN && rule->kinds == FILES && !(options & CONFINE_WITH_SHARES))
		return false;
	return kind == CONFINE_MAIN || (rule->kinds & CONFINE_FOR(kind));
}

bool confine_allows(enum confine_kind kind, const char *syscall, unsigned int options)
{
	for (unsigned int i = 0; i < confine_rule_total(); i++) {
		const struct confine_rule *rule = confine_rule_at(i);

		if (!rule->fail_errno && strcmp(rule->syscall, syscall) == 0 &&
		    rule_in_filter(rule, kind, options))
			return true;
	}
	return false;
}

const char *confine_kind_name(enum confine_kind kind)
{
	static const char *const names[CONFINE_KINDS] = {
		[CONFINE_MAIN] = "main", [CONFINE_VCPU] = "vCPU", [CONFINE_IO] = "I/O",
		[CONFINE_FILE_SERVER] = "9p server", [CONFINE_CONSOLE_OUTPUT] = "console output",
	};

	return (unsigned int)kind < CONFINE_KINDS ? names[kind] : "starting";
}

static int filter_fail(char *err, size_t err_size, enum confine_kind kind, const char *what, int rc)
{
	snprintf(err, err_size, "building the seccomp filter of the %s thread failed (%s: %s)",
		 confine_kind_name(kind), what, strerror(rc < 0 ? -rc : rc));
	return -1;
}

static int filter_add(scmp_filter_ctx ctx, const struct confine_rule *rule, pid_t pid)
{
	struct scmp_arg_cmp cmp[2];
	unsigned int count = 0;
	int number = seccomp_syscall_resolve_name(rule->syscall);

	if (number < 0)
		return -ENOSYS; /* no such call on this architecture */
	for (unsigned int i = 0; i < 2; i++) {
		const struct confine_cond *cond = &rule->cond[i];

		switch (cond->op) {
		case CONFINE_EQ:
			cmp[count++] = (struct scmp_arg_cmp){ cond->arg, SCMP_CMP_EQ, cond->value, 0 };
			break;
		case CONFINE_MASKED_EQ:
			cmp[count++] = (struct scmp_arg_cmp){ cond->arg, SCMP_CMP_MASKED_EQ, cond->mask,
							      cond->value };
			break;
		case CONFINE_EQ_CONTROL_DIRECTORY:
			if (control_directory_fd < 0)
				return 0; /* no control socket: no such call */
			cmp[count++] = (struct scmp_arg_cmp){ cond->arg, SCMP_CMP_EQ,
							      (uint64_t)control_directory_fd, 0 };
			break;
		case CONFINE_EQ_OWN_PID:
			cmp[count++] = (struct scmp_arg_cmp){ cond->arg, SCMP_CMP_EQ, (uint64_t)pid, 0 };
			break;
		default:
			break;
		}
	}
	return seccomp_rule_add_array(ctx, rule->fail_errno ? SCMP_ACT_ERRNO((uint32_t)rule->fail_errno) :
						  SCMP_ACT_ALLOW,
				      number, count, cmp);
}

/* libseccomp 2.5 writes a filter's BPF only to a file descriptor: a memfd, read back. */
static int filter_export(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int fd = memfd_create("lvmm-seccomp", MFD_CLOEXEC);
	struct sock_filter *code = NULL;
	off_t size;
	int rc;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc == 0) {
		size = lseek(fd, 0, SEEK_END);
		if (size <= 0 || size % (off_t)sizeof(*code) || size / (off_t)sizeof(*code) > BPF_MAXINSNS)
			rc = -E2BIG;
	}
	if (rc == 0 && !(code = malloc((size_t)size)))
		rc = -ENOMEM;
	if (rc == 0 && pread(fd, code, (size_t)size, 0) != size)
		rc = -EIO;
	close(fd);
	if (rc) {
		free(code);
		return rc;
	}
	prog->filter = code;
	prog->len = (unsigned short)(size / (off_t)sizeof(*code));
	return 0;
}

int confine_build(enum confine_kind kind, unsigned int options, struct sock_fprog *prog, char *err,
		  size_t err_size)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	pid_t pid = getpid();
	int rc;

	if (!ctx)
		return filter_fail(err, err_size, kind, "seccomp_init", ENOMEM);
	/* Another architecture's calls (a 32-bit ABI) are as forbidden as unlisted ones; the
	 * binary tree keeps KVM_RUN's path short whatever the list's length. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc) {
		seccomp_release(ctx);
		return filter_fail(err, err_size, kind, "seccomp_attr_set", rc);
	}
	for (unsigned int i = 0; i < confine_rule_total(); i++) {
		const struct confine_rule *rule = confine_rule_at(i);

		if (!rule_in_filter(rule, kind, options))
			continue;
		rc = filter_add(ctx, rule, pid);
		if (rc && rc != -EEXIST) {
			seccomp_release(ctx);
			return filter_fail(err, err_size, kind, rule->syscall, rc);
		}
	}
	rc = filter_export(ctx, prog);
	seccomp_release(ctx);
	return rc ? filter_fail(err, err_size, kind, "exporting the BPF", rc) : 0;
}

/* ---- the process's filters, the violation handler and the test trigger -------------------- */

/* Names of the native architecture's calls by number, for the violation line: looked up here,
 * once, as the SIGSYS handler cannot allocate. */
#define NAME_SLOTS 512

static struct {
	bool enabled;
	int test_violation;        /* a kind, or -1 */
	uint32_t native_arch;
	struct sock_fprog programs[CONFINE_KINDS];
	const char *names[NAME_SLOTS];
} confine = { .test_violation = -1 };

static __thread int current_kind = -1;

static size_t put(char *out, size_t size, size_t at, const char *text)
{
	for (; *text; text++, at++)
		if (at + 1 < size)
			out[at] = *text;
	if (size)
		out[at < size ? at : size - 1] = '\0';
	return at;
}

static size_t put_number(char *out, size_t size, size_t at, long number)
{
	char digits[24];
	unsigned long value = number < 0 ? 0UL - (unsigned long)number : (unsigned long)number;
	int n = (int)sizeof(digits) - 1;

	digits[n] = '\0';
	do {
		digits[--n] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	if (number < 0)
		digits[--n] = '-';
	return put(out, size, at, digits + n);
}

size_t confine_violation_message(char *out, size_t size, const char *thread, long number,
				 const char *name)
{
	size_t at = put(out, size, 0, "lvmm: seccomp: the ");

	at = put(out, size, at, thread);
	at = put(out, size, at, " thread made system call ");
	at = put_number(out, size, at, number);
	if (name) {
		at = put(out, size, at, " (");
		at = put(out, size, at, name);
		at = put(out, size, at, ")");
	}
	at = put(out, size, at, ", which its filter forbids; exiting with status ");
	at = put_number(out, size, at, EXIT_SECCOMP_VIOLATION);
	at = put(out, size, at, " (see SECCOMP in lvmm(1); --no-seccomp runs without the filter)\n");
	return at < size ? at : size ? size - 1 : 0;
}

static void confine_sigsys(int signo, siginfo_t *info, void *context)
{
	char line[320];
	const char *name = NULL;
	int number = info->si_syscall;
	size_t n;

	(void)signo;
	(void)context;
	if (info->si_code != SYS_SECCOMP) { /* sent by someone, not raised by a filter */
		n = put(line, sizeof(line), 0, "lvmm: stopped by SIGSYS\n");
		syscall(SYS_write, STDERR_FILENO, line, n);
		console_terminal_restore();
		syscall(SYS_exit_group, 128 + SIGSYS);
	}
	if (info->si_arch == confine.native_arch && number >= 0 && number < NAME_SLOTS)
		name = confine.names[number];
	n = confine_violation_message(line, sizeof(line), confine_kind_name(current_kind), number,
				      name);
	/* Raw calls: nothing between the violation and the exit but what every filter allows. */
	syscall(SYS_write, STDERR_FILENO, line, n);
	console_terminal_restore();
	syscall(SYS_exit_group, EXIT_SECCOMP_VIOLATION);
}

static int test_violation_kind(void)
{
	static const char *const values[CONFINE_KINDS] = {
		[CONFINE_MAIN] = "main", [CONFINE_VCPU] = "vcpu", [CONFINE_IO] = "io",
		[CONFINE_FILE_SERVER] = "9p-server", [CONFINE_CONSOLE_OUTPUT] = "console-output",
	};
	const char *value = getenv("LVMM_SECCOMP_TEST_VIOLATION");

	for (int kind = 0; value && kind < CONFINE_KINDS; kind++)
		if (strcmp(value, values[kind]) == 0)
			return kind;
	return -1;
}

int confine_setup(bool enable, unsigned int options, char *err, size_t err_size)
{
	struct sigaction action;

	confine.test_violation = test_violation_kind();
	if (!enable)
		return 0;
	for (int kind = 0; kind < CONFINE_KINDS; kind++) {
		free(confine.programs[kind].filter);
		confine.programs[kind].filter = NULL;
		if (confine_build((enum confine_kind)kind, options, &confine.programs[kind], err,
				  err_size))
			return -1;
	}
	confine.native_arch = seccomp_arch_native();
	for (int number = 0; number < NAME_SLOTS; number++)
		if (!confine.names[number])
			confine.names[number] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
										 number);
	/* One arena for every thread: a thread's own arena would be created, and shrunk (glibc
	 * reads /proc/sys/vm/overcommit_memory then), under that thread's filter. */
	mallopt(M_ARENA_MAX, 1);
	memset(&action, 0, sizeof(action));
	action.sa_sigaction = confine_sigsys;
	action.sa_flags = SA_SIGINFO;
	sigfillset(&action.sa_mask);
	if (sigaction(SIGSYS, &action, NULL) < 0) {
		snprintf(err, err_size, "installing the seccomp violation handler failed: %s",
			 strerror(errno));
		return -1;
	}
	confine.enabled = true;
	return 0;
}

/* LVMM_SECCOMP_TEST_VIOLATION: a call no filter allows, harmless where none stops it. */
static void confine_test_violation(enum confine_kind kind)
{
	char *const none[] = { NULL };
	long ret = syscall(SYS_execve, "", none, none);

	log_warning("LVMM_SECCOMP_TEST_VIOLATION: the %s thread called execve and was not stopped (%s): no seccomp filter",
		    confine_kind_name(kind), ret < 0 ? strerror(errno) : "it returned");
}

/* The first thread that fails says why and ends lvmm; one failing at the same time (the main
 * thread and the console output thread, on a kernel without filters) waits for that end rather
 * than cut the line short. */
static void confine_failed(enum confine_kind kind, int err)
{
	static atomic_flag failing = ATOMIC_FLAG_INIT;

	if (atomic_flag_test_and_set(&failing))
		for (;;)
			ppoll(NULL, 0, NULL, NULL);
	if (err == EINVAL || err == ENOSYS)
		log_error("this host kernel cannot confine lvmm with a seccomp filter (%s): it needs CONFIG_SECCOMP_FILTER; --no-seccomp runs lvmm unconfined",
			  strerror(err));
	else
		log_error("the %s thread cannot install its seccomp filter: %s", confine_kind_name(kind),
			  strerror(err));
	console_terminal_restore();
	_exit(EXIT_LVMM_ERROR);
}

void confine_thread(enum confine_kind kind)
{
	if (confine.enabled) {
		current_kind = kind;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &confine.programs[kind]) < 0)
			confine_failed(kind, errno);
	}
	if (confine.test_violation == (int)kind)
		confine_test_violation(kind);
}

/* ---- the lists as lvmm(1) gives them -------------------------------------------------------- */

struct text {
	char *out;
	size_t size;
	size_t at;
	size_t column;
	bool roff;
};

static void text_raw(struct text *text, const char *bytes)
{
	for (; *bytes; bytes++) {
		/* roff: a minus sign, as a command line needs it, not a hyphen */
		if (*bytes == '-' && text->roff) {
			if (text->at + 1 < text->size)
				text->out[text->at] = '\\';
			text->at++;
			text->column++;
		}
		if (text->at + 1 < text->size)
			text->out[text->at] = *bytes;
		text->at++;
		text->column = *bytes == '\n' ? 0 : text->column + 1;
	}
	if (text->size)
		text->out[text->at < text->size ? text->at : text->size - 1] = '\0';
}

/* A word, wrapped before the line would pass 96 columns (roff) or 78 (text, indented). */
static void text_word(struct text *text, const char *word, bool space_before)
{
	size_t limit = text->roff ? 96 : 78;

	if (text->column > 0 && text->column + strlen(word) + 1 > limit) {
		text_raw(text, text->roff ? "\n" : "\n   ");
		space_before = false;
	} else if (text->column == 0 && !text->roff) {
		text_raw(text, "   ");
		space_before = false;
	}
	if (space_before)
		text_raw(text, " ");
	text_raw(text, word);
}

/* Breaks a phrase into words for text_word. */
static void text_words(struct text *text, const char *phrase, bool space_before)
{
	char word[128];

	while (*phrase) {
		size_t n = strcspn(phrase, " ");

		if (n >= sizeof(word))
			n = sizeof(word) - 1;
		memcpy(word, phrase, n);
		word[n] = '\0';
		text_word(text, word, space_before);
		space_before = true;
		phrase += n;
		phrase += strspn(phrase, " ");
	}
}

static bool in_section(const struct confine_rule *rule, int section)
{
	if (section < 0)
		return rule->kinds == CONFINE_EVERY;
	return rule->kinds != CONFINE_EVERY && (rule->kinds & CONFINE_FOR(section));
}

/* One section: each call once, in the order of the table, with its conditions. */
static void describe_section(struct text *text, int section)
{
	unsigned int total = confine_rule_total();
	bool first = true;

	for (unsigned int i = 0; i < total; i++) {
		const struct confine_rule *rule = confine_rule_at(i);
		bool seen = false, any_arguments = false, open = false;
		char item[160];

		if (!in_section(rule, section))
			continue;
		for (unsigned int j = 0; j < i && !seen; j++)
			seen = in_section(confine_rule_at(j), section) &&
			       strcmp(confine_rule_at(j)->syscall, rule->syscall) == 0;
		if (seen)
			continue;
		for (unsigned int j = i; j < total; j++) {
			const struct confine_rule *other = confine_rule_at(j);

			if (in_section(other, section) && strcmp(other->syscall, rule->syscall) == 0 &&
			    !other->what)
				any_arguments = true;
		}
		if (!first)
			text_raw(text, ",");
		text_word(text, rule->syscall, !first);
		first = false;
		if (any_arguments)
			continue;
		for (unsigned int j = i; j < total; j++) {
			const struct confine_rule *other = confine_rule_at(j);

			if (!in_section(other, section) || strcmp(other->syscall, rule->syscall) != 0)
				continue;
			snprintf(item, sizeof(item), "%s%s", open ? "" : "(", other->what);
			if (open)
				text_raw(text, ",");
			text_words(text, item, true);
			open = true;
		}
		text_raw(text, ")");
	}
	if (first)
		text_words(text, "nothing more", false);
	text_raw(text, "\n");
}

size_t confine_describe(char *out, size_t size, bool roff)
{
	static const char *const headings[CONFINE_KINDS] = {
		[CONFINE_MAIN] = "main thread",
		[CONFINE_VCPU] = "vCPU threads",
		[CONFINE_IO] = "I/O threads",
		[CONFINE_FILE_SERVER] = "9p server threads",
		[CONFINE_CONSOLE_OUTPUT] = "console output thread",
	};
	struct text text = { .out = out, .size = size, .roff = roff };

	if (size)
		out[0] = '\0';
	for (int section = -1; section < CONFINE_KINDS; section++) {
		const char *heading = section < 0 ? "every thread" : headings[section];

		text_raw(&text, roff ? ".TP\n.B " : "");
		text_raw(&text, heading);
		text_raw(&text, roff ? "\n" : ":\n");
		describe_section(&text, section);
	}
	return text.at;
}
