// wakeup-latency: how long a sleeping thread takes to run after it is woken, the question
// schbench asks (our own code). Message threads repeatedly wake their workers through a
// futex, stamping the time of each wake-up; every worker measures now - stamp, copies BYTES
// (schbench's -p: a little work with cache traffic between the two sides), replies and sleeps
// again; a message thread starts its next round once all its workers have replied. In a guest
// the tail of this latency shows a wake-up that had to wait for a preempted vCPU.
//   wakeup-latency [-m MESSAGE_THREADS] [-t WORKERS_PER_MESSAGE_THREAD] [-r SECONDS] [-p BYTES]
// The first 10% of the run is warm-up and not recorded.
// Prints: wakeup: samples=N p50_us=.. p75_us=.. p90_us=.. p95_us=.. p99_us=.. p99_5_us=..
//         p99_9_us=.. min_us=.. max_us=.. ops_per_sec=..   (ops = recorded worker wake-ups)
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/workload.h"

#define DEFAULT_MESSAGE_THREADS 2UL
#define DEFAULT_WORKERS 4UL
#define DEFAULT_SECONDS 5UL
#define DEFAULT_BYTES 0UL // as schbench: no copy unless asked
#define MAX_THREADS 1024UL
#define MAX_SECONDS 86400UL
#define MAX_BYTES (64UL << 20)

// The histogram is log-linear over nanoseconds (HdrHistogram's layout): values below
// 2 * SUB_BUCKETS are counted exactly, and every power-of-two range above is cut into
// SUB_BUCKETS equal buckets. With 64 sub-buckets a reported value (a bucket's midpoint) is
// within 1/128 (< 0.8%) of every sample in it, at any magnitude, and 64-bit values need only
// 3776 buckets (30 KiB per worker). Exact counts up to a bound would either be coarse at the
// low end (a few-µs wake-up on hardware) or huge to cover the tens-of-ms tails a nested
// guest shows, or would clip them; schbench's own histogram is log-linear for the same reason.
#define SUB_BUCKET_BITS 6
#define SUB_BUCKETS (1u << SUB_BUCKET_BITS)
#define HISTOGRAM_BUCKETS ((64 - SUB_BUCKET_BITS) * SUB_BUCKETS)

const char workload_name[] = "wakeup-latency";
const char workload_usage[] =
	"usage: wakeup-latency [-m MESSAGE_THREADS] [-t WORKERS_PER_MESSAGE_THREAD] [-r SECONDS] "
	"[-p BYTES]";

struct histogram {
	uint64_t counts[HISTOGRAM_BUCKETS];
	uint64_t samples;
	uint64_t min_ns, max_ns;
};

struct message_thread;

// Aligned to a cache line so that one worker's futex word does not share a line with another's.
struct worker {
	_Alignas(64) _Atomic uint32_t wake_seq; // bumped by the message thread: a futex word
	_Atomic uint64_t posted_ns;             // when the last wake-up was posted
	_Atomic bool stop;
	struct message_thread *owner;
	char *buffer;
	struct histogram histogram;
	pthread_t thread;
};

struct message_thread {
	_Alignas(64) _Atomic uint32_t done_seq; // bumped by the last worker to reply: a futex word
	_Atomic uint32_t replies_pending;
	struct worker *workers;
	unsigned long worker_count;
	char *buffer; // what workers copy from: the message thread's side of the "transfer"
	pthread_t thread;
};

static size_t transfer_bytes;
static uint64_t warmup_end_ns, run_end_ns; // samples count in [warmup_end_ns, run_end_ns)
static _Atomic bool stopping;

// Sleeps until *word no longer holds seen. Private futexes: all waiters are our threads.
static void futex_wait_while(_Atomic uint32_t *word, uint32_t seen)
{
	while (atomic_load_explicit(word, memory_order_acquire) == seen) {
		// EAGAIN: it changed before we slept; EINTR: a signal. Both: look again.
		if (syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0) != 0 &&
		    errno != EAGAIN && errno != EINTR)
			die("futex wait");
	}
}

static void futex_wake_one(_Atomic uint32_t *word)
{
	if (syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0)
		die("futex wake");
}

static unsigned int bucket_of(uint64_t value)
{
	if (value < 2 * SUB_BUCKETS)
		return (unsigned int)value;
	unsigned int top_bit = 63 - (unsigned int)__builtin_clzll(value);
	unsigned int shift = top_bit - SUB_BUCKET_BITS;

	return (shift + 1) * SUB_BUCKETS + (unsigned int)(value >> shift) - SUB_BUCKETS;
}

// The value a bucket stands for: exact below 2 * SUB_BUCKETS, else the bucket's midpoint.
static uint64_t bucket_value(unsigned int bucket)
{
	if (bucket < 2 * SUB_BUCKETS)
		return bucket;
	unsigned int shift = bucket / SUB_BUCKETS - 1;
	uint64_t low = (uint64_t)(bucket % SUB_BUCKETS + SUB_BUCKETS) << shift;

	return low + ((1ull << shift) >> 1);
}

static void histogram_record(struct histogram *histogram, uint64_t value)
{
	histogram->counts[bucket_of(value)]++;
	if (histogram->samples == 0 || value < histogram->min_ns)
		histogram->min_ns = value;
	if (value > histogram->max_ns)
		histogram->max_ns = value;
	histogram->samples++;
}

static void histogram_merge(struct histogram *into, const struct histogram *from)
{
	if (from->samples == 0)
		return;
	for (unsigned int i = 0; i < HISTOGRAM_BUCKETS; i++)
		into->counts[i] += from->counts[i];
	if (into->samples == 0 || from->min_ns < into->min_ns)
		into->min_ns = from->min_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
	into->samples += from->samples;
}

// The value below which `permille` thousandths of the samples lie (nearest rank), clamped
// to the exact min and max so that a bucket's midpoint never reports beyond what was seen.
static uint64_t histogram_percentile(const struct histogram *histogram, unsigned int permille)
{
	uint64_t rank = (histogram->samples * permille + 999) / 1000, seen = 0;

	if (rank == 0)
		rank = 1;
	for (unsigned int i = 0; i < HISTOGRAM_BUCKETS; i++) {
		seen += histogram->counts[i];
		if (seen >= rank) {
			uint64_t value = bucket_value(i);

			if (value < histogram->min_ns)
				value = histogram->min_ns;
			if (value > histogram->max_ns)
				value = histogram->max_ns;
			return value;
		}
	}
	return histogram->max_ns;
}

static void *worker_main(void *arg)
{
	struct worker *worker = arg;
	// Not a load: the message thread may post its first wake-up before this thread runs.
	uint32_t seen = 0;

	for (;;) {
		futex_wait_while(&worker->wake_seq, seen);
		uint64_t woken = now_ns();

		seen = atomic_load_explicit(&worker->wake_seq, memory_order_acquire);
		if (atomic_load_explicit(&worker->stop, memory_order_relaxed))
			return NULL;
		uint64_t posted = atomic_load_explicit(&worker->posted_ns, memory_order_relaxed);

		if (posted >= warmup_end_ns && woken < run_end_ns)
			histogram_record(&worker->histogram, woken - posted);
		if (transfer_bytes)
			memcpy(worker->buffer, worker->owner->buffer, transfer_bytes);

		struct message_thread *owner = worker->owner;

		// The last reply of the round wakes the message thread.
		if (atomic_fetch_sub_explicit(&owner->replies_pending, 1, memory_order_acq_rel) == 1) {
			atomic_fetch_add_explicit(&owner->done_seq, 1, memory_order_release);
			futex_wake_one(&owner->done_seq);
		}
	}
}

// Stamps then bumps: the release on wake_seq publishes the stamp to the worker it wakes.
static void post_wakeup(struct worker *worker)
{
	atomic_store_explicit(&worker->posted_ns, now_ns(), memory_order_relaxed);
	atomic_fetch_add_explicit(&worker->wake_seq, 1, memory_order_release);
	futex_wake_one(&worker->wake_seq);
}

static void *message_main(void *arg)
{
	struct message_thread *message = arg;

	while (!atomic_load_explicit(&stopping, memory_order_relaxed)) {
		uint32_t done = atomic_load_explicit(&message->done_seq, memory_order_acquire);

		if (transfer_bytes)
			memset(message->buffer, (int)(done & 0xff), transfer_bytes); // fresh data
		// Before any wake-up: the first reply may come before the last wake-up is posted.
		atomic_store_explicit(&message->replies_pending, (uint32_t)message->worker_count,
				      memory_order_relaxed);
		for (unsigned long i = 0; i < message->worker_count; i++)
			post_wakeup(&message->workers[i]);
		futex_wait_while(&message->done_seq, done);
	}
	for (unsigned long i = 0; i < message->worker_count; i++) {
		atomic_store_explicit(&message->workers[i].stop, true, memory_order_relaxed);
		post_wakeup(&message->workers[i]);
	}
	return NULL;
}

static void *allocate(size_t size)
{
	void *memory = calloc(1, size);

	if (!memory)
		die("calloc");
	return memory;
}

// For the structs with futex words: each starts on a cache line of its own.
static void *allocate_lines(size_t count, size_t size)
{
	size_t bytes = (count * size + 63) / 64 * 64;
	void *memory = aligned_alloc(64, bytes);

	if (!memory)
		die("aligned_alloc");
	return memset(memory, 0, bytes);
}

static void start_thread(pthread_t *thread, void *(*body)(void *), void *arg)
{
	int err = pthread_create(thread, NULL, body, arg);

	if (err != 0) {
		errno = err;
		die("pthread_create");
	}
}

static void join_thread(pthread_t thread)
{
	int err = pthread_join(thread, NULL);

	if (err != 0) {
		errno = err;
		die("pthread_join");
	}
}

int main(int argc, char **argv)
{
	unsigned long message_count = DEFAULT_MESSAGE_THREADS, worker_count = DEFAULT_WORKERS;
	unsigned long seconds = DEFAULT_SECONDS;
	int opt;

	transfer_bytes = DEFAULT_BYTES;
	opterr = 0; // our own one-line messages instead of getopt's
	while ((opt = getopt(argc, argv, "m:t:r:p:")) != -1) {
		switch (opt) {
		case 'm':
			message_count = parse_count("-m", optarg, 1, MAX_THREADS);
			break;
		case 't':
			worker_count = parse_count("-t", optarg, 1, MAX_THREADS);
			break;
		case 'r':
			seconds = parse_count("-r", optarg, 1, MAX_SECONDS);
			break;
		case 'p':
			transfer_bytes = parse_count("-p", optarg, 0, MAX_BYTES);
			break;
		default:
			option_error("m:t:r:p:");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);

	struct message_thread *messages = allocate_lines(message_count, sizeof(*messages));

	for (unsigned long m = 0; m < message_count; m++) {
		messages[m].worker_count = worker_count;
		messages[m].workers = allocate_lines(worker_count, sizeof(struct worker));
		if (transfer_bytes)
			messages[m].buffer = allocate(transfer_bytes);
		for (unsigned long w = 0; w < worker_count; w++) {
			messages[m].workers[w].owner = &messages[m];
			if (transfer_bytes)
				messages[m].workers[w].buffer = allocate(transfer_bytes);
		}
	}

	// The windows are set before any thread exists, so threads read them without locking.
	uint64_t start = now_ns(), run_ns = seconds * 1000000000ull;

	warmup_end_ns = start + run_ns / 10;
	run_end_ns = start + run_ns;
	for (unsigned long m = 0; m < message_count; m++)
		for (unsigned long w = 0; w < worker_count; w++)
			start_thread(&messages[m].workers[w].thread, worker_main,
				     &messages[m].workers[w]);
	for (unsigned long m = 0; m < message_count; m++)
		start_thread(&messages[m].thread, message_main, &messages[m]);

	struct timespec end = {
		.tv_sec = (time_t)(run_end_ns / 1000000000u),
		.tv_nsec = (long)(run_end_ns % 1000000000u),
	};
	int err;

	while ((err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL)) != 0) {
		if (err != EINTR) {
			errno = err;
			die("clock_nanosleep");
		}
	}
	atomic_store_explicit(&stopping, true, memory_order_relaxed);

	struct histogram *all = allocate(sizeof(*all));

	for (unsigned long m = 0; m < message_count; m++) {
		join_thread(messages[m].thread);
		for (unsigned long w = 0; w < worker_count; w++) {
			join_thread(messages[m].workers[w].thread);
			histogram_merge(all, &messages[m].workers[w].histogram);
		}
	}
	for (unsigned long m = 0; m < message_count; m++) {
		for (unsigned long w = 0; w < worker_count; w++)
			free(messages[m].workers[w].buffer);
		free(messages[m].workers);
		free(messages[m].buffer);
	}
	free(messages);
	if (all->samples == 0) {
		fprintf(stderr, "wakeup-latency: no wake-up completed after the warm-up\n");
		return 1;
	}

	static const struct {
		const char *name;
		unsigned int permille;
	} percentiles[] = {
		{"p50", 500}, {"p75", 750}, {"p90", 900}, {"p95", 950},
		{"p99", 990}, {"p99_5", 995}, {"p99_9", 999},
	};

	printf("wakeup: samples=%llu", (unsigned long long)all->samples);
	for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++)
		printf(" %s_us=%.1f", percentiles[i].name,
		       (double)histogram_percentile(all, percentiles[i].permille) / 1e3);
	printf(" min_us=%.1f max_us=%.1f ops_per_sec=%.0f\n", (double)all->min_ns / 1e3,
	       (double)all->max_ns / 1e3,
	       (double)all->samples / ((double)(run_end_ns - warmup_end_ns) / 1e9));
	free(all);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "wakeup-latency: writing the result failed\n");
		return 1;
	}
	return 0;
}
