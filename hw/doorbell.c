#include "doorbell.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvmm/doorbell.h"
#include "lvmm/exit_status.h"
#include "vmm/console.h"
#include "vmm/device_tree.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"
#include "vmm/monotonic_clock.h"
#include "vmm/vm.h"

static void doorbell_ucall(struct doorbell *doorbell, uint64_t gpa)
{
	struct doorbell_ucall call;
	const void *host;
	char line[DOORBELL_TEXT_MAX + 128];

	host = gpa % 8 == 0 ? guest_memory_translate(doorbell->memory, gpa, sizeof(call)) : NULL;
	if (!host) {
		log_limited(LOG_WARNING, "guest doorbell: ucall address 0x%llx is not an aligned struct in guest RAM; ignored",
			    (unsigned long long)gpa);
		return;
	}
	/* Copy first: other vCPUs may be changing guest memory while lvmm reads it. */
	memcpy(&call, host, sizeof(call));
	call.text[DOORBELL_TEXT_MAX - 1] = '\0';

	switch (call.command) {
	case UCALL_PRINT:
		snprintf(line, sizeof(line), "guest: %s\n", call.text);
		break;
	case UCALL_REPORT:
		snprintf(line, sizeof(line), "report %s=%llu\n", call.text,
			 (unsigned long long)call.args[0]);
		break;
	case UCALL_SYNC:
		snprintf(line, sizeof(line), "sync %llu %llu\n", (unsigned long long)call.args[0],
			 (unsigned long long)call.args[1]);
		break;
	case UCALL_ASSERT:
		snprintf(line, sizeof(line), "guest assert failed: %s (0x%llx, 0x%llx)\n", call.text,
			 (unsigned long long)call.args[0], (unsigned long long)call.args[1]);
		doorbell->output(doorbell->context, line);
		doorbell->finish(doorbell->context, EXIT_GUEST_TEST_FAIL);
		return;
	case UCALL_DONE:
		doorbell->finish(doorbell->context, EXIT_GUEST_POWEROFF);
		return;
	default:
		log_limited(LOG_WARNING, "guest doorbell: unknown command %llu; ignored",
			    (unsigned long long)call.command);
		return;
	}
	doorbell->output(doorbell->context, line);
}

void doorbell_mmio(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct doorbell *doorbell = device;
	uint64_t value;

	if (!is_write) {
		if (offset == DOORBELL_REG_VERSION)
			value = DOORBELL_VERSION;
		else if (offset == DOORBELL_REG_HOST_NS)
			value = doorbell->clock_ns();
		else
			value = 0;
		mmio_data_write(data, len, value);
		return;
	}
	value = mmio_data_read(data, len);
	if (offset == DOORBELL_REG_UCALL && len == 8) {
		doorbell_ucall(doorbell, value);
	} else if (offset == DOORBELL_REG_MARKER) {
		uint64_t elapsed = doorbell->clock_ns() - doorbell->start_ns;

		log_info("guest marker %llu at %llu.%06llu s", (unsigned long long)value,
			 (unsigned long long)(elapsed / 1000000000ULL),
			 (unsigned long long)(elapsed % 1000000000ULL / 1000));
	}
}

/* The device exists only with --test-device: with it, a guest (Linux userspace through
 * /dev/mem included) can end lvmm with any test status and print report lines. */

static void doorbell_device_output(void *context, const char *line)
{
	(void)context;
	console_write(line, strlen(line));
}

static void doorbell_device_finish(void *vm, int status)
{
	vm_request_stop(vm, status);
}

static unsigned int doorbell_device_instances(const struct run_options *opts)
{
	return opts->test_device ? 1 : 0;
}

static int doorbell_device_create(struct device *device, char *err, size_t err_size)
{
	struct vm *vm = device->vm;

	if (device_alloc_state(device, sizeof(struct doorbell), err, err_size))
		return -1;
	*(struct doorbell *)device->state = (struct doorbell){
		.memory = &vm->memory, .start_ns = vm->start_ns, .clock_ns = monotonic_ns,
		.output = doorbell_device_output, .finish = doorbell_device_finish, .context = vm,
	};
	return device_map_mmio(device, doorbell_mmio, device->state, err, err_size);
}

static int doorbell_device_describe(const struct device *device, struct device_tree *tree)
{
	int ret;

	if ((ret = device_tree_begin_node(tree, "doorbell", device->mmio_base)) ||
	    (ret = fdt_property_string(tree->fdt, "compatible", "lvmm,doorbell-v1")) ||
	    (ret = device_tree_property_reg(tree, device->mmio_base, device->mmio_size)))
		return ret;
	return fdt_end_node(tree->fdt);
}

const struct device_class doorbell_device = {
	.name = "test device",
	.instances = doorbell_device_instances,
	.create = doorbell_device_create,
	.describe = doorbell_device_describe,
};
