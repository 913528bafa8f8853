/*
 * arm64's part of the seccomp policy (vmm/confine.c): the KVM requests only arm64 has, made by
 * the main thread as it creates each VM's vCPUs. Built natively too, for the unit tests, where
 * <linux/kvm.h> lacks arm64's struct kvm_vcpu_init: the numbers are spelt out with its layout,
 * and checked against the real ones when compiled for arm64.
 */
#include <linux/kvm.h>
#include <stdint.h>

#include "vmm/confine.h"

struct arm_kvm_vcpu_init_layout {
	uint32_t target;
	uint32_t features[7];
};

#define ARM_KVM_ARM_VCPU_INIT        _IOW(KVMIO, 0xae, struct arm_kvm_vcpu_init_layout)
#define ARM_KVM_ARM_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct arm_kvm_vcpu_init_layout)

#ifdef __aarch64__
_Static_assert(ARM_KVM_ARM_VCPU_INIT == KVM_ARM_VCPU_INIT, "KVM_ARM_VCPU_INIT");
_Static_assert(ARM_KVM_ARM_PREFERRED_TARGET == KVM_ARM_PREFERRED_TARGET, "KVM_ARM_PREFERRED_TARGET");
#endif

const struct confine_rule arch_confine_rules[] = {
	{ .kinds = CONFINE_FOR(CONFINE_MAIN), .syscall = "ioctl", .what = "KVM_ARM_PREFERRED_TARGET",
	  .cond = { { .arg = 1, .op = CONFINE_EQ, .value = ARM_KVM_ARM_PREFERRED_TARGET } } },
	{ .kinds = CONFINE_FOR(CONFINE_MAIN), .syscall = "ioctl", .what = "KVM_ARM_VCPU_INIT",
	  .cond = { { .arg = 1, .op = CONFINE_EQ, .value = ARM_KVM_ARM_VCPU_INIT } } },
	/* SVE: a vCPU's vector lengths are fixed before it first runs. */
	{ .kinds = CONFINE_FOR(CONFINE_MAIN), .syscall = "ioctl", .what = "KVM_ARM_VCPU_FINALIZE",
	  .cond = { { .arg = 1, .op = CONFINE_EQ, .value = KVM_ARM_VCPU_FINALIZE } } },
};

const unsigned int arch_confine_rule_count = sizeof(arch_confine_rules) / sizeof(arch_confine_rules[0]);
