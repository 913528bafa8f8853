#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arm_kvm.h"
#include "vmm/arch.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ARM64_CORE_REG(field) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, field) / sizeof(__u32)))
#define MPIDR_EL1_REG ARM64_SYS_REG(3, 0, 0, 0, 5)
#define MPIDR_AFFINITY_MASK 0xff00ffffffULL

int arm_vcpu_read_x(struct vcpu *vcpu, unsigned int n, uint64_t *value)
{
	struct kvm_one_reg reg = {
		.id = ARM64_CORE_REG(regs.regs[0]) + 2 * n, .addr = (uint64_t)(uintptr_t)value,
	};

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg);
}

int arm_vcpu_write_x(struct vcpu *vcpu, unsigned int n, uint64_t value)
{
	struct kvm_one_reg reg = {
		.id = ARM64_CORE_REG(regs.regs[0]) + 2 * n, .addr = (uint64_t)(uintptr_t)&value,
	};

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);
}

static int arm_set_one_reg(int vcpu_fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&value };

	return ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg);
}

static int arm_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)value };

	return ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg);
}

int arch_vcpu_init(struct vm *vm, struct vcpu *vcpu, char *err, size_t err_size)
{
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		snprintf(err, err_size, "KVM_ARM_PREFERRED_TARGET failed: %s", strerror(errno));
		return -1;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (vm->opts->pmu) {
		if (vcpu->index == 0 && arm_pmu_check_host(vm->kvm_fd, err, err_size))
			return -1;
		init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	}
	arm_cpu_features_vcpu_init_bits(&vm->arch->cpu_features, &init);
	/* Secondaries wait for PSCI CPU_ON, which KVM handles without lvmm. */
	if (vcpu->index > 0)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		snprintf(err, err_size, "KVM_ARM_VCPU_INIT of vCPU %u failed: %s", vcpu->index,
			 strerror(errno));
		return -1;
	}
	if (arm_cpu_features_vcpu_finalize(&vm->arch->cpu_features, vcpu, err, err_size))
		return -1;
	if (vcpu->index == 0)
		arm_cpu_features_report(&vm->arch->cpu_features);
	if (arm_get_one_reg(vcpu->fd, MPIDR_EL1_REG, &vcpu->mpidr) < 0) {
		snprintf(err, err_size, "reading MPIDR_EL1 of vCPU %u failed: %s", vcpu->index,
			 strerror(errno));
		return -1;
	}
	vcpu->mpidr &= MPIDR_AFFINITY_MASK;
	return 0;
}

int arm_vcpu_set_boot_registers(struct vcpu *vcpu, uint64_t entry, uint64_t dtb, char *err,
				size_t err_size)
{
	/* KVM's reset state is already EL1h with DAIF masked and the MMU off. */
	if (arm_set_one_reg(vcpu->fd, ARM64_CORE_REG(regs.pc), entry) < 0 ||
	    arm_set_one_reg(vcpu->fd, ARM64_CORE_REG(regs.regs[0]), dtb) < 0 ||
	    arm_set_one_reg(vcpu->fd, ARM64_CORE_REG(regs.regs[1]), 0) < 0 ||
	    arm_set_one_reg(vcpu->fd, ARM64_CORE_REG(regs.regs[2]), 0) < 0 ||
	    arm_set_one_reg(vcpu->fd, ARM64_CORE_REG(regs.regs[3]), 0) < 0) {
		snprintf(err, err_size, "setting the boot registers failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}
