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
	features->sve = !opts->disable_sve && kvm_offers(vm->vm_fd, KVM_CAP_ARM_SVE);
	features->ptrauth = !opts->disable_ptrauth && kvm_offers(vm->vm_fd, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
			    kvm_offers(vm->vm_fd, KVM_CAP_ARM_PTRAUTH_GENERIC);
	features->mte = !opts->disable_mte && kvm_offers(vm->vm_fd, KVM_CAP_ARM_MTE);
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

void arm_cpu_features_report(const struct arm_cpu_features *features, int kvm_fd)
{
	static bool said;
	char given[160] = "", absent[160] = "";
	size_t given_used = 0, absent_used = 0;
	const struct {
		bool on;
		bool offered;
		const char *name;
	} rows[] = {
		{ features->sve, kvm_offers(kvm_fd, KVM_CAP_ARM_SVE), "SVE" },
		{ features->ptrauth, kvm_offers(kvm_fd, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
				     kvm_offers(kvm_fd, KVM_CAP_ARM_PTRAUTH_GENERIC),
		  "pointer authentication (address and generic)" },
		{ features->mte, kvm_offers(kvm_fd, KVM_CAP_ARM_MTE), "MTE" },
	};

	/* Once per process: a rebooting guest gets the same features. */
	if (said)
		return;
	said = true;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *out = rows[i].on ? given : rows[i].offered ? NULL : absent;
		size_t *used = rows[i].on ? &given_used : &absent_used;
		int n;

		if (!out || *used >= sizeof(given))
			continue; /* offered, and withheld by its --disable- option */
		if (rows[i].on && i == 0)
			n = snprintf(out + *used, sizeof(given) - *used, "%sSVE (vectors up to %u bits)",
				     *used ? ", " : "", features->sve_max_vl);
		else
			n = snprintf(out + *used, sizeof(given) - *used, "%s%s", *used ? ", " : "",
				     rows[i].name);
		if (n > 0)
			*used += (size_t)n;
	}
	log_info("CPU features given to the guest: %s%s%s", given_used ? given : "none beyond the base architecture",
		 absent_used ? "; not offered by this host's KVM: " : "", absent_used ? absent : "");
}
