// messaging: groups of senders and receivers flood each other over AF_UNIX stream sockets, the
// workload of `perf bench sched messaging` (our own code). With many more tasks than CPUs,
// senders keep filling socket buffers and blocking, receivers keep draining and waking them:
// a storm of wake-ups and migrations that stresses the scheduler's load balancing, and in a
// guest, its idea of which vCPUs are really running.
//   messaging [-g GROUPS] [-f FDS] [-l LOOPS] [-t]
// Each group has FDS receivers, each owning one socketpair, and FDS senders that each write
// LOOPS messages of 100 bytes to every receiver of the group. -t makes the workers threads of
// one process instead of processes. All workers start together; the time runs from the start
// signal until the last worker is done.
// Prints: messaging: groups=G fds=F loops=L workers=W total_s=X
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/workload.h"

#define MESSAGE_BYTES 100
// perf's defaults, so that a bare run is comparable with perf's figures.
#define DEFAULT_GROUPS 10UL
#define DEFAULT_FDS 20UL
#define DEFAULT_LOOPS 100UL
#define MAX_GROUPS 1000UL
#define MAX_FDS 1000UL
#define MAX_LOOPS 10000000UL
// Workers only read, write and loop: a small stack keeps hundreds of threads cheap in a
// guest with little memory.
#define THREAD_STACK_BYTES (256 * 1024)

const char workload_name[] = "messaging";
const char workload_usage[] = "usage: messaging [-g GROUPS] [-f FDS] [-l LOOPS] [-t]";

struct worker {
	bool is_sender;
	int receive_fd;       // a receiver's end of its own socketpair
	const int *send_fds;  // a sender's: the other ends of its group's receivers' pairs
	unsigned long fds;    // receivers per group (= senders per group)
	unsigned long loops;
	int start_fd;         // read end of the start pipe: EOF means go
	int ready_fd;         // write end of the ready pipe: one byte per worker
	pthread_t thread;
	pid_t pid;
};

static void write_all(int fd, const void *data, size_t size, const char *what)
{
	const char *next = data;

	while (size > 0) {
		ssize_t n = write(fd, next, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(what);
		next += n;
		size -= (size_t)n;
	}
}

// Reports ready, then blocks until the parent closes the start pipe's write end: every
// worker sees that EOF at once, so none gets a head start from being created first.
static void wait_for_start(const struct worker *worker)
{
	char byte = 'r';

	write_all(worker->ready_fd, &byte, 1, "write ready pipe");
	for (;;) {
		ssize_t n = read(worker->start_fd, &byte, 1);

		if (n == 0)
			return;
		if (n < 0 && errno != EINTR)
			die("read start pipe");
		if (n > 0) {
			errno = EPROTO;
			die("read start pipe"); // nobody writes to it
		}
	}
}

static void run_sender(const struct worker *worker)
{
	char message[MESSAGE_BYTES];

	memset(message, 'm', sizeof(message));
	// Round-robin over the receivers, as perf does: every receiver gets work early on.
	for (unsigned long i = 0; i < worker->loops; i++)
		for (unsigned long j = 0; j < worker->fds; j++)
			write_all(worker->send_fds[j], message, sizeof(message), "sender: write");
}

static void run_receiver(const struct worker *worker)
{
	char message[MESSAGE_BYTES];
	// Every sender of the group sends LOOPS messages to this receiver.
	unsigned long long left = (unsigned long long)worker->fds * worker->loops * MESSAGE_BYTES;

	while (left > 0) {
		// At most one message per read, like perf: more wake-ups, not fewer bigger reads.
		size_t want = left < sizeof(message) ? (size_t)left : sizeof(message);
		ssize_t n = read(worker->receive_fd, message, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("receiver: read");
		if (n == 0) {
			errno = EPIPE;
			die("receiver: read (the senders closed early)");
		}
		left -= (unsigned long long)n;
	}
}

static void run_worker(const struct worker *worker)
{
	wait_for_start(worker);
	if (worker->is_sender)
		run_sender(worker);
	else
		run_receiver(worker);
}

static void *worker_thread(void *arg)
{
	run_worker(arg);
	return NULL;
}

// Process mode: on a failed worker, the others may wait forever for data it will never send.
static void __attribute__((noreturn)) kill_workers_and_exit(struct worker *workers,
							     size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (workers[i].pid > 0)
			kill(workers[i].pid, SIGKILL); // best effort: it may be gone already
	while (wait(NULL) > 0 || errno == EINTR)
		;
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned long groups = DEFAULT_GROUPS, fds = DEFAULT_FDS, loops = DEFAULT_LOOPS;
	bool use_threads = false;
	int opt;

	opterr = 0; // our own one-line messages instead of getopt's
	while ((opt = getopt(argc, argv, "g:f:l:t")) != -1) {
		switch (opt) {
		case 'g':
			groups = parse_count("-g", optarg, 1, MAX_GROUPS);
			break;
		case 'f':
			fds = parse_count("-f", optarg, 1, MAX_FDS);
			break;
		case 'l':
			loops = parse_count("-l", optarg, 1, MAX_LOOPS);
			break;
		case 't':
			use_threads = true;
			break;
		default:
			option_error("g:f:l:t");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);

	size_t worker_count = (size_t)groups * fds * 2;
	struct worker *workers = calloc(worker_count, sizeof(*workers));
	// Per group, the sending ends of its receivers' socketpairs, shared by its senders.
	int *send_fds = calloc((size_t)groups * fds, sizeof(*send_fds));
	int start_pipe[2], ready_pipe[2];
	pthread_attr_t attr;
	int err;

	if (!workers || !send_fds)
		die("calloc");
	if (pipe(start_pipe) != 0 || pipe(ready_pipe) != 0)
		die("pipe");
	if (use_threads) {
		if ((err = pthread_attr_init(&attr)) != 0 ||
		    (err = pthread_attr_setstacksize(&attr, THREAD_STACK_BYTES)) != 0) {
			errno = err;
			die("pthread_attr");
		}
	}

	size_t created = 0;

	for (unsigned long g = 0; g < groups; g++) {
		int *group_send_fds = send_fds + g * fds;
		int receive_fds[MAX_FDS];

		for (unsigned long r = 0; r < fds; r++) {
			int pair[2];

			if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) {
				if (!use_threads)
					kill_workers_and_exit(workers, created);
				die("socketpair"); // threads: nobody has started yet, exiting is enough
			}
			receive_fds[r] = pair[0];
			group_send_fds[r] = pair[1];
		}
		for (unsigned long i = 0; i < 2 * fds; i++) {
			struct worker *worker = &workers[created];

			worker->is_sender = i >= fds;
			worker->receive_fd = worker->is_sender ? -1 : receive_fds[i];
			worker->send_fds = group_send_fds;
			worker->fds = fds;
			worker->loops = loops;
			worker->start_fd = start_pipe[0];
			worker->ready_fd = ready_pipe[1];
			if (use_threads) {
				err = pthread_create(&worker->thread, &attr, worker_thread, worker);
				if (err != 0) {
					errno = err;
					die("pthread_create");
				}
			} else {
				worker->pid = fork();
				if (worker->pid < 0) {
					fprintf(stderr, "messaging: fork: %s\n", strerror(errno));
					kill_workers_and_exit(workers, created);
				}
				if (worker->pid == 0) {
					// Else this child would hold the start pipe open: no EOF, no start.
					if (close(start_pipe[1]) != 0)
						die("child: close");
					run_worker(worker);
					_exit(0);
				}
			}
			created++;
		}
		// Processes: the group's children have their copies; dropping ours keeps the
		// parent's (and later groups' children's) fd tables to one group's worth.
		if (!use_threads) {
			for (unsigned long r = 0; r < fds; r++) {
				if (close(receive_fds[r]) != 0 || close(group_send_fds[r]) != 0) {
					fprintf(stderr, "messaging: close: %s\n", strerror(errno));
					kill_workers_and_exit(workers, created);
				}
			}
		}
	}

	// Everyone ready before the clock starts: creating hundreds of tasks is not the workload.
	for (size_t ready = 0; ready < worker_count;) {
		char bytes[256];
		ssize_t n = read(ready_pipe[0], bytes, sizeof(bytes));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "messaging: read ready pipe: %s\n",
				n < 0 ? strerror(errno) : "unexpected EOF");
			if (!use_threads)
				kill_workers_and_exit(workers, created);
			exit(1);
		}
		ready += (size_t)n;
	}

	uint64_t start = now_ns();

	if (close(start_pipe[1]) != 0) {
		fprintf(stderr, "messaging: close start pipe: %s\n", strerror(errno));
		if (!use_threads)
			kill_workers_and_exit(workers, created);
		exit(1);
	}
	if (use_threads) {
		for (size_t i = 0; i < worker_count; i++) {
			err = pthread_join(workers[i].thread, NULL);
			if (err != 0) {
				errno = err;
				die("pthread_join");
			}
		}
	} else {
		for (size_t reaped = 0; reaped < worker_count;) {
			int status;
			pid_t pid = wait(&status);

			if (pid < 0 && errno == EINTR)
				continue;
			if (pid < 0) {
				fprintf(stderr, "messaging: wait: %s\n", strerror(errno));
				kill_workers_and_exit(workers, created);
			}
			for (size_t i = 0; i < worker_count; i++)
				if (workers[i].pid == pid)
					workers[i].pid = 0; // reaped: not to be killed
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "messaging: a worker failed (wait status %#x)\n",
					(unsigned int)status);
				kill_workers_and_exit(workers, created);
			}
			reaped++;
		}
	}
	uint64_t elapsed = now_ns() - start;

	free(workers);
	free(send_fds);

	printf("messaging: groups=%lu fds=%lu loops=%lu workers=%zu total_s=%.3f\n", groups, fds,
	       loops, worker_count, (double)elapsed / 1e9);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "messaging: writing the result failed\n");
		return 1;
	}
	return 0;
}
