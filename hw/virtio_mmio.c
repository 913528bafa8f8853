#include "virtio_mmio.h"

#include <errno.h>
#include <libfdt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/confine.h"
#include "vmm/device_tree.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"
#include "vmm/vm.h"

/* Register offsets, virtio 1.2 section 4.2.2. */
enum {
	REG_MAGIC = 0x000, REG_VERSION = 0x004, REG_DEVICE_ID = 0x008, REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010, REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM_MAX = 0x034, REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044, REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_SEL = 0x0ac, REG_SHM_LEN_LOW = 0x0b0, REG_SHM_LEN_HIGH = 0x0b4,
	REG_SHM_BASE_LOW = 0x0b8, REG_SHM_BASE_HIGH = 0x0bc,
	REG_CONFIG_GENERATION = 0x0fc, REG_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC   0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION 2u
#define VIRTIO_MMIO_VENDOR  0x4d4d564cu /* "LVMM" */

#define STATUS_ACKNOWLEDGE  1u
#define STATUS_DRIVER       2u
#define STATUS_DRIVER_OK    4u
#define STATUS_FEATURES_OK  8u
#define STATUS_NEEDS_RESET  64u
#define STATUS_FAILED       128u

#define INTERRUPT_USED_BUFFER   1u
#define INTERRUPT_CONFIG_CHANGE 2u

static uint64_t virtio_mmio_offered_features(const struct virtio_mmio *transport)
{
	return transport->ops->features | (1ULL << VIRTIO_F_VERSION_1) |
	       (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
}

const char *virtio_mmio_name(const struct virtio_mmio *transport)
{
	return transport->device->class->name;
}

/* Walks len bytes of iov from offset, copying them out to buffer or in from it. */
static void virtio_mmio_raise(struct virtio_mmio *transport, unsigned int reason)
{
	uint64_t one = 1;

	atomic_fetch_or(&transport->interrupt_status, reason);
	if (write(transport->interrupt_fd, &one, sizeof(one)) < 0)
		log_limited(LOG_ERROR, "%s: raising its interrupt failed: %s",
			    virtio_mmio_name(transport), strerror(errno));
}

/* Drops everything the driver set up: the state a fresh device has (status 0). Lock held. */
static void virtio_mmio_reset(struct virtio_mmio *transport)
{
	if (transport->ops->drain)
		transport->ops->drain(transport);
	if (transport->ops->reset)
		transport->ops->reset(transport);
	transport->status = 0;
	transport->device_features_select = 0;
	transport->driver_features_select = 0;
	transport->driver_features = 0;
	transport->queue_select = 0;
	transport->needs_reset = false;
	atomic_store(&transport->interrupt_status, 0);
	for (unsigned int i = 0; i < transport->ops->queue_count; i++) {
		struct virtio_mmio_queue *queue = &transport->queues[i];

		queue->size = 0;
		queue->ready = false;
		queue->desc_gpa = queue->avail_gpa = queue->used_gpa = 0;
		memset(&queue->ring, 0, sizeof(queue->ring));
	}
}

/* The guest broke the rules on a queue: say so (limited), stop the device until it is reset,
 * and tell the driver through DEVICE_NEEDS_RESET and a configuration change interrupt. */
static void virtio_mmio_needs_reset(struct virtio_mmio *transport, const char *reason)
{
	if (transport->needs_reset)
		return;
	transport->needs_reset = true;
	log_limited(LOG_WARNING, "%s: the guest %s; the device stops until the guest resets it",
		    virtio_mmio_name(transport), reason);
	transport->status |= STATUS_NEEDS_RESET;
	if (transport->status & STATUS_DRIVER_OK)
		virtio_mmio_raise(transport, INTERRUPT_CONFIG_CHANGE);
}

static void virtio_mmio_queue_ready(struct virtio_mmio *transport, uint32_t value)
{
	/* Taken before a drain can let other register writes in. */
	struct virtio_mmio_queue *queue = &transport->queues[transport->queue_select];
	bool event_idx = transport->driver_features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	bool indirect = transport->driver_features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	char reason[160], message[256];

	if (!value) {
		if (queue->ready && transport->ops->drain)
			transport->ops->drain(transport);
		queue->ready = false;
		memset(&queue->ring, 0, sizeof(queue->ring));
		return;
	}
	if (queue->ready)
		return;
	if (virtqueue_enable(&queue->ring, &transport->device->vm->memory, queue->size,
			     queue->desc_gpa, queue->avail_gpa, queue->used_gpa, event_idx, indirect,
			     reason, sizeof(reason))) {
		snprintf(message, sizeof(message), "set up queue %u wrongly (%s)",
			 transport->queue_select, reason);
		virtio_mmio_needs_reset(transport, message);
		return;
	}
	queue->ready = true;
}

static void virtio_mmio_write_status(struct virtio_mmio *transport, uint32_t value)
{
	if (value == 0) {
		virtio_mmio_reset(transport);
		return;
	}
	/* FEATURES_OK stands only if the driver took nothing the device did not offer, and took
	 * VERSION_1 (a legacy driver cannot drive a version 2 transport). */
	if ((value & STATUS_FEATURES_OK) && !(transport->status & STATUS_FEATURES_OK)) {
		uint64_t offered = virtio_mmio_offered_features(transport);

		if ((transport->driver_features & ~offered) ||
		    !(transport->driver_features & (1ULL << VIRTIO_F_VERSION_1)))
			value &= ~STATUS_FEATURES_OK;
	}
	transport->status = (value & 0xff) | (transport->status & STATUS_NEEDS_RESET);
	if (value & STATUS_DRIVER_OK)
		for (unsigned int i = 0; i < transport->ops->queue_count; i++)
			virtio_mmio_wake(transport, i);
}

static uint16_t queue_size_max(const struct virtio_mmio *transport, uint32_t queue)
{
	if (queue >= transport->ops->queue_count)
		return 0;
	return transport->ops->queue_size_max[queue] ? transport->ops->queue_size_max[queue] :
						       VIRTQUEUE_MAX_SIZE;
}

static uint32_t virtio_mmio_read_register(struct virtio_mmio *transport, uint64_t offset)
{
	struct virtio_mmio_queue *queue = &transport->queues[transport->queue_select];
	uint64_t features = virtio_mmio_offered_features(transport);

	switch (offset) {
	case REG_MAGIC: return VIRTIO_MMIO_MAGIC;
	case REG_VERSION: return VIRTIO_MMIO_VERSION;
	case REG_DEVICE_ID: return transport->ops->device_id;
	case REG_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
	case REG_DEVICE_FEATURES:
		return transport->device_features_select == 0 ? (uint32_t)features :
		       transport->device_features_select == 1 ? (uint32_t)(features >> 32) : 0;
	case REG_QUEUE_NUM_MAX:
		return queue_size_max(transport, transport->queue_select);
	case REG_QUEUE_READY: return queue->ready;
	case REG_STATUS: return transport->status;
	case REG_QUEUE_DESC_LOW: return (uint32_t)queue->desc_gpa;
	case REG_QUEUE_DESC_HIGH: return (uint32_t)(queue->desc_gpa >> 32);
	case REG_QUEUE_DRIVER_LOW: return (uint32_t)queue->avail_gpa;
	case REG_QUEUE_DRIVER_HIGH: return (uint32_t)(queue->avail_gpa >> 32);
	case REG_QUEUE_DEVICE_LOW: return (uint32_t)queue->used_gpa;
	case REG_QUEUE_DEVICE_HIGH: return (uint32_t)(queue->used_gpa >> 32);
	/* No shared memory regions: a length of all ones says "no such region". */
	case REG_SHM_LEN_LOW: case REG_SHM_LEN_HIGH:
	case REG_SHM_BASE_LOW: case REG_SHM_BASE_HIGH:
		return 0xffffffffu;
	case REG_CONFIG_GENERATION: return transport->config_generation;
	default: return 0;
	}
}

static void set_low(uint64_t *field, uint32_t value)
{
	*field = (*field & 0xffffffff00000000ULL) | value;
}

static void set_high(uint64_t *field, uint32_t value)
{
	*field = (*field & 0xffffffffULL) | ((uint64_t)value << 32);
}

static void virtio_mmio_write_register(struct virtio_mmio *transport, uint64_t offset,
				       uint32_t value)
{
	struct virtio_mmio_queue *queue = &transport->queues[transport->queue_select];
	/* Queue registers only change while the queue is off, and never once the driver is
	 * up and running... a driver that does otherwise gets its write ignored. */
	bool queue_writable = !queue->ready && transport->queue_select < transport->ops->queue_count;

	switch (offset) {
	case REG_DEVICE_FEATURES_SEL: transport->device_features_select = value; break;
	case REG_DRIVER_FEATURES_SEL: transport->driver_features_select = value; break;
	case REG_DRIVER_FEATURES:
		if (transport->status & STATUS_FEATURES_OK)
			break;
		if (transport->driver_features_select == 0)
			set_low(&transport->driver_features, value);
		else if (transport->driver_features_select == 1)
			set_high(&transport->driver_features, value);
		break;
	case REG_QUEUE_SEL:
		if (value < VIRTIO_MMIO_MAX_QUEUES)
			transport->queue_select = value;
		break;
	case REG_QUEUE_NUM:
		if (queue_writable)
			queue->size = value > queue_size_max(transport, transport->queue_select) ?
				      0 : (uint16_t)value;
		break;
	case REG_QUEUE_READY:
		if (transport->queue_select < transport->ops->queue_count)
			virtio_mmio_queue_ready(transport, value);
		break;
	case REG_STATUS: virtio_mmio_write_status(transport, value); break;
	case REG_QUEUE_DESC_LOW: if (queue_writable) set_low(&queue->desc_gpa, value); break;
	case REG_QUEUE_DESC_HIGH: if (queue_writable) set_high(&queue->desc_gpa, value); break;
	case REG_QUEUE_DRIVER_LOW: if (queue_writable) set_low(&queue->avail_gpa, value); break;
	case REG_QUEUE_DRIVER_HIGH: if (queue_writable) set_high(&queue->avail_gpa, value); break;
	case REG_QUEUE_DEVICE_LOW: if (queue_writable) set_low(&queue->used_gpa, value); break;
	case REG_QUEUE_DEVICE_HIGH: if (queue_writable) set_high(&queue->used_gpa, value); break;
	default: break; /* read-only or unknown: ignored */
	}
}

static void virtio_mmio_access(void *context, uint64_t offset, uint8_t *data, uint32_t len,
			       bool is_write)
{
	struct virtio_mmio *transport = context;

	/* The interrupt handler's registers, and a notification that missed its ioeventfd, need
	 * no lock: a vCPU taking an interrupt must not wait for the I/O thread's disk flush. */
	if (len == 4 && offset == REG_INTERRUPT_STATUS && !is_write) {
		mmio_data_write(data, len, atomic_load(&transport->interrupt_status));
		return;
	}
	if (len == 4 && offset == REG_INTERRUPT_ACK && is_write) {
		atomic_fetch_and(&transport->interrupt_status, ~(uint32_t)mmio_data_read(data, len));
		return;
	}
	if (len == 4 && offset == REG_QUEUE_NOTIFY && is_write) {
		uint64_t queue = mmio_data_read(data, len);

		if (queue < transport->ops->queue_count)
			virtio_mmio_wake(transport, (unsigned int)queue);
		return;
	}
	pthread_mutex_lock(&transport->lock);
	if (offset >= REG_CONFIG) {
		/* The device-specific configuration: any width, bytes past its end read as 0. */
		uint64_t at = offset - REG_CONFIG;

		if (!is_write)
			memset(data, 0, len);
		if (at < transport->config_size && len <= transport->config_size - at && !is_write)
			memcpy(data, transport->config + at, len);
	} else if (len != 4 || offset % 4) {
		/* The registers are 32-bit wide and must be accessed so (4.2.2.1). */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		virtio_mmio_write_register(transport, offset, (uint32_t)mmio_data_read(data, len));
	} else {
		mmio_data_write(data, len, virtio_mmio_read_register(transport, offset));
	}
	pthread_mutex_unlock(&transport->lock);
}

void virtio_mmio_wake(struct virtio_mmio *transport, unsigned int queue)
{
	uint64_t one = 1;

	if (queue < transport->ops->queue_count && transport->queues[queue].notify_fd >= 0 &&
	    write(transport->queues[queue].notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_limited(LOG_ERROR, "%s: waking its I/O thread failed: %s",
			    virtio_mmio_name(transport), strerror(errno));
}

bool virtio_mmio_pop_into(struct virtio_mmio *transport, unsigned int queue,
			  struct virtqueue_chain *chain)
{
	char reason[160], message[256];

	if (transport->needs_reset)
		return false;
	switch (virtqueue_pop(&transport->queues[queue].ring, chain, reason, sizeof(reason))) {
	case VIRTQUEUE_CHAIN:
		return true;
	case VIRTQUEUE_BROKEN:
		snprintf(message, sizeof(message), "wrote a bad descriptor chain to queue %u (%s)",
			 queue, reason);
		virtio_mmio_needs_reset(transport, message);
		return false;
	case VIRTQUEUE_EMPTY:
	default:
		return false;
	}
}

struct virtqueue_chain *virtio_mmio_pop(struct virtio_mmio *transport, unsigned int queue)
{
	return virtio_mmio_pop_into(transport, queue, transport->chain) ? transport->chain : NULL;
}

void virtio_mmio_push(struct virtio_mmio *transport, unsigned int queue, uint16_t head,
		      uint32_t written)
{
	virtqueue_push(&transport->queues[queue].ring, head, written);
}

bool virtio_mmio_rearm(struct virtio_mmio *transport, unsigned int queue)
{
	return !transport->needs_reset && virtqueue_enable_notify(&transport->queues[queue].ring);
}

void virtio_mmio_flush(struct virtio_mmio *transport, unsigned int queue)
{
	if (virtqueue_should_interrupt(&transport->queues[queue].ring))
		virtio_mmio_raise(transport, INTERRUPT_USED_BUFFER);
}

static void virtio_mmio_last_pass(struct virtio_mmio *transport)
{
	if (!transport->ops->last_pass)
		return;
	pthread_mutex_lock(&transport->lock);
	if (!transport->needs_reset && (transport->status & STATUS_DRIVER_OK))
		transport->ops->last_pass(transport);
	pthread_mutex_unlock(&transport->lock);
}

/* The I/O thread: sleeps on the queues' notification eventfds; runs the device's handler for
 * each queue that was notified and is live. */
static void *virtio_mmio_thread(void *context)
{
	struct virtio_mmio *transport = context;
	unsigned int count = transport->ops->queue_count;
	struct pollfd fds[VIRTIO_MMIO_MAX_QUEUES + 1];

	/* before it touches anything the guest wrote */
	confine_thread(transport->ops->file_server ? CONFINE_FILE_SERVER : CONFINE_IO);
	for (unsigned int i = 0; i < count; i++)
		fds[i] = (struct pollfd){ .fd = transport->queues[i].notify_fd, .events = POLLIN };
	fds[count] = (struct pollfd){ .fd = transport->stop_fd, .events = POLLIN };
	for (;;) {
		uint64_t value;

		if (poll(fds, count + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("%s: its I/O thread cannot wait: %s", virtio_mmio_name(transport),
				  strerror(errno));
			return NULL;
		}
		if (fds[count].revents) {
			virtio_mmio_last_pass(transport);
			return NULL;
		}
		for (unsigned int i = 0; i < count; i++) {
			struct virtio_mmio_queue *queue = &transport->queues[i];

			if (!fds[i].revents)
				continue;
			if (read(queue->notify_fd, &value, sizeof(value)) < 0 && errno != EAGAIN)
				continue;
			pthread_mutex_lock(&transport->lock);
			if (queue->ready && !transport->needs_reset &&
			    (transport->status & STATUS_DRIVER_OK))
				transport->ops->process_queue(transport, i);
			pthread_mutex_unlock(&transport->lock);
		}
	}
}

int virtio_mmio_create(struct virtio_mmio *transport, struct device *device,
		       const struct virtio_device_ops *ops, void *state, uint8_t *config,
		       uint32_t config_size, char *err, size_t err_size)
{
	struct vm *vm = device->vm;

	*transport = (struct virtio_mmio){
		.device = device, .ops = ops, .state = state, .config = config,
		.config_size = config_size, .interrupt_fd = -1, .stop_fd = -1,
	};
	pthread_mutex_init(&transport->lock, NULL);
	atomic_init(&transport->interrupt_status, 0);
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		transport->queues[i].notify_fd = -1;
	transport->chain = malloc(sizeof(*transport->chain));
	transport->interrupt_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	transport->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!transport->chain || transport->interrupt_fd < 0 || transport->stop_fd < 0) {
		snprintf(err, err_size, "creating the %s failed: %s", device->class->name,
			 transport->chain ? strerror(errno) : "out of memory");
		return -1;
	}
	if (vm_irqfd_attach(vm, device->irq, transport->interrupt_fd, err, err_size))
		return -1;
	for (unsigned int i = 0; i < ops->queue_count; i++) {
		struct virtio_mmio_queue *queue = &transport->queues[i];

		queue->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (queue->notify_fd < 0) {
			snprintf(err, err_size, "creating the %s failed: %s", device->class->name,
				 strerror(errno));
			return -1;
		}
		if (vm_ioeventfd_attach(vm, device->mmio_base + REG_QUEUE_NOTIFY, i,
					queue->notify_fd, err, err_size)) {
			close(queue->notify_fd);
			queue->notify_fd = -1;
			return -1;
		}
	}
	return device_map_mmio(device, virtio_mmio_access, transport, err, err_size);
}

int virtio_mmio_start(struct virtio_mmio *transport, char *err, size_t err_size)
{
	int ret = pthread_create(&transport->thread, NULL, virtio_mmio_thread, transport);
	char name[16];

	if (ret) {
		snprintf(err, err_size, "starting the I/O thread of the %s failed: %s",
			 virtio_mmio_name(transport), strerror(ret));
		return -1;
	}
	transport->thread_started = true;
	/* So that top -H and /proc/PID/task tell the devices' threads from the vCPUs' (the kernel
	 * keeps 15 characters: "lvmm-virtio-blk"). */
	snprintf(name, sizeof(name), "lvmm-%s", virtio_mmio_name(transport));
	pthread_setname_np(transport->thread, name);
	return 0;
}

void virtio_mmio_stop(struct virtio_mmio *transport)
{
	uint64_t one = 1;

	if (!transport->thread_started)
		return;
	if (write(transport->stop_fd, &one, sizeof(one)) < 0)
		log_error("%s: stopping its I/O thread failed: %s", virtio_mmio_name(transport),
			  strerror(errno));
	pthread_join(transport->thread, NULL);
	transport->thread_started = false;
}

int virtio_mmio_device_start(struct device *device, char *err, size_t err_size)
{
	return virtio_mmio_start(device->state, err, err_size);
}

void virtio_mmio_device_stop(struct device *device)
{
	virtio_mmio_stop(device->state);
}

void virtio_mmio_destroy(struct virtio_mmio *transport)
{
	struct device *device = transport->device;

	if (!device)
		return;
	virtio_mmio_stop(transport);
	/* No KVM_IOEVENTFD deassign: devices are destroyed only with their VM, whose end
	 * releases the notifications, and each deassign waits for an SRCU grace period in the
	 * host kernel (3-4 ms each in the emulated host: 25 ms of lvmm sandbox's stop). */
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		if (transport->queues[i].notify_fd >= 0)
			close(transport->queues[i].notify_fd);
	}
	if (transport->interrupt_fd >= 0)
		close(transport->interrupt_fd);
	if (transport->stop_fd >= 0)
		close(transport->stop_fd);
	free(transport->chain);
	pthread_mutex_destroy(&transport->lock);
	transport->device = NULL;
}

int virtio_mmio_describe(const struct device *device, struct device_tree *tree)
{
	int ret;

	if ((ret = device_tree_begin_node(tree, "virtio_mmio", device->mmio_base)) ||
	    (ret = fdt_property_string(tree->fdt, "compatible", "virtio,mmio")) ||
	    (ret = device_tree_property_reg(tree, device->mmio_base, device->mmio_size)) ||
	    (ret = device_tree_property_interrupts(tree, device->irq, 1, DEVICE_IRQ_EDGE_RISING)) ||
	    (ret = fdt_property(tree->fdt, "dma-coherent", NULL, 0)))
		return ret;
	return fdt_end_node(tree->fdt);
}
