#include "virtio_request_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/confine.h"
#include "vmm/monotonic_clock.h"

static uint64_t pool_clock(const struct virtio_request_pool *pool)
{
	return pool->timed ? monotonic_ns() : 0;
}

int virtio_request_pool_init(struct virtio_request_pool *pool, struct virtio_mmio *transport,
			     virtio_request_serve serve, void *state, unsigned int workers,
			     unsigned int slots, const char *thread_prefix, bool timed, char *err,
			     size_t err_size)
{
	*pool = (struct virtio_request_pool){
		.transport = transport, .serve = serve, .state = state, .timed = timed,
		.worker_count = workers,
	};
	snprintf(pool->thread_prefix, sizeof(pool->thread_prefix), "%s", thread_prefix);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->drained, NULL);
	atomic_init(&pool->in_service, 0);
	atomic_init(&pool->in_service_max, 0);
	for (unsigned int i = 0; i < VIRTIO_REQUEST_POOL_MAX_WORKERS; i++)
		pool->workers[i] = (struct virtio_request_worker){ .pool = pool, .index = i };
	if (workers < 1 || workers > VIRTIO_REQUEST_POOL_MAX_WORKERS || slots < 1) {
		snprintf(err, err_size, "%s: %u workers over %u slots is not a pool",
			 virtio_mmio_name(transport), workers, slots);
		return -1;
	}
	/* Each slot holds a whole chain (32 KiB of iovecs); calloc leaves the pages a guest never
	 * fills untouched. */
	pool->slots = calloc(slots, sizeof(*pool->slots));
	if (!pool->slots) {
		snprintf(err, err_size, "creating the %s failed: out of memory",
			 virtio_mmio_name(transport));
		return -1;
	}
	for (unsigned int i = slots; i-- > 0;) {
		pool->slots[i].next = pool->free_slots;
		pool->free_slots = &pool->slots[i];
	}
	return 0;
}

/* Back to the guest, transport lock held: the used ring, the interrupt, the slot. Returns the
 * interrupt's ns. */
static uint64_t pool_answer(struct virtio_request_pool *pool, struct virtio_request *request,
			    uint32_t written)
{
	struct virtio_mmio *transport = pool->transport;
	unsigned int queue = request->queue;
	uint64_t interrupt_start, interrupt_ns;

	virtio_mmio_push(transport, queue, request->chain.head, written);
	pool->in_flight--;
	/* Every answer raises its own interrupt (if the driver wants one): holding it back for
	 * another request in service would tie a fast read's completion to a slow flush's. */
	interrupt_start = pool_clock(pool);
	virtio_mmio_flush(transport, queue);
	interrupt_ns = pool_clock(pool) - interrupt_start;
	request->next = pool->free_slots;
	pool->free_slots = request;
	if (pool->look_again[queue]) {
		pool->look_again[queue] = false;
		virtio_mmio_wake(transport, queue);
	}
	if (!pool->in_flight)
		pthread_cond_broadcast(&pool->drained);
	return interrupt_ns;
}

/* Hands a popped request to the workers. */
static void pool_hand_out(struct virtio_request_pool *pool, struct virtio_request *request)
{
	pthread_mutex_lock(&pool->lock);
	request->next = NULL;
	if (pool->pending_tail)
		pool->pending_tail->next = request;
	else
		pool->pending_head = request;
	pool->pending_tail = request;
	pthread_cond_signal(&pool->work);
	pthread_mutex_unlock(&pool->lock);
}

void virtio_request_pool_dispatch(struct virtio_request_pool *pool, unsigned int queue)
{
	struct virtio_mmio *transport = pool->transport;

	/* A reset or a queue's disabling waits for the requests in flight: take no more until
	 * it is done (the drain looks again at this queue then). */
	if (pool->draining) {
		pool->look_again[queue] = true;
		return;
	}
	do {
		while (pool->free_slots) {
			struct virtio_request *request = pool->free_slots;

			if (!virtio_mmio_pop_into(transport, queue, &request->chain))
				break;
			pool->free_slots = request->next;
			request->queue = queue;
			pool->in_flight++;
			/* With no worker running (before start; the fuzz harness plays the I/O
			 * thread so, without threads) the request is served here and now. */
			if (pool->workers_started)
				pool_hand_out(pool, request);
			else
				pool_answer(pool, request, pool->serve(pool->state, request, 0));
		}
		if (!pool->free_slots) {
			/* The ring may hold more: the worker that frees a slot looks again. */
			pool->look_again[queue] = true;
			return;
		}
	} while (virtio_mmio_rearm(transport, queue));
}

void virtio_request_pool_drain(struct virtio_request_pool *pool)
{
	pool->draining = true;
	while (pool->in_flight)
		pthread_cond_wait(&pool->drained, &pool->transport->lock);
	pool->draining = false;
	/* What arrived meanwhile on the queues that stay: their kick was taken. */
	for (unsigned int queue = 0; queue < VIRTIO_MMIO_MAX_QUEUES; queue++)
		if (pool->look_again[queue]) {
			pool->look_again[queue] = false;
			virtio_mmio_wake(pool->transport, queue);
		}
}

static void pool_note_in_service(struct virtio_request_pool *pool)
{
	unsigned int now = atomic_fetch_add(&pool->in_service, 1) + 1;
	unsigned int most = atomic_load(&pool->in_service_max);

	while (now > most && !atomic_compare_exchange_weak(&pool->in_service_max, &most, now))
		;
}

static void *pool_worker(void *argument)
{
	struct virtio_request_worker *worker = argument;
	struct virtio_request_pool *pool = worker->pool;

	/* before it touches anything the guest wrote */
	confine_thread(CONFINE_IO);
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct virtio_request *request;
		uint64_t start, interrupt_ns;
		uint32_t written;

		while (!pool->pending_head && !pool->stopping)
			pthread_cond_wait(&pool->work, &pool->lock);
		/* Stopping ends a worker only once nothing handed out is left. */
		request = pool->pending_head;
		if (!request)
			break;
		pool->pending_head = request->next;
		if (!pool->pending_head)
			pool->pending_tail = NULL;
		pthread_mutex_unlock(&pool->lock);

		start = pool_clock(pool);
		pool_note_in_service(pool);
		written = pool->serve(pool->state, request, worker->index);
		atomic_fetch_sub(&pool->in_service, 1);
		pthread_mutex_lock(&pool->transport->lock);
		interrupt_ns = pool_answer(pool, request, written);
		pthread_mutex_unlock(&pool->transport->lock);
		worker->busy_ns += pool_clock(pool) - start - interrupt_ns;
		worker->interrupt_ns += interrupt_ns;
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

int virtio_request_pool_start(struct virtio_request_pool *pool, char *err, size_t err_size)
{
	pool->stopping = false;
	for (unsigned int i = 0; i < pool->worker_count; i++) {
		struct virtio_request_worker *worker = &pool->workers[i];
		int ret = pthread_create(&worker->thread, NULL, pool_worker, worker);
		char name[32];

		if (ret) {
			snprintf(err, err_size, "starting the workers of the %s failed: %s",
				 virtio_mmio_name(pool->transport), strerror(ret));
			return -1;
		}
		pool->workers_started++;
		/* top -H tells them from the device's I/O thread (the kernel keeps 15 characters). */
		snprintf(name, sizeof(name), "lvmm-%s-w%u", pool->thread_prefix, i);
		name[15] = '\0';
		pthread_setname_np(worker->thread, name);
	}
	return virtio_mmio_start(pool->transport, err, err_size);
}

void virtio_request_pool_stop(struct virtio_request_pool *pool)
{
	virtio_mmio_stop(pool->transport);
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned int i = 0; i < pool->workers_started; i++)
		pthread_join(pool->workers[i].thread, NULL);
	pool->workers_started = 0;
}

void virtio_request_pool_destroy(struct virtio_request_pool *pool)
{
	if (!pool->transport)
		return;
	virtio_request_pool_stop(pool);
	free(pool->slots);
	pthread_cond_destroy(&pool->drained);
	pthread_cond_destroy(&pool->work);
	pthread_mutex_destroy(&pool->lock);
	pool->transport = NULL;
}
