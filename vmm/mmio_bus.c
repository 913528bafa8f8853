#include "mmio_bus.h"

#include <string.h>

int mmio_bus_register(struct mmio_bus *bus, const struct mmio_region *region)
{
	unsigned int i;

	if (bus->count == MMIO_BUS_MAX_REGIONS || region->size == 0 ||
	    region->base + region->size < region->base)
		return -1;
	for (i = 0; i < bus->count; i++) {
		const struct mmio_region *r = &bus->regions[i];

		if (region->base < r->base + r->size && r->base < region->base + region->size)
			return -1;
	}
	/* Kept sorted by base for the binary search in dispatch. */
	for (i = bus->count; i > 0 && bus->regions[i - 1].base > region->base; i--)
		bus->regions[i] = bus->regions[i - 1];
	bus->regions[i] = *region;
	bus->count++;
	return 0;
}

static const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr)
{
	unsigned int low = 0, high = bus->count;

	while (low < high) {
		unsigned int mid = (low + high) / 2;
		const struct mmio_region *r = &bus->regions[mid];

		if (addr < r->base)
			high = mid;
		else if (addr - r->base >= r->size)
			low = mid + 1;
		else
			return r;
	}
	return NULL;
}

bool mmio_bus_dispatch(const struct mmio_bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
		       bool is_write)
{
	const struct mmio_region *r = mmio_bus_find(bus, addr);

	if (!r || len == 0 || len > 8 || len > r->size - (addr - r->base)) {
		if (!is_write)
			memset(data, 0, len > 8 ? 8 : len);
		return false;
	}
	r->handler(r->device, addr - r->base, data, len, is_write);
	return true;
}

uint64_t mmio_data_read(const uint8_t *data, uint32_t len)
{
	uint64_t value = 0;

	for (uint32_t i = len; i > 0; i--)
		value = (value << 8) | data[i - 1];
	return value;
}

void mmio_data_write(uint8_t *data, uint32_t len, uint64_t value)
{
	for (uint32_t i = 0; i < len; i++, value >>= 8)
		data[i] = (uint8_t)value;
}
