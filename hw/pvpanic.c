#include "pvpanic.h"

#include "vmm/log.h"
#include "vmm/mmio_bus.h"

void pvpanic_mmio(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct pvpanic *pvpanic = device;
	uint64_t value;

	if (!is_write) {
		/* Reading the register tells the guest which events lvmm understands. */
		mmio_data_write(data, len, offset == 0 ? PVPANIC_PANICKED | PVPANIC_CRASH_LOADED : 0);
		return;
	}
	value = mmio_data_read(data, len);
	if (offset != 0)
		return;
	if (value & PVPANIC_CRASH_LOADED)
		log_info("guest panicked with a crash kernel loaded; letting it run");
	else if (value & PVPANIC_PANICKED)
		pvpanic->panicked(pvpanic->context);
}
