#ifndef LVMM_CONSOLE_OUTPUT_H
#define LVMM_CONSOLE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Guest output (the UART, the test device's lines) on its way to stdout. A vCPU never waits
 * for the reader: it copies into a ring and goes on; one output thread writes the ring out and
 * alone may block on a stuck reader. What does not fit in the ring is dropped and counted, and
 * the output thread says so once on stderr. At exit lvmm waits a bounded time for the ring to
 * drain, so a stuck reader cannot keep it from ending.
 */

/* The ring itself, without locking or I/O: a FIFO of bytes that drops what does not fit. */
struct output_ring {
	uint8_t *bytes;
	size_t capacity;
	size_t head;      /* index of the oldest byte */
	size_t count;     /* bytes held */
	uint64_t dropped; /* bytes refused because the ring was full */
};

/* Stores what fits of bytes[0..count); counts the rest as dropped. Returns the bytes stored. */
size_t output_ring_put(struct output_ring *ring, const void *bytes, size_t count);
/* The oldest held bytes that are contiguous in memory: *chunk and their number (0 if empty). */
size_t output_ring_peek(const struct output_ring *ring, const uint8_t **chunk);
/* Forgets the n oldest bytes (n at most count). */
void output_ring_consume(struct output_ring *ring, size_t n);

#define CONSOLE_OUTPUT_RING_BYTES (1u << 20) /* 1 MiB: minutes of a chatty boot log */

/* Starts the output thread writing to fd, with a ring of ring_bytes. 0, or -1 with errno.
 * Before it is started (and after it is stopped), console_write writes directly. */
int console_output_start(int fd, size_t ring_bytes);
/* Copies guest output into the ring; never blocks on the reader. */
void console_output_put(const void *bytes, size_t count);
/* Waits up to timeout_ms for everything put so far to be written. true if it was. */
bool console_output_flush(unsigned int timeout_ms);
/* Bytes dropped so far because the reader did not keep up. */
uint64_t console_output_dropped(void);
/* Flushes for up to timeout_ms, then stops the thread if it is not stuck in a write (a thread
 * stuck on a reader that never reads is left to end with the process). */
void console_output_stop(unsigned int timeout_ms);
bool console_output_running(void);

#endif
