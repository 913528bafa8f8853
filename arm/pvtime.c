#include "pvtime.h"

#include <endian.h>
#include <errno.h>
#include <libfdt.h>
#include <linux/kvm.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/arch.h"
#include "vmm/device_tree.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct pvtime {
	/* The host view of the records (guest memory, unmapped with the VM); NULL when the host
	 * has no steal time: then no region and no node. */
	uint8_t *region;
	unsigned int vcpu_count;
};

static unsigned int pvtime_instances(const struct run_options *opts)
{
	return opts->no_pvtime ? 0 : 1;
}

static int pvtime_register_vcpu(struct vm *vm, unsigned int vcpu, uint64_t ipa)
{
	struct kvm_device_attr attr = {
		.group = KVM_ARM_VCPU_PVTIME_CTRL, .attr = KVM_ARM_VCPU_PVTIME_IPA,
		.addr = (uint64_t)(uintptr_t)&ipa,
	};

	return ioctl(vm->vcpus[vcpu].fd, KVM_SET_DEVICE_ATTR, &attr);
}

/* The region is guest memory of its own (KVM writes the records with the guest's stores), and
 * each vCPU is told its record before it first runs. A host without steal time is said once
 * and the guest runs without it, as on a host that never had it. */
static int pvtime_create(struct device *device, char *err, size_t err_size)
{
	static bool said_absent;
	struct vm *vm = device->vm;
	struct kvm_device_attr probe = {
		.group = KVM_ARM_VCPU_PVTIME_CTRL, .attr = KVM_ARM_VCPU_PVTIME_IPA,
	};
	struct pvtime *pvtime;
	if (device_alloc_state(device, sizeof(struct pvtime), err, err_size))
		return -1;
	pvtime = device->state;
	pvtime->vcpu_count = vm->vcpu_count;
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_STEAL_TIME) <= 0 ||
	    ioctl(vm->vcpus[0].fd, KVM_HAS_DEVICE_ATTR, &probe) < 0) {
		if (!said_absent) {
			said_absent = true;
			log_info("the host's KVM has no PV steal time (KVM_CAP_STEAL_TIME): the guest runs without it");
		}
		return 0;
	}
	if ((uint64_t)vm->vcpu_count * PVTIME_RECORD_SIZE > device->mmio_size) {
		snprintf(err, err_size, "internal error: the PV time region is too small for %u vCPUs",
			 vm->vcpu_count);
		return -1;
	}
	pvtime->region = vm_allocate_memory(vm, device->mmio_base, device->mmio_size,
					    "PV time region", err, err_size);
	if (!pvtime->region)
		return -1;
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		if (pvtime_register_vcpu(vm, i, device->mmio_base + (uint64_t)i * PVTIME_RECORD_SIZE) < 0) {
			snprintf(err, err_size, "registering vCPU %u's PV steal time record with KVM failed: %s",
				 i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int pvtime_describe(const struct device *device, struct device_tree *tree)
{
	const struct pvtime *pvtime = device->state;
	int ret;

	if (!pvtime->region)
		return 0;
	if ((ret = device_tree_begin_node(tree, "pvtime", device->mmio_base)) ||
	    (ret = fdt_property_string(tree->fdt, "compatible", PVTIME_DT_COMPATIBLE)) ||
	    (ret = device_tree_property_reg(tree, device->mmio_base, device->mmio_size)) ||
	    (ret = fdt_property_cell(tree->fdt, "lvmm,record-size", PVTIME_RECORD_SIZE)))
		return ret;
	return fdt_end_node(tree->fdt);
}

bool pvtime_stolen_ns(const struct device *device, unsigned int vcpu, uint64_t *stolen_ns)
{
	const struct pvtime *pvtime = device->state;
	const uint8_t *record;

	if (!pvtime || !pvtime->region || vcpu >= pvtime->vcpu_count)
		return false;
	record = pvtime->region + (size_t)vcpu * PVTIME_RECORD_SIZE;
	/* KVM updates the 64-bit field with one store while the vCPU runs: a relaxed atomic load
	 * sees an old or a new value, never a torn one. */
	*stolen_ns = le64toh(atomic_load_explicit((const _Atomic uint64_t *)(record + 8),
						  memory_order_relaxed));
	return true;
}

bool arch_vcpu_stolen_ns(struct vm *vm, unsigned int vcpu, uint64_t *stolen_ns)
{
	const struct device *device = devices_find(&vm->devices, &pvtime_device);

	return device && pvtime_stolen_ns(device, vcpu, stolen_ns);
}

const struct device_class pvtime_device = {
	.name = "PV time region",
	.instances = pvtime_instances,
	.create = pvtime_create,
	.describe = pvtime_describe,
};
