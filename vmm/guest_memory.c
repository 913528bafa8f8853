#include "guest_memory.h"

#include <stddef.h>

const struct guest_memory_region *guest_memory_find(const struct guest_memory *memory,
						    uint64_t gpa)
{
	for (unsigned int i = 0; i < memory->count; i++) {
		const struct guest_memory_region *r = &memory->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *guest_memory_translate(const struct guest_memory *memory, uint64_t gpa, uint64_t len)
{
	const struct guest_memory_region *r = guest_memory_find(memory, gpa);

	/* Written so that no sum can wrap: len is compared against the room left. */
	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->host + (gpa - r->gpa);
}

int guest_memory_add(struct guest_memory *memory, uint64_t gpa, uint64_t size, uint8_t *host,
		     uint32_t slot)
{
	if (memory->count == GUEST_MEMORY_MAX_REGIONS || size == 0 || gpa + size < gpa)
		return -1;
	for (unsigned int i = 0; i < memory->count; i++) {
		const struct guest_memory_region *r = &memory->regions[i];

		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return -1;
	}
	memory->regions[memory->count++] = (struct guest_memory_region){
		.gpa = gpa, .size = size, .host = host, .slot = slot,
	};
	return 0;
}
