#ifndef LVMM_MMIO_BUS_H
#define LVMM_MMIO_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A device's MMIO handler. offset is relative to the region's base; data holds len (1, 2, 4
 * or 8) bytes in guest byte order (little-endian). Handlers run on the vCPU thread that
 * trapped and must do their own locking.
 */
typedef void (*mmio_handler)(void *device, uint64_t offset, uint8_t *data, uint32_t len,
			     bool is_write);

struct mmio_region {
	uint64_t base;
	uint64_t size;
	mmio_handler handler;
	void *device;
	const char *name;
};

#define MMIO_BUS_MAX_REGIONS 64

/* Registration happens before any vCPU runs; afterwards the bus is read-only (no lock). */
struct mmio_bus {
	struct mmio_region regions[MMIO_BUS_MAX_REGIONS];
	unsigned int count;
};

/* 0 on success; -1 if the region overlaps another, is empty, wraps, or the bus is full. */
int mmio_bus_register(struct mmio_bus *bus, const struct mmio_region *region);

/* Calls the handler covering [addr, addr + len). Returns false if no region covers all of it:
 * then reads are filled with zeros and writes are dropped. */
bool mmio_bus_dispatch(const struct mmio_bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
		       bool is_write);

uint64_t mmio_data_read(const uint8_t *data, uint32_t len);
void mmio_data_write(uint8_t *data, uint32_t len, uint64_t value);

#endif
