#ifndef LVMM_ARM_KVM_H
#define LVMM_ARM_KVM_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* The KVM_CREATE_VM type for a guest whose highest address is ipa_end (exclusive). */
int arm_vm_type(int kvm_fd, uint64_t ipa_end, unsigned long *type, char *err, size_t err_size);
/* Capabilities lvmm cannot run without on arm64. */
int arm_check_capabilities(int kvm_fd, char *err, size_t err_size);

/* KVM_ARM_VCPU_INIT with the preferred target and PSCI 0.2; secondaries start powered off. */
int arm_vcpu_init(struct vm *vm, struct vcpu *vcpu, char *err, size_t err_size);
/* PC and x0..x3 of the boot vCPU, per booting.rst. */
int arm_vcpu_set_boot_registers(struct vcpu *vcpu, uint64_t entry, uint64_t dtb, char *err,
				size_t err_size);

/* x0..x30 of a vCPU that is not running (its own thread, between KVM_RUNs). */
int arm_vcpu_read_x(struct vcpu *vcpu, unsigned int n, uint64_t *value);
int arm_vcpu_write_x(struct vcpu *vcpu, unsigned int n, uint64_t value);

/* A KVM_EXIT_HYPERCALL: the SMCCC call KVM forwarded (PV sched), answered in x0. */
void arm_handle_hypercall(struct vcpu *vcpu);

/* Creates the in-kernel GIC after the vCPUs exist, per --irqchip. */
int arm_gic_create(struct vm *vm, char *err, size_t err_size);
/* Finishes GIC set-up once every vCPU is initialised; before the first KVM_RUN. */
int arm_gic_finalize(struct vm *vm, char *err, size_t err_size);

/* --pmu: the host must offer KVM_CAP_ARM_PMU_V3 (checked before any vCPU asks for one). */
int arm_pmu_check_host(int kvm_fd, char *err, size_t err_size);
/* --pmu: each vCPU's PMU overflow interrupt and initialisation, once the vGIC is initialised. */
int arm_pmu_setup(struct vm *vm, char *err, size_t err_size);

#endif
