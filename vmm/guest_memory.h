#ifndef LVMM_GUEST_MEMORY_H
#define LVMM_GUEST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_MEMORY_MAX_REGIONS 4

/* One host mapping of guest-physical memory; each region is one KVM memslot. */
struct guest_memory_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	uint32_t slot;
};

struct guest_memory {
	struct guest_memory_region regions[GUEST_MEMORY_MAX_REGIONS];
	unsigned int count;
};

/*
 * Host address of [gpa, gpa + len) if the whole range lies inside one region, else NULL.
 * Every guest-supplied address goes through here before lvmm touches it.
 */
void *guest_memory_translate(const struct guest_memory *memory, uint64_t gpa, uint64_t len);

/* The region holding gpa, or NULL. */
const struct guest_memory_region *guest_memory_find(const struct guest_memory *memory,
						    uint64_t gpa);

/* Adds a region (no KVM involvement: vm.c registers the memslot). -1 on overlap or when full. */
int guest_memory_add(struct guest_memory *memory, uint64_t gpa, uint64_t size, uint8_t *host,
		     uint32_t slot);

#endif
