// file-write: THREADS threads write RECORD-byte records into one shared file, LOOPS times
// each, every thread at its own offsets (our own code). Each write of a tmpfs or ramfs file
// holds the inode's i_rwsem for writing, so the threads take turns on one rwsem, whose
// waiters spin on a running owner: the code vcpu_is_preempted() changes.
//   file-write [-t THREADS] [-l LOOPS] [-r RECORD] [-f FILE]
// Prints: filewrite: threads=T loops=N record=R total_s=X writes_per_sec=Y
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/workload.h"

#define DEFAULT_THREADS 8UL
#define DEFAULT_LOOPS 20000UL
#define DEFAULT_RECORD 64UL
#define SLOTS_PER_THREAD 64UL

const char workload_name[] = "file-write";
const char workload_usage[] = "usage: file-write [-t THREADS] [-l LOOPS] [-r RECORD] [-f FILE]";

static unsigned long loops = DEFAULT_LOOPS, record = DEFAULT_RECORD;
static int fd;

struct writer {
	pthread_t id;
	unsigned long index;
};

static void *write_records(void *arg)
{
	struct writer *w = arg;
	char buffer[4096];

	memset(buffer, 'a' + (int)(w->index % 26), record);
	for (unsigned long i = 0; i < loops; i++) {
		// The same small file the whole run: the threads meet on its lock, not on allocation.
		off_t offset = (off_t)((w->index * SLOTS_PER_THREAD + i % SLOTS_PER_THREAD) * record);
		ssize_t n = pwrite(fd, buffer, record, offset);

		if (n != (ssize_t)record) {
			if (n >= 0)
				errno = EIO;
			die("pwrite");
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long threads = DEFAULT_THREADS;
	const char *path = "/tmp/file-write.data";
	struct writer writers[256];
	uint64_t start, end;
	int option, err;

	while ((option = getopt(argc, argv, ":t:l:r:f:")) != -1) {
		switch (option) {
		case 't': threads = parse_count("-t", optarg, 1, 256); break;
		case 'l': loops = parse_count("-l", optarg, 1, 100000000); break;
		case 'r': record = parse_count("-r", optarg, 1, 4096); break;
		case 'f': path = optarg; break;
		default: option_error(":t:l:r:f:");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die(path);
	start = now_ns();
	for (unsigned long t = 0; t < threads; t++) {
		writers[t].index = t;
		err = pthread_create(&writers[t].id, NULL, write_records, &writers[t]);
		if (err) {
			errno = err;
			die("pthread_create");
		}
	}
	for (unsigned long t = 0; t < threads; t++)
		pthread_join(writers[t].id, NULL);
	end = now_ns();
	close(fd);
	unlink(path);
	printf("filewrite: threads=%lu loops=%lu record=%lu total_s=%.6f writes_per_sec=%.1f\n",
	       threads, loops, record, (end - start) / 1e9, threads * loops / ((end - start) / 1e9));
	return 0;
}
