/*
 * virtio-rng (--rng): the guest's /dev/hwrng, filled from the host's getrandom(). One request
 * queue; each buffer the driver offers comes back full.
 */
#include "virtio_rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "virtio_mmio.h"
#include "vmm/cli.h"
#include "vmm/log.h"
#include "vmm/vm.h"

struct virtio_rng {
	struct virtio_mmio transport; /* first: virtio_mmio_device_start/stop take the state as it */
};

/* Fills each writable segment; getrandom() blocks only before the host's pool is initialised,
 * long past by the time a guest asks. */
static uint32_t virtio_rng_fill(const struct virtqueue_chain *chain)
{
	uint32_t written = 0;

	for (unsigned int i = 0; i < chain->writable_count; i++) {
		uint8_t *at = chain->writable[i].iov_base;
		size_t left = chain->writable[i].iov_len;

		while (left > 0) {
			ssize_t n = getrandom(at, left, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return written;
			at += n;
			left -= (size_t)n;
			written += (uint32_t)n;
		}
	}
	return written;
}

static void virtio_rng_process(struct virtio_mmio *transport, unsigned int queue)
{
	struct virtqueue_chain *chain;

	do {
		while ((chain = virtio_mmio_pop(transport, queue)))
			virtio_mmio_push(transport, queue, chain->head, virtio_rng_fill(chain));
	} while (virtio_mmio_rearm(transport, queue));
	virtio_mmio_flush(transport, queue);
}

static const struct virtio_device_ops virtio_rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.queue_count = 1,
	.process_queue = virtio_rng_process,
};

static unsigned int virtio_rng_instances(const struct run_options *opts)
{
	return opts->rng ? 1 : 0;
}

static int virtio_rng_create(struct device *device, char *err, size_t err_size)
{
	struct virtio_rng *rng;

	if (device_alloc_state(device, sizeof(*rng), err, err_size))
		return -1;
	rng = device->state;
	return virtio_mmio_create(&rng->transport, device, &virtio_rng_ops, rng, NULL, 0, err,
				  err_size);
}

static void virtio_rng_destroy(struct device *device)
{
	struct virtio_rng *rng = device->state;

	if (!rng)
		return;
	virtio_mmio_destroy(&rng->transport);
	free(rng);
	device->state = NULL;
}

const struct device_class virtio_rng_device = {
	.name = "virtio-rng",
	.instances = virtio_rng_instances,
	.create = virtio_rng_create,
	.describe = virtio_mmio_describe,
	.start = virtio_mmio_device_start,
	.stop = virtio_mmio_device_stop,
	.destroy = virtio_rng_destroy,
};
