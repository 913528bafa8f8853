/*
 * Worker threads that serve a virtio device's requests in parallel (virtio-blk): the device's
 * I/O thread pops chains into request slots and hands them out; each worker serves one with no
 * lock held (a disk's preadv or pwritev), then returns it to the guest and raises the
 * interrupt. So several requests the guest has in flight are in the host's file system at once,
 * instead of one after another on the I/O thread.
 *
 * Lifetime and locking:
 * - dispatch and drain run with the transport's lock held (from process_queue and the
 *   transport's drain hook); a worker takes that lock only to return a request.
 * - drain waits, before the driver's reset or a queue's disabling takes effect, until every
 *   popped request is back in the used ring: the rings a worker writes stay the rings the
 *   driver set up.
 * - start starts the workers, then the transport's I/O thread; stop stops the I/O thread, so
 *   that nothing more is handed out, then lets the workers finish what was, and joins them.
 *   Start may follow again. A device on a pool starts and stops its transport only so.
 */
#ifndef LVMM_HW_VIRTIO_REQUEST_POOL_H
#define LVMM_HW_VIRTIO_REQUEST_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio_mmio.h"
#include "vmm/virtqueue.h"

#define VIRTIO_REQUEST_POOL_MAX_WORKERS 8

struct virtio_request {
	struct virtio_request *next;
	unsigned int queue;
	struct virtqueue_chain chain;
};

/* Serves one request on worker (0..workers-1) with no lock held; returns the bytes it wrote
 * into the chain's writable segments. */
typedef uint32_t (*virtio_request_serve)(void *state, struct virtio_request *request,
					 unsigned int worker);

struct virtio_request_pool;

/* One worker thread and its counters, read once the pool stopped (clocked only when timed). */
struct virtio_request_worker {
	struct virtio_request_pool *pool;
	unsigned int index;
	pthread_t thread;
	uint64_t busy_ns;      /* serving and returning requests, the interrupt left out */
	uint64_t interrupt_ns; /* raising the used-buffer interrupt */
};

struct virtio_request_pool {
	struct virtio_mmio *transport;
	virtio_request_serve serve;
	void *state;
	bool timed;
	unsigned int worker_count;
	struct virtio_request *slots;
	/* Under the transport's lock. */
	struct virtio_request *free_slots;
	unsigned int in_flight;              /* popped, not yet back in the used ring */
	bool draining;
	/* The queue may hold chains not taken (no free slot, or a drain): wake it later. */
	bool look_again[VIRTIO_MMIO_MAX_QUEUES];
	pthread_cond_t drained;              /* waited on with the transport's lock */
	/* Under lock. */
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct virtio_request *pending_head, *pending_tail;
	bool stopping;
	unsigned int workers_started;
	char thread_prefix[8];
	/* Requests being served at this moment, and the most there ever were at once: evidence,
	 * in the disk's debug line, that requests did overlap. */
	atomic_uint in_service;
	atomic_uint in_service_max;
	struct virtio_request_worker workers[VIRTIO_REQUEST_POOL_MAX_WORKERS];
};

/* workers (1..VIRTIO_REQUEST_POOL_MAX_WORKERS) threads over slots request slots; thread_prefix
 * (up to 7 characters) names them "lvmm-<prefix>-wN". -1 with one line in err. */
int virtio_request_pool_init(struct virtio_request_pool *pool, struct virtio_mmio *transport,
			     virtio_request_serve serve, void *state, unsigned int workers,
			     unsigned int slots, const char *thread_prefix, bool timed, char *err,
			     size_t err_size);
int virtio_request_pool_start(struct virtio_request_pool *pool, char *err, size_t err_size);
/* From process_queue (transport lock held): hands out what queue has, as far as slots go. */
void virtio_request_pool_dispatch(struct virtio_request_pool *pool, unsigned int queue);
/* Transport lock held; releases it while it waits for the requests in flight. */
void virtio_request_pool_drain(struct virtio_request_pool *pool);
void virtio_request_pool_stop(struct virtio_request_pool *pool);
/* Stops, then frees the pool: before virtio_mmio_destroy (the workers use its lock). */
void virtio_request_pool_destroy(struct virtio_request_pool *pool);

#endif
