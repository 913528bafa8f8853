#include "pvpanic.h"

#include <libfdt.h>
#include <stdlib.h>

#include "lvmm/exit_status.h"
#include "vmm/device_tree.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"
#include "vmm/vm.h"

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

static void pvpanic_device_panicked(void *vm)
{
	log_error("guest kernel panicked");
	vm_request_stop(vm, EXIT_GUEST_PANIC);
}

static int pvpanic_device_create(struct device *device, char *err, size_t err_size)
{
	if (device_alloc_state(device, sizeof(struct pvpanic), err, err_size))
		return -1;
	*(struct pvpanic *)device->state = (struct pvpanic){
		.panicked = pvpanic_device_panicked, .context = device->vm,
	};
	return device_map_mmio(device, pvpanic_mmio, device->state, err, err_size);
}

static int pvpanic_device_describe(const struct device *device, struct device_tree *tree)
{
	int ret;

	if ((ret = device_tree_begin_node(tree, "pvpanic", device->mmio_base)) ||
	    (ret = fdt_property_string(tree->fdt, "compatible", "qemu,pvpanic-mmio")) ||
	    (ret = device_tree_property_reg(tree, device->mmio_base, device->mmio_size)))
		return ret;
	return fdt_end_node(tree->fdt);
}

const struct device_class pvpanic_device = {
	.name = "pvpanic",
	.create = pvpanic_device_create,
	.describe = pvpanic_device_describe,
};
