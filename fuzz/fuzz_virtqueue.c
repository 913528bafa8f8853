/* libFuzzer harness: the virtqueue against rings a guest wrote. The input is guest RAM (the
 * descriptor table, the available and used rings all live in it), its first bytes choose the
 * queue's size and features; every chain is popped and pushed until the queue is empty or
 * broken, as a device's I/O thread does. */
#include <stdint.h>
#include <string.h>

#include "vmm/guest_memory.h"
#include "vmm/virtqueue.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x10000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct virtqueue_chain chain;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_memory memory = { 0 };
	struct virtqueue queue;
	uint16_t queue_size;
	bool event_idx, indirect;
	char reason[256];

	if (size < 4)
		return 0;
	queue_size = (uint16_t)(1 + ((data[0] | data[1] << 8) % VIRTQUEUE_MAX_SIZE));
	event_idx = data[2] & 1;
	indirect = data[2] & 2;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 4, size - 4 < RAM_SIZE ? size - 4 : RAM_SIZE);
	if (guest_memory_add(&memory, RAM_GPA, RAM_SIZE, ram, 0))
		return 0;
	/* Rings where a driver puts them, or (data[3]) anywhere, even outside RAM. */
	if (virtqueue_enable(&queue, &memory, queue_size, RAM_GPA,
			     RAM_GPA + 0x4000 + (data[3] & 0x80 ? 0x10000 : 0), RAM_GPA + 0x8000,
			     event_idx, indirect, reason, sizeof(reason)) == 0) {
		for (unsigned int i = 0; i < 2u * VIRTQUEUE_MAX_SIZE; i++) {
			if (virtqueue_pop(&queue, &chain, reason, sizeof(reason)) != VIRTQUEUE_CHAIN)
				break;
			/* Touch every segment as a device would, then give the chain back. */
			for (unsigned int s = 0; s < chain.writable_count; s++)
				memset(chain.writable[s].iov_base, 0xa5, chain.writable[s].iov_len);
			virtqueue_push(&queue, chain.head, chain.writable_bytes);
		}
		virtqueue_should_interrupt(&queue);
		virtqueue_enable_notify(&queue);
	}
	return 0;
}
