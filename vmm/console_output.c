#include "console_output.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "log.h"
#include "monotonic_clock.h"

size_t output_ring_put(struct output_ring *ring, const void *bytes, size_t count)
{
	const uint8_t *in = bytes;
	size_t room = ring->capacity - ring->count, stored = count < room ? count : room;
	size_t tail = (ring->head + ring->count) % (ring->capacity ? ring->capacity : 1);
	size_t first = stored < ring->capacity - tail ? stored : ring->capacity - tail;

	memcpy(ring->bytes + tail, in, first);
	memcpy(ring->bytes, in + first, stored - first);
	ring->count += stored;
	ring->dropped += count - stored;
	return stored;
}

size_t output_ring_peek(const struct output_ring *ring, const uint8_t **chunk)
{
	size_t contiguous = ring->capacity - ring->head;

	*chunk = ring->bytes + ring->head;
	return ring->count < contiguous ? ring->count : contiguous;
}

void output_ring_consume(struct output_ring *ring, size_t n)
{
	ring->head = (ring->head + n) % ring->capacity;
	ring->count -= n;
	if (ring->count == 0)
		ring->head = 0;
}

/* The output thread and what the vCPUs share with it; lock guards every field below it. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* bytes put, a chunk written, or stop asked */
	struct output_ring ring;
	int fd;
	bool running;
	bool stopping;
	bool writing;           /* the thread is in write(), outside the lock */
	bool reader_gone;       /* EPIPE or another hard error: output is discarded from now on */
	bool warned;
	pthread_t thread;
} output = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER, .fd = -1 };

/* Writes all of it unless the reader is gone; may block as long as the reader does not read. */
static bool write_all(int fd, const uint8_t *bytes, size_t count)
{
	while (count) {
		ssize_t n = write(fd, bytes, count);

		if (n < 0 && errno == EAGAIN) { /* a descriptor someone else made non-blocking */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			poll(&pfd, 1, 100);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		bytes += n;
		count -= (size_t)n;
	}
	return true;
}

static void *output_thread(void *unused)
{
	static uint8_t chunk_copy[65536];
	const uint8_t *chunk;
	size_t n;
	bool ok;

	(void)unused;
	confine_thread(CONFINE_CONSOLE_OUTPUT);
	pthread_mutex_lock(&output.lock);
	for (;;) {
		while (output.ring.count == 0 && !output.stopping)
			pthread_cond_wait(&output.changed, &output.lock);
		if (output.ring.count == 0)
			break;
		/* Copied out so that the ring has room again while this thread waits on the reader. */
		n = output_ring_peek(&output.ring, &chunk);
		if (n > sizeof(chunk_copy))
			n = sizeof(chunk_copy);
		memcpy(chunk_copy, chunk, n);
		output_ring_consume(&output.ring, n);
		output.writing = true;
		pthread_mutex_unlock(&output.lock);

		ok = write_all(output.fd, chunk_copy, n);

		pthread_mutex_lock(&output.lock);
		output.writing = false;
		if (!ok) {
			output.reader_gone = true;
			output.ring.count = 0;
			output.ring.head = 0;
		}
		pthread_cond_broadcast(&output.changed);
	}
	pthread_mutex_unlock(&output.lock);
	return NULL;
}

int console_output_start(int fd, size_t ring_bytes)
{
	uint8_t *bytes = malloc(ring_bytes);
	int err;

	if (!bytes)
		return -1;
	pthread_mutex_lock(&output.lock);
	output.ring = (struct output_ring){ .bytes = bytes, .capacity = ring_bytes };
	output.fd = fd;
	output.stopping = output.reader_gone = output.warned = output.writing = false;
	err = pthread_create(&output.thread, NULL, output_thread, NULL);
	output.running = err == 0;
	pthread_mutex_unlock(&output.lock);
	if (err) {
		free(bytes);
		output.ring.bytes = NULL;
		errno = err;
		return -1;
	}
	return 0;
}

bool console_output_running(void)
{
	bool running;

	pthread_mutex_lock(&output.lock);
	running = output.running;
	pthread_mutex_unlock(&output.lock);
	return running;
}

void console_output_put(const void *bytes, size_t count)
{
	size_t ring_kib = 0;
	bool warn = false;

	pthread_mutex_lock(&output.lock);
	if (!output.running) {
		pthread_mutex_unlock(&output.lock);
		write_all(STDOUT_FILENO, bytes, count);
		return;
	}
	if (!output.reader_gone && count) {
		if (output_ring_put(&output.ring, bytes, count) < count && !output.warned) {
			output.warned = warn = true;
			ring_kib = output.ring.capacity >> 10;
		}
		pthread_cond_signal(&output.changed);
	}
	pthread_mutex_unlock(&output.lock);
	/* Once, from the vCPU that first lost bytes; a stuck stderr costs it at most log's 200 ms. */
	if (warn)
		log_warning("standard output is not taking the guest's console output: dropping what does not fit in lvmm's %zu KiB buffer (the count is given at exit)",
			    ring_kib);
}

uint64_t console_output_dropped(void)
{
	uint64_t dropped;

	pthread_mutex_lock(&output.lock);
	dropped = output.ring.dropped;
	pthread_mutex_unlock(&output.lock);
	return dropped;
}

static bool deadline_passed(const struct timespec *at)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > at->tv_sec || (now.tv_sec == at->tv_sec && now.tv_nsec >= at->tv_nsec);
}

/* Caller holds the lock. The condition variable runs on CLOCK_REALTIME by default, so the
 * wait is sliced and the deadline kept on CLOCK_MONOTONIC. */
static void wait_changed_briefly(void)
{
	struct timespec at;

	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += 20 * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&output.changed, &output.lock, &at);
}

bool console_output_flush(unsigned int timeout_ms)
{
	struct timespec deadline;
	bool drained;

	monotonic_deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&output.lock);
	while (output.running && (output.ring.count || output.writing) && !deadline_passed(&deadline))
		wait_changed_briefly();
	drained = !output.running || (output.ring.count == 0 && !output.writing);
	pthread_mutex_unlock(&output.lock);
	return drained;
}

void console_output_stop(unsigned int timeout_ms)
{
	bool stuck;

	if (!console_output_running())
		return;
	console_output_flush(timeout_ms);
	pthread_mutex_lock(&output.lock);
	output.stopping = true;
	/* What is left after the timeout is not waited for: dropped, and counted so. */
	output.ring.dropped += output.ring.count;
	output.ring.count = 0;
	stuck = output.writing;
	pthread_cond_broadcast(&output.changed);
	output.running = false;
	pthread_mutex_unlock(&output.lock);
	/* A thread blocked on a reader that never reads ends with the process, not before. */
	if (stuck) {
		pthread_detach(output.thread);
		return;
	}
	pthread_join(output.thread, NULL);
	pthread_mutex_lock(&output.lock);
	free(output.ring.bytes);
	output.ring.bytes = NULL;
	output.ring.capacity = 0;
	pthread_mutex_unlock(&output.lock);
}
