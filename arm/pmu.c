/*
 * --pmu: a virtual PMUv3 per vCPU. KVM wants the feature bit at KVM_ARM_VCPU_INIT, the
 * overflow interrupt once the vGIC exists, and the PMU initialised after the vGIC is, all
 * before the first KVM_RUN; the device tree then advertises it on the same PPI.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arm_kvm.h"
#include "lvmm/arm_memory_map.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

int arm_pmu_check_host(int kvm_fd, char *err, size_t err_size)
{
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3) > 0)
		return 0;
	snprintf(err, err_size, "--pmu: the host's KVM offers no virtual PMU (KVM_CAP_ARM_PMU_V3; the host kernel needs a PMU driver); drop --pmu");
	return -1;
}

static int pmu_set_attr(int vcpu_fd, uint64_t attr, void *value)
{
	struct kvm_device_attr request = {
		.group = KVM_ARM_VCPU_PMU_V3_CTRL, .attr = attr, .addr = (uint64_t)(uintptr_t)value,
	};

	return ioctl(vcpu_fd, KVM_SET_DEVICE_ATTR, &request);
}

int arm_pmu_setup(struct vm *vm, char *err, size_t err_size)
{
	int intid = 16 + LVMM_PMU_PPI;

	if (!vm->opts->pmu)
		return 0;
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		if (pmu_set_attr(vm->vcpus[i].fd, KVM_ARM_VCPU_PMU_V3_IRQ, &intid) ||
		    pmu_set_attr(vm->vcpus[i].fd, KVM_ARM_VCPU_PMU_V3_INIT, NULL)) {
			snprintf(err, err_size, "setting up the virtual PMU of vCPU %u failed: %s", i,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}
