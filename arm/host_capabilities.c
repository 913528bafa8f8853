#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arm_kvm.h"
#include "lvmm/kvm_compat.h"
#include "vmm/arch.h"

struct required_capability {
	long id;
	const char *name;
	const char *why;
};

static const struct required_capability required_capabilities[] = {
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2", "starting secondary vCPUs with PSCI" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "kicking vCPUs without losing a kick" },
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG", "setting the boot registers" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL", "creating the in-kernel GIC" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM" },
};

int arch_check_capabilities(int kvm_fd, char *err, size_t err_size)
{
	for (size_t i = 0; i < sizeof(required_capabilities) / sizeof(required_capabilities[0]); i++) {
		const struct required_capability *cap = &required_capabilities[i];

		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, cap->id) <= 0) {
			snprintf(err, err_size, "the host kernel's KVM lacks %s, needed for %s; use a newer host kernel (Linux 4.12 or later)",
				 cap->name, cap->why);
			return -1;
		}
	}
	return 0;
}

int arch_vm_type(int kvm_fd, uint64_t ipa_end, unsigned long *type, char *err, size_t err_size)
{
	unsigned int bits = 32;
	int max_bits;

	while (bits < 64 && (1ULL << bits) < ipa_end)
		bits++;
	/* 40 bits is KVM's default; asking for more needs KVM_CAP_ARM_VM_IPA_SIZE. */
	if (bits <= 40) {
		*type = 0;
		return 0;
	}
	max_bits = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	if (max_bits < (int)bits) {
		snprintf(err, err_size, "this much RAM needs a %u-bit guest physical address space and the host allows %d bits; lower -m",
			 bits, max_bits > 0 ? max_bits : 40);
		return -1;
	}
	*type = KVM_VM_TYPE_ARM_IPA_SIZE(bits);
	return 0;
}
