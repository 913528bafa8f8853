/*
 * launch-timed PROGRAM ARGS...: runs PROGRAM and prints, on stderr, the CLOCK_MONOTONIC time
 * of its execve() and of its exit, so that a benchmark can subtract times PROGRAM logs itself
 * (lvmm --loglevel info logs its first KVM_RUN on the same clock). busybox has no clock with
 * better than 1 s resolution, hence this. Exits with PROGRAM's status (128+N for signal N).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)now.tv_sec * 1000000000ULL + (unsigned long long)now.tv_nsec;
}

int main(int argc, char **argv)
{
	int status;
	pid_t child;

	if (argc < 2) {
		fprintf(stderr, "usage: launch-timed PROGRAM [ARGS...]\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		fprintf(stderr, "launch-timed: fork failed: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		/* Unbuffered stderr: the line is out before the exec replaces this process. */
		fprintf(stderr, "launch-timed: exec at CLOCK_MONOTONIC %llu ns\n", monotonic_ns());
		execvp(argv[1], argv + 1);
		fprintf(stderr, "launch-timed: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0) {
		fprintf(stderr, "launch-timed: waitpid failed: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "launch-timed: exit at CLOCK_MONOTONIC %llu ns\n", monotonic_ns());
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
