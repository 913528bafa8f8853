#ifndef LVMM_HW_DOORBELL_H
#define LVMM_HW_DOORBELL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/device.h"
#include "vmm/guest_memory.h"

/* The lvmm,doorbell-v1 device (docs/doorbell.md). */
struct doorbell {
	const struct guest_memory *memory;
	uint64_t start_ns;                 /* lvmm's start, for boot markers */
	uint64_t (*clock_ns)(void);        /* CLOCK_MONOTONIC; replaceable for tests */
	void (*output)(void *context, const char *line); /* one line, with its '\n' */
	void (*finish)(void *context, int exit_status);  /* DONE and ASSERT end the guest */
	void *context;
};

void doorbell_mmio(void *doorbell, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
extern const struct device_class doorbell_device;

#endif
