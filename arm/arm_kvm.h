#ifndef LVMM_ARM_KVM_H
#define LVMM_ARM_KVM_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_features.h"

struct vm;
struct vcpu;

/* What arm64 keeps per VM beyond vmm/'s struct vm (vm->arch). */
struct arch_vm {
	int gic_fd;
	int gic_version;              /* 2 or 3 */
	int its_fd;                   /* the GICv3's ITS (--irqchip gicv3-its), or -1 */
	struct arm_cpu_features cpu_features;
};

/* PC and x0..x3 of the boot vCPU, per booting.rst. */
int arm_vcpu_set_boot_registers(struct vcpu *vcpu, uint64_t entry, uint64_t dtb, char *err,
				size_t err_size);

/* x0..x30 of a vCPU that is not running (its own thread, between KVM_RUNs). */
int arm_vcpu_read_x(struct vcpu *vcpu, unsigned int n, uint64_t *value);
int arm_vcpu_write_x(struct vcpu *vcpu, unsigned int n, uint64_t value);

/* --pmu: the host must offer KVM_CAP_ARM_PMU_V3 (checked before any vCPU asks for one). */
int arm_pmu_check_host(int kvm_fd, char *err, size_t err_size);
/* --pmu: each vCPU's PMU overflow interrupt and initialisation, once the vGIC is initialised. */
int arm_pmu_setup(struct vm *vm, char *err, size_t err_size);

#endif
