#include "cpu_features.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arm_kvm.h"
#include "sve_vector_lengths.h"
#include "vmm/cli.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static bool kvm_offers(int fd, long capability)
{
	return ioctl(fd, KVM_CHECK_EXTENSION, capability) > 0;
}

int arm_cpu_features_choose(struct vm *vm, struct arm_cpu_features *features, char *err,
			    size_t err_size)
{
	const struct run_options *opts = vm->opts;

	memset(features, 0, sizeof(*features));
	features->sve_offered = kvm_offers(vm->vm_fd, KVM_CAP_ARM_SVE);
	features->ptrauth_offered = kvm_offers(vm->vm_fd, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
				    kvm_offers(vm->vm_fd, KVM_CAP_ARM_PTRAUTH_GENERIC);
	features->mte_offered = kvm_offers(vm->vm_fd, KVM_CAP_ARM_MTE);
	features->sve = features->sve_offered && !opts->disable_sve;
	features->ptrauth = features->ptrauth_offered && !opts->disable_ptrauth;
	features->mte = features->mte_offered && !opts->disable_mte;
	if (opts->sve_max_vl && !features->sve) {
		snprintf(err, err_size, "--sve-max-vl: this host's KVM offers no SVE (KVM_CAP_ARM_SVE); drop --sve-max-vl");
		return -1;
	}
	if (features->mte) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_MTE };

		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
			snprintf(err, err_size, "enabling MTE for the guest failed: %s; run with --disable-mte",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

void arm_cpu_features_vcpu_init_bits(const struct arm_cpu_features *features,
				     struct kvm_vcpu_init *init)
{
	if (features->sve)
		init->features[0] |= 1u << KVM_ARM_VCPU_SVE;
	if (features->ptrauth)
		init->features[0] |= 1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS |
				     1u << KVM_ARM_VCPU_PTRAUTH_GENERIC;
}

int arm_cpu_features_vcpu_finalize(struct arm_cpu_features *features, struct vcpu *vcpu,
				   char *err, size_t err_size)
{
	uint64_t words[SVE_VLS_WORDS];
	struct kvm_one_reg vls = { .id = KVM_REG_ARM64_SVE_VLS, .addr = (uint64_t)(uintptr_t)words };
	int feature = KVM_ARM_VCPU_SVE;
	unsigned int max_vl = vcpu->vm->opts->sve_max_vl;

	if (!features->sve)
		return 0;
	if (ioctl(vcpu->fd, KVM_GET_ONE_REG, &vls) < 0) {
		snprintf(err, err_size, "reading vCPU %u's SVE vector lengths failed: %s", vcpu->index,
			 strerror(errno));
		return -1;
	}
	if (max_vl) {
		unsigned int offered = sve_vls_longest(words);

		if (!sve_vls_cap(words, max_vl)) {
			snprintf(err, err_size, "--sve-max-vl %u: this host's KVM offers SVE vector lengths up to %u bits, and not %u; give one it offers",
				 max_vl, offered, max_vl);
			return -1;
		}
		if (ioctl(vcpu->fd, KVM_SET_ONE_REG, &vls) < 0) {
			snprintf(err, err_size, "setting vCPU %u's SVE vector lengths failed: %s",
				 vcpu->index, strerror(errno));
			return -1;
		}
	}
	features->sve_max_vl = sve_vls_longest(words);
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_FINALIZE, &feature) < 0) {
		snprintf(err, err_size, "finalising vCPU %u's SVE state failed: %s", vcpu->index,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Appends ", name" (or name, first) to list; a full list keeps what it has. */
static void feature_list_add(char *list, size_t size, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
}

void arm_cpu_features_report(const struct arm_cpu_features *features)
{
	static bool said;
	char given[160] = "", absent[160] = "", sve[48];

	/* Once per process: a rebooting guest gets the same features. */
	if (said)
		return;
	said = true;
	snprintf(sve, sizeof(sve), "SVE (vectors up to %u bits)", features->sve_max_vl);
	if (features->sve)
		feature_list_add(given, sizeof(given), sve);
	if (features->ptrauth)
		feature_list_add(given, sizeof(given), "pointer authentication (address and generic)");
	if (features->mte)
		feature_list_add(given, sizeof(given), "MTE");
	/* Offered and withheld by a --disable- option: in neither list. */
	if (!features->sve_offered)
		feature_list_add(absent, sizeof(absent), "SVE");
	if (!features->ptrauth_offered)
		feature_list_add(absent, sizeof(absent), "pointer authentication (address and generic)");
	if (!features->mte_offered)
		feature_list_add(absent, sizeof(absent), "MTE");
	log_info("CPU features given to the guest: %s%s%s", given[0] ? given : "none beyond the base architecture",
		 absent[0] ? "; not offered by this host's KVM: " : "", absent);
}
