/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PV sched ABI, version 1: the guest-visible hypercalls and state structure, and the KVM UAPI
 * of KVM_CAP_ARM_PV_SCHED. One header for lvmm, its guests and the kernel patch
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
	__u8 reserved[60];  /* zero; future versions may use it */
};

#define PV_SCHED_STATE_SIZE 64
#define PV_SCHED_STATE_ALIGN 64

/* Device tree binding (docs/pvsched.md). */
#define PV_SCHED_DT_COMPATIBLE "lvmm,pvsched-v1"

/*
 * KVM UAPI (kernel/patches): KVM_CHECK_EXTENSION reports the capability; KVM_ENABLE_CAP on the
 * VM fd turns it on; then, per vCPU, KVM_SET_DEVICE_ATTR with the group and attribute below and
 * addr pointing to a __u64 IPA registers that vCPU's state structure (KVM_ARM_PV_SCHED_IPA_NONE
 * clears it); KVM_GET_DEVICE_ATTR reads it back. Errors: EINVAL unaligned IPA, ENXIO IPA outside
 * every memslot (or the structure straddles one), EEXIST already registered at another IPA,
 * ENODEV capability not enabled.
 */
#ifndef KVM_CAP_ARM_PV_SCHED
#define KVM_CAP_ARM_PV_SCHED 0x10c5
#endif
#define KVM_ARM_VCPU_PV_SCHED_CTRL 0x10c5
#define KVM_ARM_VCPU_PV_SCHED_IPA  0
#define KVM_ARM_PV_SCHED_IPA_NONE  (~0ULL)

#endif
