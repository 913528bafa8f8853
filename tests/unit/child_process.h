/* Unit tests that must run code in a process of its own (seccomp filters cannot be removed once
 * installed): run it in a child, get its exit status and what it wrote to stderr. */
#ifndef LVMM_TEST_CHILD_PROCESS_H
#define LVMM_TEST_CHILD_PROCESS_H

struct child_result {
	int status;        /* the exit status, or 128 + signal; -1 if it could not be had */
	char output[2048]; /* what it wrote to stderr */
};

/* Ends the child at once: no exit handlers, no sanitizer at exit. Not declared noreturn: ASan
 * would call sigaltstack before it (__asan_handle_no_return), which the filters under test
 * forbid. */
void child_exit(int status);

/* Runs body(context) in a child whose stderr comes back in result; a body that returns exits 0. */
void run_child(void (*body)(void *context), void *context, struct child_result *result);

#endif
