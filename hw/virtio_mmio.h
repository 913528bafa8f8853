/*
 * The virtio-mmio transport, version 2 ("modern"), virtio 1.2 section 4.2: the register
 * window, feature negotiation, queue set-up and the device status, shared by every virtio
 * device in hw/. The data path needs no exit handled by lvmm: the guest's queue notifications
 * reach the device's I/O thread through KVM_IOEVENTFD, and used-buffer interrupts go back
 * through KVM_IRQFD.
 *
 * Threads: register accesses come from vCPU threads; queues are processed on the device's own
 * I/O thread. Both hold the transport's lock, so a device's queue handler never races a reset
 * or a queue being (re)configured.
 */
#ifndef LVMM_HW_VIRTIO_MMIO_H
#define LVMM_HW_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/device.h"
#include "vmm/virtqueue.h"

#define VIRTIO_MMIO_MAX_QUEUES 4

/* Device IDs (virtio 1.2 section 5). */
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4
#define VIRTIO_ID_9P      9

#define VIRTIO_F_VERSION_1 32

struct virtio_mmio;

/* What a virtio device gives the transport. */
struct virtio_device_ops {
	uint32_t device_id;
	uint64_t features;            /* the device's own bits; the transport adds its ring bits */
	unsigned int queue_count;
	/* QueueNumMax per queue, a power of two; 0: VIRTQUEUE_MAX_SIZE. Linux fills a receive
	 * queue with as many buffers as it holds when it probes the device. */
	uint16_t queue_size_max[VIRTIO_MMIO_MAX_QUEUES];
	/* Called on the I/O thread, transport lock held, when queue may have work: the device
	 * pops chains (virtio_mmio_pop) and returns them (virtio_mmio_push). */
	void (*process_queue)(struct virtio_mmio *transport, unsigned int queue);
	/* Before the driver's reset or a queue's disabling takes effect: wait until every chain
	 * popped is back in its used ring (devices that serve requests off the I/O thread). Lock
	 * held; it may release it while it waits. NULL: none. */
	void (*drain)(struct virtio_mmio *transport);
	/* The driver reset the device (status 0): forget per-driver state. Lock held. NULL: none. */
	void (*reset)(struct virtio_mmio *transport);
	/* The device is stopping, after every vCPU has (no guest runs any more): handles, once
	 * more, what the guest queued before the VM stopped and was not yet taken (a console's
	 * last output). On the I/O thread, lock held, only while the driver is live. NULL: none. */
	void (*last_pass)(struct virtio_mmio *transport);
	/* The I/O thread serves host files (virtio-9p): it confines itself as
	 * CONFINE_FILE_SERVER, with the file system calls, instead of CONFINE_IO. */
	bool file_server;
};

struct virtio_mmio_queue {
	uint16_t size;                /* QueueNum, as the driver set it */
	bool ready;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct virtqueue ring;        /* enabled while ready */
	int notify_fd;                /* KVM_IOEVENTFD on QueueNotify with this queue's index */
};

struct virtio_mmio {
	struct device *device;        /* placement (window, irq) and the VM */
	const struct virtio_device_ops *ops;
	void *state;                  /* the concrete device's */
	pthread_mutex_t lock;
	uint32_t status;
	uint32_t device_features_select;
	uint32_t driver_features_select;
	uint64_t driver_features;
	uint32_t queue_select;
	uint32_t config_generation;
	bool needs_reset;             /* the guest broke a queue: no processing until reset */
	atomic_uint interrupt_status;
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
	int interrupt_fd;             /* KVM_IRQFD on the device's interrupt */
	int stop_fd;
	pthread_t thread;
	bool thread_started;
	/* Config space, owned by the device: read (and for some devices written) by the guest. */
	uint8_t *config;
	uint32_t config_size;
	struct virtqueue_chain *chain; /* the I/O thread's scratch chain (large: on the heap) */
};

/* Creates the transport for device (window, irq): fds, ioeventfds, irqfd, the MMIO handler.
 * -1 with one line in err; virtio_mmio_destroy undoes a partial creation. */
int virtio_mmio_create(struct virtio_mmio *transport, struct device *device,
		       const struct virtio_device_ops *ops, void *state, uint8_t *config,
		       uint32_t config_size, char *err, size_t err_size);
int virtio_mmio_start(struct virtio_mmio *transport, char *err, size_t err_size);
void virtio_mmio_stop(struct virtio_mmio *transport);
void virtio_mmio_destroy(struct virtio_mmio *transport);

/* start and stop for a device class whose state begins with its struct virtio_mmio. */
int virtio_mmio_device_start(struct device *device, char *err, size_t err_size);
void virtio_mmio_device_stop(struct device *device);

/* The DT node: "virtio_mmio@base", compatible "virtio,mmio", the window and the interrupt. */
int virtio_mmio_describe(const struct device *device, struct device_tree *tree);

/* Makes the I/O thread look at queue (e.g. input arrived for a receive queue). Any thread. */
void virtio_mmio_wake(struct virtio_mmio *transport, unsigned int queue);

/*
 * For process_queue: the next chain of queue, or NULL when there is none or the guest broke
 * the queue (then it is reported once and the device waits for a reset).
 */
struct virtqueue_chain *virtio_mmio_pop(struct virtio_mmio *transport, unsigned int queue);
/* The same, into the caller's chain (one per request in flight); false for NULL above. */
bool virtio_mmio_pop_into(struct virtio_mmio *transport, unsigned int queue,
			  struct virtqueue_chain *chain);
/* Returns a chain; the interrupt is sent (if the driver wants one) by virtio_mmio_flush. */
void virtio_mmio_push(struct virtio_mmio *transport, unsigned int queue, uint16_t head,
		      uint32_t written);
/* Re-arms the guest's notifications; true if chains arrived meanwhile (process again). */
bool virtio_mmio_rearm(struct virtio_mmio *transport, unsigned int queue);
/* Sends the used-buffer interrupt if the driver asked for one. */
void virtio_mmio_flush(struct virtio_mmio *transport, unsigned int queue);

/* The device's name in messages: "virtio-blk 0". */
const char *virtio_mmio_name(const struct virtio_mmio *transport);

#endif
