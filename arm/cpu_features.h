/*
 * The CPU features lvmm gives an arm64 guest whenever the host's KVM offers them (as kvmtool
 * does): SVE, pointer authentication (address and generic keys together, as KVM requires) and
 * MTE. Each can be withheld (--disable-sve, --disable-ptrauth, --disable-mte); --sve-max-vl
 * caps the vector length.
 */
#ifndef LVMM_ARM_CPU_FEATURES_H
#define LVMM_ARM_CPU_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;
struct kvm_vcpu_init;

struct arm_cpu_features {
	/* What this host's KVM offers (asked of the VM once, when it is created) ... */
	bool sve_offered;
	bool ptrauth_offered;
	bool mte_offered;
	/* ... and what the guest gets: the offered ones less those withheld by --disable-*. */
	bool sve;
	bool ptrauth;
	bool mte;
	unsigned int sve_max_vl;   /* bits: the longest vector the guest gets (known after vCPU 0) */
};

/* Once per VM, right after it is created and before any vCPU: decides the features from the
 * host's capabilities and the options, and enables MTE on the VM (KVM takes it only then). */
int arm_cpu_features_choose(struct vm *vm, struct arm_cpu_features *features, char *err,
			    size_t err_size);
/* The KVM_ARM_VCPU_INIT feature bits for them. */
void arm_cpu_features_vcpu_init_bits(const struct arm_cpu_features *features,
				     struct kvm_vcpu_init *init);
/* After KVM_ARM_VCPU_INIT: the vector lengths (--sve-max-vl) and SVE's finalisation. */
int arm_cpu_features_vcpu_finalize(struct arm_cpu_features *features, struct vcpu *vcpu,
				   char *err, size_t err_size);
/* Says once, at --loglevel info, what the guest got and what the host does not offer. */
void arm_cpu_features_report(const struct arm_cpu_features *features);

#endif
