/*
 * The seccomp policy (vmm/confine.c): its lists, the filters libseccomp builds from them, and,
 * in forked children that install them for real, what they let through and what they stop
 * (status 7 and one line naming the call). Built for the native architecture, where the
 * names resolve to this machine's numbers; the names are also checked against arm64's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_process.h"
#include "unit_test.h"

#define EVERY_OPTION (CONFINE_WITH_DUMP_DTB | CONFINE_WITH_SHARES)
#include "lvmm/exit_status.h"
#include "vmm/confine.h"

TEST(confine_every_name_is_an_arm64_call)
{
	for (unsigned int i = 0; i < confine_rule_total(); i++) {
		const struct confine_rule *rule = confine_rule_at(i);

		if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, rule->syscall) < 0)
			unit_test_fail(__FILE__, __LINE__, "'%s' is no arm64 system call", rule->syscall);
		if (seccomp_syscall_resolve_name(rule->syscall) < 0)
			unit_test_fail(__FILE__, __LINE__, "'%s' is no system call here", rule->syscall);
		EXPECT_TRUE(rule->kinds != 0 && (rule->kinds & ~CONFINE_EVERY) == 0);
		for (unsigned int c = 0; c < 2; c++)
			EXPECT_TRUE(rule->cond[c].op == CONFINE_ANY || rule->what != NULL);
	}
	EXPECT_TRUE(confine_rule_at(confine_rule_total()) == NULL);
}

/* What no thread may do, what only the main thread may, and what only the 9p server threads
 * may (and the main thread, whose filter is every thread's ceiling). */
TEST(confine_lists_keep_out_what_lvmm_never_does)
{
	static const char *const never[] = {
		"execve", "execveat", "socket", "connect", "bind", "ptrace", "process_vm_writev",
		"kill", "rt_sigaction", "sigaltstack", "prctl", "mount", "setuid", "chmod",
		"fchmodat", "memfd_create", "io_uring_setup", "bpf", "perf_event_open", "clone3",
		"open_by_handle_at", "name_to_handle_at", "chroot", "pivot_root", "fchdir",
	};
	static const char *const main_only[] = {
		"openat", "clone", "eventfd2", "fcntl", "seccomp",
	};
	static const char *const file_server_only[] = {
		"openat2", "close", "newfstatat", "unlinkat", "renameat2", "fchmod", "fchmodat2",
		"mkdirat", "symlinkat", "linkat", "mknodat", "fchownat", "utimensat", "ftruncate",
		"getdents64",
	};

	for (int kind = 0; kind < CONFINE_KINDS; kind++)
		for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
			if (confine_allows((enum confine_kind)kind, never[i], EVERY_OPTION))
				unit_test_fail(__FILE__, __LINE__, "the %s thread may call %s",
					       confine_kind_name((enum confine_kind)kind), never[i]);
	for (int kind = CONFINE_VCPU; kind < CONFINE_KINDS; kind++)
		for (size_t i = 0; i < sizeof(main_only) / sizeof(main_only[0]); i++)
			if (confine_allows((enum confine_kind)kind, main_only[i], EVERY_OPTION))
				unit_test_fail(__FILE__, __LINE__, "the %s thread may call %s",
					       confine_kind_name((enum confine_kind)kind), main_only[i]);
	for (int kind = CONFINE_VCPU; kind < CONFINE_KINDS; kind++)
		for (size_t i = 0; i < sizeof(file_server_only) / sizeof(file_server_only[0]); i++)
			if (confine_allows((enum confine_kind)kind, file_server_only[i], EVERY_OPTION) !=
			    (kind == CONFINE_FILE_SERVER))
				unit_test_fail(__FILE__, __LINE__, "the %s thread %s call %s",
					       confine_kind_name((enum confine_kind)kind),
					       kind == CONFINE_FILE_SERVER ? "may not" : "may",
					       file_server_only[i]);
	/* The ceiling has the 9p server's calls only when there are shares to serve. */
	for (size_t i = 0; i < sizeof(file_server_only) / sizeof(file_server_only[0]); i++) {
		/* close and newfstatat the main thread makes itself, and unlinkat of its control
		 * socket (in that directory only: an argument condition). */
		bool main_own = strcmp(file_server_only[i], "close") == 0 ||
				strcmp(file_server_only[i], "newfstatat") == 0 ||
				strcmp(file_server_only[i], "unlinkat") == 0;

		EXPECT_EQ(confine_allows(CONFINE_MAIN, file_server_only[i], CONFINE_WITH_DUMP_DTB), main_own);
		EXPECT_TRUE(confine_allows(CONFINE_MAIN, file_server_only[i], CONFINE_WITH_SHARES));
	}
	EXPECT_TRUE(confine_allows(CONFINE_MAIN, "read", 0)); /* shared with others: always */
	EXPECT_TRUE(confine_allows(CONFINE_VCPU, "ioctl", false));
	EXPECT_FALSE(confine_allows(CONFINE_VCPU, "read", false));
	EXPECT_TRUE(confine_allows(CONFINE_IO, "preadv", false));
	EXPECT_TRUE(confine_allows(CONFINE_FILE_SERVER, "preadv", false));
	EXPECT_FALSE(confine_allows(CONFINE_FILE_SERVER, "getrandom", false));
	EXPECT_FALSE(confine_allows(CONFINE_CONSOLE_OUTPUT, "read", false));
	/* The main thread's filter is every thread's ceiling: it holds all their calls. */
	EXPECT_TRUE(confine_allows(CONFINE_MAIN, "preadv", false));
	EXPECT_TRUE(confine_allows(CONFINE_MAIN, "fdatasync", false));
	EXPECT_TRUE(confine_allows(CONFINE_MAIN, "openat2", CONFINE_WITH_SHARES));
}

TEST(confine_filters_build_for_every_kind)
{
	char err[256];

	for (int kind = 0; kind < CONFINE_KINDS; kind++) {
		for (int dump_dtb = 0; dump_dtb < 2; dump_dtb++) {
			struct sock_fprog prog = { 0 };

			err[0] = '\0';
			EXPECT_EQ(confine_build((enum confine_kind)kind, dump_dtb, &prog, err, sizeof(err)), 0);
			EXPECT_STR_EQ(err, "");
			EXPECT_TRUE(prog.len > 10 && prog.len <= BPF_MAXINSNS && prog.filter);
			free(prog.filter);
		}
	}
}

TEST(confine_violation_message_is_one_line)
{
	char line[320], small[24];
	size_t n = confine_violation_message(line, sizeof(line), "vCPU", 221, "execve");

	EXPECT_STR_EQ(line, "lvmm: seccomp: the vCPU thread made system call 221 (execve), which its filter forbids; exiting with status 7 (see SECCOMP in lvmm(1); --no-seccomp runs without the filter)\n");
	EXPECT_EQ(n, strlen(line));
	confine_violation_message(line, sizeof(line), "I/O", 1234, NULL);
	EXPECT_CONTAINS(line, "the I/O thread made system call 1234, which");
	n = confine_violation_message(small, sizeof(small), "main", -1, NULL);
	EXPECT_EQ(n, sizeof(small) - 1);
	EXPECT_STR_EQ(small, "lvmm: seccomp: the main");
}

/* lvmm(1)'s SECCOMP lists are the code's, line for line. */
TEST(confine_man_page_lists_match_the_code)
{
	static char page[131072];
	char *want, *begin, *end;
	size_t size = confine_describe(NULL, 0, true) + 1, n;
	FILE *file = fopen("man/lvmm.1", "r");

	if (!file) {
		unit_test_fail(__FILE__, __LINE__, "man/lvmm.1: %s (run the unit tests from the top of the tree)",
			       strerror(errno));
		return;
	}
	n = fread(page, 1, sizeof(page) - 1, file);
	fclose(file);
	page[n] = '\0';
	want = malloc(size);
	confine_describe(want, size, true);
	begin = strstr(page, ".\\\" seccomp-lists-begin\n");
	end = strstr(page, ".\\\" seccomp-lists-end\n");
	if (!begin || !end || end < begin) {
		unit_test_fail(__FILE__, __LINE__, "man/lvmm.1 has no seccomp-lists-begin/end markers");
	} else {
		begin += strlen(".\\\" seccomp-lists-begin\n");
		*end = '\0';
		if (strcmp(begin, want) != 0)
			unit_test_fail(__FILE__, __LINE__, "man/lvmm.1's seccomp lists differ from the code's; they should read:\n%s",
				       want);
	}
	free(want);
}

TEST(confine_text_listing_names_every_kind)
{
	char text[8192];
	size_t n = confine_describe(text, sizeof(text), false);

	EXPECT_TRUE(n < sizeof(text));
	EXPECT_CONTAINS(text, "every thread:\n");
	EXPECT_CONTAINS(text, "main thread:\n");
	EXPECT_CONTAINS(text, "vCPU threads:\n   ioctl (KVM_RUN, KVM_GET_ONE_REG,");
	EXPECT_CONTAINS(text, "console output thread:\n   nothing more\n");
}

/* ---- filters installed for real, in a child process -------------------------------------- */

/* The tests' bodies take no context: run_child's is unused here. */
static void (*plain_body)(void);

static void call_plain_body(void *context)
{
	(void)context;
	plain_body();
}

static void run_plain_child(void (*body)(void), struct child_result *result)
{
	plain_body = body;
	run_child(call_plain_body, NULL, result);
}

static void child_setup(bool dump_dtb, enum confine_kind kind)
{
	char err[256];

	if (confine_setup(true, dump_dtb, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		child_exit(99);
	}
	/* As in lvmm: the main thread's filter first; a thread started later adds its own. */
	confine_thread(CONFINE_MAIN);
	if (kind != CONFINE_MAIN)
		confine_thread(kind);
}

static void say(const char *text)
{
	syscall(SYS_write, STDERR_FILENO, text, strlen(text));
}

static void vcpu_allowed(void)
{
	struct kvm_one_reg reg = { 0 };
	uint64_t one = 1;

	child_setup(false, CONFINE_VCPU);
	syscall(SYS_getpid);
	syscall(SYS_gettid);
	if (syscall(SYS_ioctl, -1, KVM_RUN, 0) == 0 || errno != EBADF)
		child_exit(10);
	if (syscall(SYS_ioctl, -1, KVM_GET_ONE_REG, &reg) == 0 || errno != EBADF)
		child_exit(11);
	if (syscall(SYS_write, -1, &one, sizeof(one)) == 0 || errno != EBADF)
		child_exit(12);
	say("vcpu alive\n");
}

TEST(confine_vcpu_filter_lets_its_calls_through)
{
	struct child_result result;

	run_plain_child(vcpu_allowed, &result);
	EXPECT_EQ(result.status, 0);
	EXPECT_STR_EQ(result.output, "vcpu alive\n");
}

static void vcpu_opens(void)
{
	child_setup(false, CONFINE_VCPU);
	syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
	say("not stopped\n");
}

static void vcpu_bad_ioctl(void)
{
	child_setup(false, CONFINE_VCPU);
	syscall(SYS_ioctl, -1, KVM_CREATE_VM, 0);
	say("not stopped\n");
}

static void vcpu_sti(void)
{
	char byte = 'x';

	child_setup(false, CONFINE_VCPU);
	syscall(SYS_ioctl, STDIN_FILENO, TIOCSTI, &byte);
	say("not stopped\n");
}

TEST(confine_vcpu_filter_stops_a_forbidden_call_with_one_line_and_status_7)
{
	struct child_result result;
	char want[128];

	run_plain_child(vcpu_opens, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	snprintf(want, sizeof(want), "lvmm: seccomp: the vCPU thread made system call %d (openat), which its filter forbids",
		 (int)SYS_openat);
	EXPECT_CONTAINS(result.output, want);
	EXPECT_TRUE(strchr(result.output, '\n') == result.output + strlen(result.output) - 1);
	/* An ioctl by request: the vCPU thread has KVM_RUN, not the main thread's set-up. */
	run_plain_child(vcpu_bad_ioctl, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	EXPECT_CONTAINS(result.output, "the vCPU thread made system call");
	EXPECT_CONTAINS(result.output, "(ioctl)");
	run_plain_child(vcpu_sti, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	EXPECT_CONTAINS(result.output, "(ioctl)");
}

static void main_opens(void)
{
	int fd;

	child_setup(false, CONFINE_MAIN);
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		child_exit(10);
	syscall(SYS_close, fd);
	/* clone3's flags are beyond a filter: it fails, so that glibc takes clone. */
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		child_exit(11);
	say("opened\n");
	syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	say("created\n");
}

static void main_opens_with_dump_dtb(void)
{
	int fd;

	child_setup(true, CONFINE_MAIN);
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		child_exit(10);
	say("created\n");
}

TEST(confine_main_filter_creates_no_file_without_dump_dtb)
{
	struct child_result result;

	run_plain_child(main_opens, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	EXPECT_CONTAINS(result.output, "opened\nlvmm: seccomp: the main thread made system call");
	EXPECT_CONTAINS(result.output, "(openat)");
	run_plain_child(main_opens_with_dump_dtb, &result);
	EXPECT_EQ(result.status, 0);
	EXPECT_STR_EQ(result.output, "created\n");
}

static void io_calls(void)
{
	struct iovec iov = { 0 };

	child_setup(false, CONFINE_IO);
	if (syscall(SYS_preadv, -1, &iov, 1, 0, 0) != -1 || errno != EBADF)
		child_exit(10);
	if (syscall(SYS_fdatasync, -1) != -1 || errno != EBADF)
		child_exit(11);
	say("io alive\n");
	syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	say("not stopped\n");
}

static void console_output_reads(void)
{
	char byte;

	child_setup(false, CONFINE_CONSOLE_OUTPUT);
	say("console alive\n");
	syscall(SYS_read, -1, &byte, 1);
	say("not stopped\n");
}

TEST(confine_io_and_console_output_filters)
{
	struct child_result result;

	run_plain_child(io_calls, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	EXPECT_CONTAINS(result.output, "io alive\nlvmm: seccomp: the I/O thread made system call");
	EXPECT_CONTAINS(result.output, "(socket)");
	run_plain_child(console_output_reads, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	EXPECT_CONTAINS(result.output, "console alive\nlvmm: seccomp: the console output thread made system call");
	EXPECT_CONTAINS(result.output, "(read)");
}

/* LVMM_SECCOMP_TEST_VIOLATION=io: the I/O thread calls execve once confined. */
static void trigger_io(void)
{
	setenv("LVMM_SECCOMP_TEST_VIOLATION", "io", 1);
	child_setup(false, CONFINE_MAIN); /* not this kind: nothing happens */
	say("main passed\n");
	confine_thread(CONFINE_IO);
	say("not stopped\n");
}

static void trigger_without_filters(void)
{
	char err[256];

	setenv("LVMM_SECCOMP_TEST_VIOLATION", "vcpu", 1);
	if (confine_setup(false, false, err, sizeof(err)) < 0)
		child_exit(99);
	confine_thread(CONFINE_MAIN);
	confine_thread(CONFINE_VCPU);
	say("survived\n");
}

static void trigger_misspelt(void)
{
	setenv("LVMM_SECCOMP_TEST_VIOLATION", "VCPU", 1);
	child_setup(false, CONFINE_VCPU);
	say("survived\n");
}

TEST(confine_test_trigger)
{
	struct child_result result;

	run_plain_child(trigger_io, &result);
	EXPECT_EQ(result.status, EXIT_SECCOMP_VIOLATION);
	EXPECT_CONTAINS(result.output, "main passed\nlvmm: seccomp: the I/O thread made system call");
	EXPECT_CONTAINS(result.output, "(execve)");
	/* --no-seccomp: the same call is made, fails (ENOENT), and says so. */
	run_plain_child(trigger_without_filters, &result);
	EXPECT_EQ(result.status, 0);
	EXPECT_CONTAINS(result.output, "LVMM_SECCOMP_TEST_VIOLATION: the vCPU thread called execve and was not stopped");
	EXPECT_CONTAINS(result.output, "survived\n");
	/* Only the exact values trigger it. */
	run_plain_child(trigger_misspelt, &result);
	EXPECT_EQ(result.status, 0);
	EXPECT_STR_EQ(result.output, "survived\n");
}

static void sigsys_from_outside(void)
{
	char err[256];

	if (confine_setup(true, false, err, sizeof(err)) < 0)
		child_exit(99);
	syscall(SYS_kill, getpid(), SIGSYS);
	say("not stopped\n");
}

TEST(confine_sigsys_sent_by_someone_is_no_violation)
{
	struct child_result result;

	run_plain_child(sigsys_from_outside, &result);
	EXPECT_EQ(result.status, 128 + SIGSYS);
	EXPECT_STR_EQ(result.output, "lvmm: stopped by SIGSYS\n");
}
