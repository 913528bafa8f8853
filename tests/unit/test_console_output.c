#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "unit_test.h"
#include "vmm/console_output.h"

static uint8_t pattern_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 11));
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

TEST(output_ring_keeps_order_across_the_wrap_and_counts_what_it_drops)
{
	uint8_t storage[8], out[16];
	struct output_ring ring = { .bytes = storage, .capacity = sizeof(storage) };
	const uint8_t *chunk;
	size_t n, got = 0;

	EXPECT_EQ(output_ring_peek(&ring, &chunk), 0);
	EXPECT_EQ(output_ring_put(&ring, "abcdef", 6), 6);
	EXPECT_EQ(output_ring_peek(&ring, &chunk), 6);
	EXPECT_TRUE(memcmp(chunk, "abcdef", 6) == 0);
	output_ring_consume(&ring, 4); /* "ef" left, at the end of the storage */
	EXPECT_EQ(output_ring_put(&ring, "ghijklmnop", 10), 6); /* 2 + 6 = full: "op" dropped */
	EXPECT_EQ(ring.dropped, 4);
	EXPECT_EQ(ring.count, 8);
	/* The oldest bytes first, in two contiguous pieces across the end of the storage. */
	while ((n = output_ring_peek(&ring, &chunk)) > 0) {
		memcpy(out + got, chunk, n);
		got += n;
		output_ring_consume(&ring, n);
	}
	EXPECT_EQ(got, 8);
	EXPECT_TRUE(memcmp(out, "efghijkl", 8) == 0);
	EXPECT_EQ(output_ring_put(&ring, "", 0), 0);
	EXPECT_EQ(ring.dropped, 4);
}

struct pipe_reader {
	int fd;
	uint8_t *bytes;
	size_t size, got;
};

static void *read_everything(void *arg)
{
	struct pipe_reader *reader = arg;
	ssize_t n;

	while ((n = read(reader->fd, reader->bytes + reader->got, reader->size - reader->got)) > 0)
		reader->got += (size_t)n;
	return NULL;
}

TEST(console_output_delivers_everything_to_a_live_reader)
{
	enum { TOTAL = 512 * 1024 };
	static uint8_t sent[TOTAL], received[TOTAL + 1];
	struct pipe_reader reader = { .bytes = received, .size = sizeof(received) };
	pthread_t thread;
	int fds[2];

	for (size_t i = 0; i < TOTAL; i++)
		sent[i] = pattern_byte(i);
	EXPECT_EQ(pipe(fds), 0);
	reader.fd = fds[0];
	EXPECT_EQ(pthread_create(&thread, NULL, read_everything, &reader), 0);
	EXPECT_EQ(console_output_start(fds[1], 1u << 20), 0);
	EXPECT_TRUE(console_output_running());
	/* In the sizes a UART (one byte) and the test device (a line) put. */
	for (size_t i = 0; i < TOTAL;) {
		size_t n = i % 3 ? 1 : 97;

		if (n > TOTAL - i)
			n = TOTAL - i;
		console_output_put(sent + i, n);
		i += n;
	}
	EXPECT_TRUE(console_output_flush(10000));
	console_output_stop(1000);
	EXPECT_FALSE(console_output_running());
	EXPECT_EQ(console_output_dropped(), 0);
	close(fds[1]);
	pthread_join(thread, NULL);
	close(fds[0]);
	EXPECT_EQ(reader.got, TOTAL);
	EXPECT_TRUE(memcmp(received, sent, TOTAL) == 0);
}

/* The bug this replaces: a vCPU wrote to stdout itself and blocked for as long as the reader
 * did not read, holding the UART lock; SIGTERM could then not end lvmm. */
TEST(console_output_never_blocks_a_writer_on_a_reader_that_does_not_read)
{
	enum { RING = 64 * 1024, TOTAL = 4 * 1024 * 1024 };
	static uint8_t line[1024], first[1024];
	struct timespec start;
	int fds[2];
	ssize_t n;

	signal(SIGPIPE, SIG_IGN); /* as lvmm: a reader that left is an error, not a signal */
	for (size_t i = 0; i < sizeof(line); i++)
		line[i] = pattern_byte(i);
	EXPECT_EQ(pipe(fds), 0); /* nobody reads fds[0] until the end */
	EXPECT_EQ(console_output_start(fds[1], RING), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Twice 4 MiB: the first fills the ring and, once written, the pipe (64 KiB each); with
	 * the second the thread is stuck writing a further 64 KiB and the ring is full again. */
	for (size_t put = 0; put < TOTAL; put += sizeof(line))
		console_output_put(line, sizeof(line));
	console_output_flush(200);
	for (size_t put = 0; put < TOTAL; put += sizeof(line))
		console_output_put(line, sizeof(line));
	EXPECT_TRUE(console_output_dropped() >= 2 * TOTAL - 3 * RING);
	EXPECT_FALSE(console_output_flush(100));
	console_output_stop(100); /* leaves the output thread in its write, not this caller */
	EXPECT_FALSE(console_output_running());
	EXPECT_TRUE(seconds_since(&start) < 5.0); /* blocking would never end at all */
	EXPECT_TRUE(console_output_dropped() >= 2 * TOTAL - 2 * RING);
	/* What did get through is the start of the output, in order. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	n = read(fds[0], first, sizeof(first));
	EXPECT_EQ(n, (ssize_t)sizeof(first));
	EXPECT_TRUE(memcmp(first, line, sizeof(first)) == 0);
	/* Drain the pipe so the detached thread's write ends and it exits. */
	while (read(fds[0], first, sizeof(first)) > 0 || errno == EINTR)
		;
	close(fds[0]);
	close(fds[1]);
}
