/*
 * The device side of a virtio 1.2 split virtqueue (virtio spec 1.2, section 2.7).
 *
 * The guest is untrusted: every address it supplies goes through guest_memory_translate(),
 * every field it can change is read exactly once into a local copy before it is checked,
 * and a malformed chain is reported as VIRTQUEUE_BROKEN instead of being trusted.
 *
 * A virtqueue is used by one thread at a time (the caller serialises pop, push and the
 * notification calls); only the guest runs concurrently with it.
 */
#ifndef LVMM_VIRTQUEUE_H
#define LVMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_memory.h"

/* Our own limit (the spec allows 32768): it bounds chain walks and the used ring's size. */
#define VIRTQUEUE_MAX_SIZE 256
/* Segments in one chain, readable and writable together; an indirect table may hold no more. */
#define VIRTQUEUE_MAX_SEGMENTS 1024

/* Feature bits the transport negotiates; passed to virtqueue_enable() as booleans. */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
/* In the used ring's flags: the device asks not to be notified of new buffers. */
#define VIRTQ_USED_F_NO_NOTIFY 1
/* In the available ring's flags: the driver asks not to be interrupted for used buffers. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/*
 * The ring layout in guest memory. Fields are little-endian (virtio 1.x); lvmm only runs on
 * little-endian hosts (arm64, x86-64), so they are used as they are (virtqueue.c asserts it).
 */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Followed by uint16_t used_event after ring[size] when VIRTIO_RING_F_EVENT_IDX is negotiated. */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id; /* head of the chain, widened to 32 bits for padding */
	uint32_t len;
};

/* Followed by uint16_t avail_event after ring[size] when VIRTIO_RING_F_EVENT_IDX is negotiated. */
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

struct virtqueue {
	const struct guest_memory *memory;
	bool enabled;
	uint16_t size;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;  /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	/* Free-running 16-bit indices, as in the rings: wraparound is intended. */
	uint16_t last_avail_idx;     /* next available ring entry the device will take */
	uint16_t used_idx;           /* what the device last published in used->idx */
	uint16_t signalled_used_idx; /* used_idx when should_interrupt last decided */
	/* Resolved once by virtqueue_enable(): guest RAM stays mapped while the queue is live. */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
};

/*
 * One descriptor chain, split into the segments the device reads and those it writes (the
 * spec puts all readable descriptors first). Zero-length descriptors add no segment. The
 * totals fit in 32 bits: larger chains are rejected.
 */
struct virtqueue_chain {
	uint16_t head;
	unsigned int readable_count;
	unsigned int writable_count;
	uint32_t readable_bytes;
	uint32_t writable_bytes;
	struct iovec readable[VIRTQUEUE_MAX_SEGMENTS];
	struct iovec writable[VIRTQUEUE_MAX_SEGMENTS];
};

enum virtqueue_pop_result {
	VIRTQUEUE_EMPTY,  /* nothing new in the available ring */
	VIRTQUEUE_CHAIN,  /* *chain filled in, last_avail_idx advanced */
	VIRTQUEUE_BROKEN, /* the guest broke the rules; reason says how, nothing was consumed */
};

/*
 * Checks the queue the driver configured and resolves its rings. size is 1..VIRTQUEUE_MAX_SIZE
 * (not required to be a power of two, though the spec has drivers use one). The rings are
 * taken to be fresh: both indices start at 0. On failure returns -1 with a one-line reason
 * (reason may be NULL when reason_size is 0) and leaves the queue disabled.
 */
int virtqueue_enable(struct virtqueue *vq, const struct guest_memory *memory, uint16_t size,
		     uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa, bool event_idx,
		     bool indirect, char *reason, size_t reason_size);

/*
 * Takes the next available chain. The iovecs point into guest RAM, which the guest may keep
 * changing: copy a header out before checking it. On VIRTQUEUE_BROKEN the chain's contents
 * are unspecified and the same entry would be reported again: the device should stop using
 * the queue (e.g. set DEVICE_NEEDS_RESET). A disabled queue is always empty.
 */
enum virtqueue_pop_result virtqueue_pop(struct virtqueue *vq, struct virtqueue_chain *chain,
					char *reason, size_t reason_size);

/*
 * Returns a chain to the driver. head comes from virtqueue_pop(); written is the number of
 * bytes the device itself wrote into the writable segments.
 */
void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t written);

/* After one or more pushes: whether the driver wants a used buffer notification now. */
bool virtqueue_should_interrupt(struct virtqueue *vq);

/*
 * Notification suppression for the driver -> device direction. While processing, call
 * disable_notify; before sleeping, call enable_notify and, if it returns true, buffers
 * arrived meanwhile: keep processing instead of sleeping (the kick may never come).
 */
void virtqueue_disable_notify(struct virtqueue *vq);
bool virtqueue_enable_notify(struct virtqueue *vq);

/* Copies len bytes at offset of an iovec array to/from a flat buffer; bytes copied. */
size_t iov_copy_out(const struct iovec *iov, unsigned int count, size_t offset, void *buffer,
		    size_t len);
size_t iov_copy_in(const struct iovec *iov, unsigned int count, size_t offset,
		   const void *buffer, size_t len);

#endif
