// fork-exec: WORKERS processes each fork, exec this program again (which exits at once) and
// wait, LOOPS times: the process churn of UnixBench's execl and shell tests (our own code).
// Every fork copies and every exec and exit tears down an address space, under the mm's and
// the page tables' locks, and the parent sleeps on the child; with several workers on a few
// vCPUs, lock owners get preempted by the host.
//   fork-exec [-w WORKERS] [-l LOOPS]
// Prints: forkexec: workers=W loops=N total_s=X execs_per_sec=Y
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/workload.h"

#define DEFAULT_WORKERS 8UL
#define DEFAULT_LOOPS 200UL
#define CHILD_ARGUMENT "--exec-child"

const char workload_name[] = "fork-exec";
const char workload_usage[] = "usage: fork-exec [-w WORKERS] [-l LOOPS]";

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

// One worker: returns its exit status.
static int work(unsigned long loops)
{
	char *const child_argv[] = { (char *)workload_name, CHILD_ARGUMENT, NULL };

	for (unsigned long i = 0; i < loops; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork-exec: fork");
			return 1;
		}
		if (pid == 0) {
			execv("/proc/self/exe", child_argv);
			perror("fork-exec: exec /proc/self/exe");
			_exit(1);
		}
		if (wait_for(pid) != 0) {
			fprintf(stderr, "fork-exec: an exec'd child failed\n");
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long workers = DEFAULT_WORKERS, loops = DEFAULT_LOOPS;
	pid_t pids[256];
	uint64_t start, end;
	int option, failed = 0;

	if (argc == 2 && strcmp(argv[1], CHILD_ARGUMENT) == 0)
		return 0;
	while ((option = getopt(argc, argv, ":w:l:")) != -1) {
		switch (option) {
		case 'w': workers = parse_count("-w", optarg, 1, 256); break;
		case 'l': loops = parse_count("-l", optarg, 1, 1000000); break;
		default: option_error(":w:l:");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);
	start = now_ns();
	for (unsigned long w = 0; w < workers; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			die("fork");
		if (pids[w] == 0)
			_exit(work(loops));
	}
	for (unsigned long w = 0; w < workers; w++)
		failed |= wait_for(pids[w]);
	end = now_ns();
	if (failed) {
		fprintf(stderr, "fork-exec: a worker failed\n");
		return 1;
	}
	printf("forkexec: workers=%lu loops=%lu total_s=%.6f execs_per_sec=%.1f\n", workers, loops,
	       (end - start) / 1e9, workers * loops / ((end - start) / 1e9));
	return 0;
}
