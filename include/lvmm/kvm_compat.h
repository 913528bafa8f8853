/*
 * KVM constants that the kernel headers lvmm may be built against (Debian 12 ships 6.1 UAPI
 * headers) do not have yet. The one place for them; values are from the Linux UAPI.
 */
#ifndef LVMM_KVM_COMPAT_H
#define LVMM_KVM_COMPAT_H

#include <linux/kvm.h>

#ifndef KVM_VM_TYPE_ARM_IPA_SIZE
#define KVM_VM_TYPE_ARM_IPA_SIZE(x) ((x) & 0xffULL)
#endif

/* SMCCC filter, Linux 6.4. There is no capability for it: probe with KVM_HAS_DEVICE_ATTR. */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL 0
#define KVM_ARM_VM_SMCCC_FILTER 0

enum kvm_smccc_filter_action {
	KVM_SMCCC_FILTER_HANDLE = 0,
	KVM_SMCCC_FILTER_DENY,
	KVM_SMCCC_FILTER_FWD_TO_USER,
};

struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#endif

#ifndef KVM_HYPERCALL_EXIT_SMC
#define KVM_HYPERCALL_EXIT_SMC (1U << 0)
#endif

#endif
