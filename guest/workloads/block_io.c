// block-io: sequential or random reads or writes of BLOCK bytes against a file or block
// device, BYTES in all, timed (our own code, a small fio). The bench runs it in the guest
// against a virtio-blk disk and on the host against the disk's image file, with the same
// arguments, so both do the same work: random offsets come from a fixed-seed xorshift.
//   block-io -f PATH -m seqread|seqwrite|randread|randwrite [-b BLOCK] [-s BYTES] [-d] [-q DEPTH]
// Offsets cover PATH's whole size (sequential I/O wraps around at its end); writes end with
// fdatasync(), inside the timed interval. -d opens PATH with O_DIRECT (buffers are aligned;
// with -d, BLOCK must be a multiple of 512); a PATH that refuses O_DIRECT is an error that
// says so, not a silent fallback. PATH must exist: block-io neither creates nor grows it.
// -q DEPTH keeps up to DEPTH requests in flight (default 1), as fio's iodepth: DEPTH threads
// take the blocks in order from one counter, so the stream stays sequential (or follows the
// same random sequence) while a device sees DEPTH requests at once.
// Prints: blockio: mode=M block=B bytes=N seconds=S mib_per_s=X iops=Y direct=0|1 depth=D
// [cpu_busy_s=C], C only while the kernel's schedstats are on: the time its CPUs ran tasks
// during the timed interval, summed over CPUs (/proc/schedstat). In a guest, set against
// seconds, it says how much of the interval the guest's own CPU work took; interrupts taken
// while a CPU idles are not in it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/workload.h"

#define DEFAULT_BLOCK 4096UL
#define DEFAULT_BYTES (64UL << 20)
#define MAX_BLOCK (64UL << 20)
#define ALIGNMENT 4096UL
#define MAX_DEPTH 64UL
#define SEED 0x9e3779b97f4a7c15ULL

const char workload_name[] = "block-io";
const char workload_usage[] =
	"usage: block-io -f PATH -m seqread|seqwrite|randread|randwrite [-b BLOCK] [-s BYTES] [-d] "
	"[-q DEPTH]";

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

// The nanoseconds all CPUs have spent running tasks (/proc/schedstat's per-CPU run time, the
// seventh number of each cpuN line since its version 15), or -1 when schedstats are off (the
// figure then stands still) or the file is not in a format we know.
static long long tasks_cpu_ns(void)
{
	char line[512];
	long long total = 0;
	int version = 0, enabled = 0, cpus = 0;
	FILE *file = fopen("/proc/sys/kernel/sched_schedstats", "re");

	if (!file)
		return -1;
	if (fscanf(file, "%d", &enabled) != 1)
		enabled = 0;
	fclose(file);
	if (enabled != 1)
		return -1;
	file = fopen("/proc/schedstat", "re");
	if (!file)
		return -1;
	while (fgets(line, sizeof(line), file)) {
		unsigned long long field[7];
		int cpu;

		if (sscanf(line, "version %d", &version) == 1)
			continue;
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu", &cpu, &field[0], &field[1],
			   &field[2], &field[3], &field[4], &field[5], &field[6]) == 8) {
			total += (long long)field[6];
			cpus++;
		}
	}
	fclose(file);
	return version >= 15 && cpus > 0 ? total : -1;
}

// One whole block at offset, or die naming what failed.
static void transfer(int fd, int writing, char *buffer, size_t block, off_t offset)
{
	size_t done = 0;

	while (done < block) {
		ssize_t n = writing ? pwrite(fd, buffer + done, block - done, offset + (off_t)done)
				    : pread(fd, buffer + done, block - done, offset + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; // the end of PATH inside a block: cannot happen unless it shrank
			die(writing ? "pwrite" : "pread");
		}
		done += (size_t)n;
	}
}

// What the DEPTH threads share: the next block to take and, for random offsets, the one
// generator, so the offsets come in the same order whatever the depth.
struct stream {
	int fd, writing, random_offsets;
	size_t block;
	unsigned long count, blocks;
	pthread_mutex_t lock; // next and state
	unsigned long next;
	uint64_t state;
};

// The index of the next block to transfer, or 0 once all count blocks are taken.
static int take_block(struct stream *stream, unsigned long *index)
{
	int more;

	pthread_mutex_lock(&stream->lock);
	more = stream->next < stream->count;
	if (more) {
		*index = stream->random_offsets ?
			 (unsigned long)(xorshift64(&stream->state) % stream->blocks) :
			 stream->next % stream->blocks;
		stream->next++;
	}
	pthread_mutex_unlock(&stream->lock);
	return more;
}

static void *stream_worker(void *argument)
{
	struct stream *stream = argument;
	unsigned long index;
	char *buffer;

	if (posix_memalign((void **)&buffer, ALIGNMENT, stream->block) != 0) {
		errno = ENOMEM;
		die("posix_memalign");
	}
	// Not zeroes: a write of zeroes could be taken for a discard somewhere on the way.
	for (size_t i = 0; i < stream->block; i++)
		buffer[i] = (char)('a' + i % 26);
	while (take_block(stream, &index))
		transfer(stream->fd, stream->writing, buffer, stream->block,
			 (off_t)index * (off_t)stream->block);
	free(buffer);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *mode = NULL;
	unsigned long block = DEFAULT_BLOCK, bytes = DEFAULT_BYTES, depth = 1;
	int direct = 0, option;
	struct stream stream = { .lock = PTHREAD_MUTEX_INITIALIZER, .state = SEED };
	pthread_t threads[MAX_DEPTH];
	uint64_t start, end;
	long long cpu_start, cpu_end;
	off_t size;
	double seconds;

	while ((option = getopt(argc, argv, ":f:m:b:s:dq:")) != -1) {
		switch (option) {
		case 'f': path = optarg; break;
		case 'm': mode = optarg; break;
		case 'b': block = parse_count("-b", optarg, 1, MAX_BLOCK); break;
		case 's': bytes = parse_count("-s", optarg, 1, 1UL << 40); break;
		case 'd': direct = 1; break;
		case 'q': depth = parse_count("-q", optarg, 1, MAX_DEPTH); break;
		default: option_error(":f:m:b:s:dq:");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);
	if (!path)
		usage_error("missing", 'f');
	if (!mode)
		usage_error("missing", 'm');
	if (!strcmp(mode, "seqread") || !strcmp(mode, "seqwrite"))
		stream.random_offsets = 0;
	else if (!strcmp(mode, "randread") || !strcmp(mode, "randwrite"))
		stream.random_offsets = 1;
	else
		usage_error("unknown mode after", 'm');
	stream.writing = strstr(mode, "write") != NULL;
	if (direct && block % 512)
		usage_error("-d needs a multiple of 512 for", 'b');
	if (bytes < block)
		usage_error("fewer bytes than one block in", 's');

	stream.fd = open(path, (stream.writing ? O_WRONLY : O_RDONLY) | O_CLOEXEC |
			 (direct ? O_DIRECT : 0));
	if (stream.fd < 0 && direct && errno == EINVAL) {
		fprintf(stderr, "block-io: %s refuses O_DIRECT (%s): run without -d\n", path,
			strerror(errno));
		exit(1);
	}
	if (stream.fd < 0)
		die(path);
	// The size of a regular file or of a block device alike.
	size = lseek(stream.fd, 0, SEEK_END);
	if (size < 0)
		die("lseek");
	stream.block = block;
	stream.blocks = (unsigned long)size / block;
	if (stream.blocks == 0) {
		fprintf(stderr, "block-io: %s has %lld bytes, less than one block of %lu\n", path,
			(long long)size, block);
		exit(1);
	}
	stream.count = bytes / block;

	cpu_start = tasks_cpu_ns();
	start = now_ns();
	for (unsigned long i = 0; i < depth; i++) {
		errno = pthread_create(&threads[i], NULL, stream_worker, &stream);
		if (errno != 0)
			die("pthread_create");
	}
	for (unsigned long i = 0; i < depth; i++)
		pthread_join(threads[i], NULL);
	if (stream.writing && fdatasync(stream.fd) != 0)
		die("fdatasync");
	end = now_ns();
	cpu_end = tasks_cpu_ns();
	if (close(stream.fd) != 0)
		die("close");
	seconds = (end - start) / 1e9;
	if (seconds <= 0)
		seconds = 1e-9;
	printf("blockio: mode=%s block=%lu bytes=%lu seconds=%.6f mib_per_s=%.2f iops=%.1f direct=%d "
	       "depth=%lu",
	       mode, block, stream.count * block, seconds,
	       stream.count * block / seconds / 1048576.0, stream.count / seconds, direct, depth);
	if (cpu_start >= 0 && cpu_end >= cpu_start)
		printf(" cpu_busy_s=%.6f", (cpu_end - cpu_start) / 1e9);
	printf("\n");
	return 0;
}
