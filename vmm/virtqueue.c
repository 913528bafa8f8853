#include "virtqueue.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Ring fields are little-endian and used without conversion (see virtqueue.h). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtio rings need byte swapping here");
_Static_assert(sizeof(struct virtq_desc) == 16, "descriptor layout");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used element layout");
_Static_assert(sizeof(struct virtq_avail) == 4 && sizeof(struct virtq_used) == 4, "ring headers");

/*
 * A full barrier between our stores to the rings and our later loads of the driver's fields:
 * the guest runs on other CPUs, so acquire/release alone would let each side read the
 * other's stale value. ThreadSanitizer does not model standalone fences, and GCC 12+ says so
 * with -Wtsan (an error under -Werror); the unit tests' TSan build needs it silenced, and no
 * other thread of lvmm relies on this fence for ordering.
 */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
static void full_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif

static void set_reason(char *reason, size_t reason_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_reason(char *reason, size_t reason_size, const char *fmt, ...)
{
	va_list ap;

	if (!reason || reason_size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, reason_size, fmt, ap);
	va_end(ap);
}

static uint64_t avail_ring_bytes(uint16_t size, bool event_idx)
{
	return sizeof(struct virtq_avail) + sizeof(uint16_t) * (uint64_t)size +
	       (event_idx ? sizeof(uint16_t) : 0);
}

static uint64_t used_ring_bytes(uint16_t size, bool event_idx)
{
	return sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * (uint64_t)size +
	       (event_idx ? sizeof(uint16_t) : 0);
}

/* The event fields sit just past each ring, so they exist only with VIRTIO_RING_F_EVENT_IDX. */
static uint16_t *used_event_field(const struct virtqueue *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event_field(const struct virtqueue *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

/*
 * One part of the ring: aligned as the spec requires, wholly inside one RAM region, and
 * aligned on the host too. Guest alignment implies the host one only if the region's mapping
 * keeps it, and the index fields are accessed atomically, which needs natural alignment.
 */
static void *resolve_ring_part(const struct guest_memory *memory, const char *what, uint64_t gpa,
			       uint64_t bytes, unsigned int guest_alignment,
			       unsigned int host_alignment, char *reason, size_t reason_size)
{
	void *host;

	if (gpa % guest_alignment) {
		set_reason(reason, reason_size, "%s at 0x%llx is not %u-byte aligned", what,
			   (unsigned long long)gpa, guest_alignment);
		return NULL;
	}
	host = guest_memory_translate(memory, gpa, bytes);
	if (!host) {
		set_reason(reason, reason_size, "%s at 0x%llx (0x%llx bytes) is not in guest RAM",
			   what, (unsigned long long)gpa, (unsigned long long)bytes);
		return NULL;
	}
	if ((uintptr_t)host % host_alignment) {
		set_reason(reason, reason_size, "%s at 0x%llx is misaligned in host memory", what,
			   (unsigned long long)gpa);
		return NULL;
	}
	return host;
}

int virtqueue_enable(struct virtqueue *vq, const struct guest_memory *memory, uint16_t size,
		     uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa, bool event_idx,
		     bool indirect, char *reason, size_t reason_size)
{
	void *desc, *avail, *used;

	/* A queue that failed to enable must not keep serving an earlier configuration. */
	*vq = (struct virtqueue){ 0 };
	if (size == 0 || size > VIRTQUEUE_MAX_SIZE) {
		set_reason(reason, reason_size, "queue size %u is not between 1 and %d", size,
			   VIRTQUEUE_MAX_SIZE);
		return -1;
	}
	/* Descriptors are copied out with memcpy, so their table needs no host alignment. */
	desc = resolve_ring_part(memory, "descriptor table", desc_gpa,
				 sizeof(struct virtq_desc) * (uint64_t)size, 16, 1, reason,
				 reason_size);
	if (!desc)
		return -1;
	avail = resolve_ring_part(memory, "available ring", avail_gpa,
				  avail_ring_bytes(size, event_idx), 2, sizeof(uint16_t), reason,
				  reason_size);
	if (!avail)
		return -1;
	used = resolve_ring_part(memory, "used ring", used_gpa, used_ring_bytes(size, event_idx), 4,
				 sizeof(uint32_t), reason, reason_size);
	if (!used)
		return -1;
	*vq = (struct virtqueue){
		.memory = memory,
		.enabled = true,
		.size = size,
		.desc_gpa = desc_gpa,
		.avail_gpa = avail_gpa,
		.used_gpa = used_gpa,
		.event_idx = event_idx,
		.indirect = indirect,
		.desc = desc,
		.avail = avail,
		.used = used,
	};
	return 0;
}

/*
 * Exactly one read of a descriptor the guest may be rewriting. Without the compiler barrier
 * the compiler may reload a field from guest memory after it was checked and use a value
 * that never was. memcpy, not atomics: indirect tables carry no alignment requirement.
 */
static void read_descriptor(struct virtq_desc *copy, const uint8_t *guest)
{
	memcpy(copy, guest, sizeof(*copy));
	__asm__ __volatile__("" ::: "memory");
}

/* Fills chain from the descriptors starting at head (< size); -1 with a reason if malformed. */
static int walk_chain(const struct virtqueue *vq, uint16_t head, struct virtqueue_chain *chain,
		      char *reason, size_t reason_size)
{
	const uint8_t *table = (const uint8_t *)vq->desc;
	uint32_t table_count = vq->size;
	uint32_t index = head;
	uint32_t visited = 0;
	bool in_indirect = false;
	bool seen_writable = false;
	/* 64 bits: up to VIRTQUEUE_MAX_SEGMENTS lengths of up to 4 GiB each cannot wrap. */
	uint64_t readable_bytes = 0, writable_bytes = 0;

	chain->head = head;
	chain->readable_count = 0;
	chain->writable_count = 0;
	for (;;) {
		const char *where = in_indirect ? "indirect descriptor" : "descriptor";
		struct virtq_desc desc;
		void *host;

		/*
		 * A well-formed chain visits each descriptor of its table at most once, so a longer
		 * walk is a loop; this bound is what keeps a hostile guest from pinning the thread.
		 */
		if (visited == table_count) {
			set_reason(reason, reason_size,
				   "chain from head %u is longer than its %u-entry %s (a loop)", head,
				   table_count, in_indirect ? "indirect table" : "descriptor table");
			return -1;
		}
		visited++;
		read_descriptor(&desc, table + sizeof(struct virtq_desc) * index);

		if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect) {
				set_reason(reason, reason_size,
					   "%s %u is indirect but VIRTIO_RING_F_INDIRECT_DESC was not negotiated",
					   where, index);
				return -1;
			}
			if (in_indirect) {
				set_reason(reason, reason_size,
					   "indirect descriptor %u points to another indirect table", index);
				return -1;
			}
			if (desc.flags & VIRTQ_DESC_F_NEXT) {
				set_reason(reason, reason_size, "descriptor %u has both INDIRECT and NEXT",
					   index);
				return -1;
			}
			if (desc.len == 0 || desc.len % sizeof(struct virtq_desc) ||
			    desc.len / sizeof(struct virtq_desc) > VIRTQUEUE_MAX_SEGMENTS) {
				set_reason(reason, reason_size,
					   "descriptor %u: indirect table length %u is not a multiple of 16 between 16 and %d",
					   index, desc.len,
					   (int)sizeof(struct virtq_desc) * VIRTQUEUE_MAX_SEGMENTS);
				return -1;
			}
			host = guest_memory_translate(vq->memory, desc.addr, desc.len);
			if (!host) {
				set_reason(reason, reason_size,
					   "descriptor %u: indirect table at 0x%llx (0x%x bytes) is not in guest RAM",
					   index, (unsigned long long)desc.addr, desc.len);
				return -1;
			}
			/* The spec allows direct descriptors before one indirect: it ends the chain. */
			table = host;
			table_count = desc.len / sizeof(struct virtq_desc);
			index = 0;
			visited = 0;
			in_indirect = true;
			continue;
		}

		/* Checked on zero-length descriptors too: the ordering rule is on the chain. */
		if (desc.flags & VIRTQ_DESC_F_WRITE) {
			seen_writable = true;
		} else if (seen_writable) {
			set_reason(reason, reason_size,
				   "%s %u is device-readable but follows a device-writable one", where,
				   index);
			return -1;
		}
		if (desc.len > 0) {
			if (chain->readable_count + chain->writable_count == VIRTQUEUE_MAX_SEGMENTS) {
				set_reason(reason, reason_size,
					   "chain from head %u has more than %d segments", head,
					   VIRTQUEUE_MAX_SEGMENTS);
				return -1;
			}
			host = guest_memory_translate(vq->memory, desc.addr, desc.len);
			if (!host) {
				set_reason(reason, reason_size,
					   "%s %u: buffer at 0x%llx (0x%x bytes) is not in guest RAM", where,
					   index, (unsigned long long)desc.addr, desc.len);
				return -1;
			}
			if (desc.flags & VIRTQ_DESC_F_WRITE) {
				writable_bytes += desc.len;
				chain->writable[chain->writable_count++] =
					(struct iovec){ .iov_base = host, .iov_len = desc.len };
			} else {
				readable_bytes += desc.len;
				chain->readable[chain->readable_count++] =
					(struct iovec){ .iov_base = host, .iov_len = desc.len };
			}
			/* Devices size requests with 32-bit lengths (and the used length is 32-bit). */
			if (readable_bytes > UINT32_MAX || writable_bytes > UINT32_MAX) {
				set_reason(reason, reason_size,
					   "chain from head %u has more than 4 GiB of %s buffers", head,
					   readable_bytes > UINT32_MAX ? "readable" : "writable");
				return -1;
			}
		}

		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (desc.next >= table_count) {
			set_reason(reason, reason_size, "%s %u links to %u, past the %u-entry %s", where,
				   index, desc.next, table_count,
				   in_indirect ? "indirect table" : "descriptor table");
			return -1;
		}
		index = desc.next;
	}
	chain->readable_bytes = (uint32_t)readable_bytes;
	chain->writable_bytes = (uint32_t)writable_bytes;
	return 0;
}

enum virtqueue_pop_result virtqueue_pop(struct virtqueue *vq, struct virtqueue_chain *chain,
					char *reason, size_t reason_size)
{
	uint16_t avail_idx, pending, head;

	if (!vq->enabled)
		return VIRTQUEUE_EMPTY;
	/* Acquire: the ring entry and descriptors written before idx are visible with it. */
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (pending == 0)
		return VIRTQUEUE_EMPTY;
	/* The driver cannot have more chains outstanding than the ring has entries. */
	if (pending > vq->size) {
		set_reason(reason, reason_size,
			   "available idx %u is %u entries ahead of the device's %u (queue size %u)",
			   avail_idx, pending, vq->last_avail_idx, vq->size);
		return VIRTQUEUE_BROKEN;
	}
	/* Sizes that are not a power of two misbehave at the 16-bit wrap, but stay in bounds. */
	head = __atomic_load_n(&vq->avail->ring[vq->last_avail_idx % vq->size], __ATOMIC_RELAXED);
	if (head >= vq->size) {
		set_reason(reason, reason_size, "chain head %u is past the %u-entry descriptor table",
			   head, vq->size);
		return VIRTQUEUE_BROKEN;
	}
	if (walk_chain(vq, head, chain, reason, reason_size) != 0)
		return VIRTQUEUE_BROKEN;
	vq->last_avail_idx++;
	return VIRTQUEUE_CHAIN;
}

void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t written)
{
	struct virtq_used_elem *element;

	if (!vq->enabled)
		return;
	element = &vq->used->ring[vq->used_idx % vq->size];
	__atomic_store_n(&element->id, (uint32_t)head, __ATOMIC_RELAXED);
	__atomic_store_n(&element->len, written, __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: a driver that sees the new idx also sees the element and the buffer data. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

bool virtqueue_should_interrupt(struct virtqueue *vq)
{
	uint16_t old_idx = vq->signalled_used_idx;
	uint16_t new_idx = vq->used_idx;

	if (!vq->enabled)
		return false;
	/*
	 * The used idx store must be visible before the driver's fields are read: otherwise we
	 * could read a stale "no interrupt" while the driver, re-enabling, reads our stale idx,
	 * and both wait for the other.
	 */
	full_fence();
	/*
	 * Every call is a decision for the entries up to new_idx: either the caller interrupts
	 * now or the driver did not ask for one, so the next call only considers later entries.
	 */
	vq->signalled_used_idx = new_idx;
	if (vq->event_idx) {
		uint16_t used_event = __atomic_load_n(used_event_field(vq), __ATOMIC_RELAXED);

		/*
		 * vring_need_event(): interrupt if used_event lies in [old_idx, new_idx), i.e. the
		 * entry the driver asked about was written since the last decision. The uint16_t
		 * differences keep this right across the 16-bit wrap.
		 */
		return (uint16_t)(new_idx - used_event - 1) < (uint16_t)(new_idx - old_idx);
	}
	if (new_idx == old_idx)
		return false;
	return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

void virtqueue_disable_notify(struct virtqueue *vq)
{
	if (!vq->enabled)
		return;
	/*
	 * With event_idx nothing is needed: avail_event stays where the last enable put it, so
	 * the driver kicks at most once more until it is re-armed.
	 */
	if (!vq->event_idx)
		__atomic_store_n(&vq->used->flags, (uint16_t)VIRTQ_USED_F_NO_NOTIFY,
				 __ATOMIC_RELAXED);
}

bool virtqueue_enable_notify(struct virtqueue *vq)
{
	if (!vq->enabled)
		return false;
	if (vq->event_idx)
		__atomic_store_n(avail_event_field(vq), vq->last_avail_idx, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, (uint16_t)0, __ATOMIC_RELAXED);
	/*
	 * The re-arm must be visible before avail->idx is read again: otherwise the driver could
	 * add a buffer and skip the kick (seeing the old suppression) while we read the old idx
	 * and go to sleep, and the buffer would wait forever.
	 */
	full_fence();
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail_idx;
}

/* Copies in the direction asked, through the part of the array that holds the range. */
static size_t iov_copy(const struct iovec *iov, unsigned int count, size_t offset, void *buffer,
		       size_t len, bool into_iov)
{
	size_t copied = 0;

	for (unsigned int i = 0; i < count && copied < len; i++) {
		uint8_t *at;
		size_t take;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - offset;
		if (take > len - copied)
			take = len - copied;
		at = (uint8_t *)iov[i].iov_base + offset;
		if (into_iov)
			memcpy(at, (uint8_t *)buffer + copied, take);
		else
			memcpy((uint8_t *)buffer + copied, at, take);
		copied += take;
		offset = 0;
	}
	return copied;
}

size_t iov_copy_out(const struct iovec *iov, unsigned int count, size_t offset, void *buffer,
		    size_t len)
{
	return iov_copy(iov, count, offset, buffer, len, false);
}

size_t iov_copy_in(const struct iovec *iov, unsigned int count, size_t offset,
		   const void *buffer, size_t len)
{
	return iov_copy(iov, count, offset, (void *)buffer, len, true);
}
