/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PV sched ABI, version 1, revision 2: the guest-visible hypercalls and state structure, and
 * the KVM UAPI of KVM_CAP_ARM_PV_SCHED. One header for lvmm, its guests and the kernel patch
 * (kernel/patches/), so the numbers cannot drift. Specified in docs/pvsched.md.
 */
#ifndef LVMM_PVSCHED_ABI_H
#define LVMM_PVSCHED_ABI_H

#include <linux/types.h>

/* SMCCC fast calls, SMC64, owner 5 (standard hypervisor service). */
#define PV_SCHED_FEATURES     0xC5000090u
#define PV_SCHED_IPA_INIT     0xC5000091u
#define PV_SCHED_IPA_RELEASE  0xC5000092u
#define PV_SCHED_KICK_CPU     0xC5000093u
/* lvmm answers every id in [FIRST, FIRST + RANGE): the unknown ones with NOT_SUPPORTED. */
#define PV_SCHED_FUNCTION_FIRST PV_SCHED_FEATURES
#define PV_SCHED_FUNCTION_RANGE 16u

#define PV_SCHED_SUCCESS            0
#define PV_SCHED_NOT_SUPPORTED      (-1)
#define PV_SCHED_INVALID_PARAMETER  (-3)

/* The per-vCPU state structure: 64 bytes, 64-byte aligned, little-endian. */
struct pvsched_vcpu_state {
	__le32 preempted;   /* nonzero: the vCPU's thread was scheduled out while runnable */
			    /* (or blocked in WFI, with KVM_ARM_PV_SCHED_IDLE_PREEMPTED) */
	__u8 reserved[60];  /* zero; future versions may use it */
};

#define PV_SCHED_STATE_SIZE 64
#define PV_SCHED_STATE_ALIGN 64

/* Device tree binding (docs/pvsched.md). */
#define PV_SCHED_DT_COMPATIBLE "lvmm,pvsched-v1"
/* Boolean properties of that node: the host maintains the flags; WFI counts as preempted. */
#define PV_SCHED_DT_PREEMPTED_MAINTAINED "lvmm,preempted-maintained"
#define PV_SCHED_DT_IDLE_PREEMPTED "lvmm,idle-preempted"

/*
 * KVM UAPI (kernel/patches). KVM_CHECK_EXTENSION reports the capability as KVM_ARM_PV_SCHED_BASE
 * ORed with the flags KVM_ENABLE_CAP accepts in args[0] (args[1..3] must be 0); enabling it
 * again with other flags after a vCPU ran is EBUSY. Then, per vCPU, KVM_SET_DEVICE_ATTR with
 * the group below and addr pointing to a __u64 IPA registers a state structure
 * (KVM_ARM_PV_SCHED_IPA_NONE clears it), and KVM_GET_DEVICE_ATTR reads it back:
 *  - KVM_ARM_VCPU_PV_SCHED_IPA: the VMM's structure, kept across vCPU reset;
 *  - KVM_ARM_VCPU_PV_SCHED_GUEST_IPA: one the guest asked for (PV_SCHED_IPA_INIT); while set it
 *    is maintained instead of the VMM's, and a vCPU reset drops it.
 * Errors: EINVAL unaligned IPA, ENXIO IPA outside every memslot, EEXIST that attribute is
 * already set (clear it first), ENODEV capability not enabled.
 */
#ifndef KVM_CAP_ARM_PV_SCHED
#define KVM_CAP_ARM_PV_SCHED 0x10c5
#endif
#define KVM_ARM_PV_SCHED_BASE            (1ULL << 0) /* always reported */
#define KVM_ARM_PV_SCHED_IDLE_PREEMPTED  (1ULL << 1) /* a vCPU blocked in WFI reads preempted */

#define KVM_ARM_VCPU_PV_SCHED_CTRL       0x10c5
#define KVM_ARM_VCPU_PV_SCHED_IPA        0
#define KVM_ARM_VCPU_PV_SCHED_GUEST_IPA  1
#define KVM_ARM_PV_SCHED_IPA_NONE        (~0ULL)

#endif
