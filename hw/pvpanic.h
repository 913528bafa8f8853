#ifndef LVMM_HW_PVPANIC_H
#define LVMM_HW_PVPANIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/device.h"

/* "qemu,pvpanic-mmio": the guest kernel writes PANICKED here from its panic notifier, which is
 * how lvmm tells a panic (exit status 4) from an ordinary reset. */
struct pvpanic {
	void (*panicked)(void *context);
	void *context;
};

#define PVPANIC_PANICKED     (1u << 0)
#define PVPANIC_CRASH_LOADED (1u << 1)

extern const struct device_class pvpanic_device;

void pvpanic_mmio(void *pvpanic, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
