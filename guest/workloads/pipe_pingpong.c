// pipe-pingpong: two processes bounce a 4-byte token over a pair of pipes, the workload of
// `perf bench sched pipe` (our own code). Every hop is a wake-up of a blocked task, so the
// figure is dominated by the scheduler's wake-up path and, in a guest, by how fast a vCPU
// that was idle (in WFI) gets back onto a physical CPU.
//   pipe-pingpong [-l LOOPS]
// Prints: pipe: loops=N total_s=X usecs_per_op=Y ops_per_sec=Z (one op = one round trip).
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/workload.h"

#define DEFAULT_LOOPS 100000UL
#define MAX_LOOPS 1000000000UL

const char workload_name[] = "pipe-pingpong";
const char workload_usage[] = "usage: pipe-pingpong [-l LOOPS]";

// 0 on success, -1 with errno set on error, or -1 with errno 0 if the peer closed the pipe
// (it died): the callers tell those apart in their messages.
static int read_token(int fd, uint32_t *token)
{
	size_t done = 0;

	while (done < sizeof(*token)) {
		ssize_t n = read(fd, (char *)token + done, sizeof(*token) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

// A pipe write of at most PIPE_BUF bytes is atomic, so this is one write(2) in practice.
static int write_token(int fd, uint32_t token)
{
	ssize_t n;

	do
		n = write(fd, &token, sizeof(token));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(token))
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

// The echoing side: returns the process's exit status. It stops at the parent's EOF, so a
// parent that dies mid-run does not leave it blocked forever.
static int echo_tokens(int from_parent, int to_parent, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++) {
		uint32_t token;

		if (read_token(from_parent, &token) != 0) {
			fprintf(stderr, "pipe-pingpong: child: read: %s\n",
				errno ? strerror(errno) : "parent closed the pipe");
			return 1;
		}
		if (write_token(to_parent, token) != 0) {
			fprintf(stderr, "pipe-pingpong: child: write: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long loops = DEFAULT_LOOPS;
	int to_child[2], to_parent[2];
	int opt;

	opterr = 0; // our own one-line messages instead of getopt's
	while ((opt = getopt(argc, argv, "l:")) != -1) {
		switch (opt) {
		case 'l':
			loops = parse_count("-l", optarg, 1, MAX_LOOPS);
			break;
		default:
			option_error("l:");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);

	if (pipe(to_child) != 0 || pipe(to_parent) != 0)
		die("pipe");
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (child == 0) {
		// Closing the unused ends makes a dead peer show up as EOF instead of a hang.
		if (close(to_child[1]) != 0 || close(to_parent[0]) != 0)
			die("child: close");
		_exit(echo_tokens(to_child[0], to_parent[1], loops));
	}
	if (close(to_child[0]) != 0 || close(to_parent[1]) != 0)
		die("close");

	uint64_t start = now_ns();

	for (unsigned long i = 0; i < loops; i++) {
		uint32_t sent = (uint32_t)i, echoed;

		if (write_token(to_child[1], sent) != 0)
			die("write");
		if (read_token(to_parent[0], &echoed) != 0) {
			fprintf(stderr, "pipe-pingpong: read: %s\n",
				errno ? strerror(errno) : "child closed the pipe");
			exit(1);
		}
		if (echoed != sent) {
			fprintf(stderr, "pipe-pingpong: sent token %u, got %u back\n", sent, echoed);
			exit(1);
		}
	}
	uint64_t elapsed = now_ns() - start;
	int status;

	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pipe-pingpong: the child failed (wait status %#x)\n",
			(unsigned int)status);
		return 1;
	}

	double total_s = (double)elapsed / 1e9;

	printf("pipe: loops=%lu total_s=%.3f usecs_per_op=%.3f ops_per_sec=%.0f\n", loops,
	       total_s, total_s * 1e6 / (double)loops,
	       total_s > 0 ? (double)loops / total_s : 0.0);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pipe-pingpong: writing the result failed\n");
		return 1;
	}
	return 0;
}
