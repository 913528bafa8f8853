#ifndef LVMM_PVSCHED_H
#define LVMM_PVSCHED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/guest_memory.h"

enum pvsched_mode {
	PVSCHED_OFF,
	PVSCHED_KICK_ONLY,  /* the host lacks KVM_CAP_ARM_PV_SCHED: KICK_CPU only */
	PVSCHED_FULL,
};

enum pvsched_call_index { CALL_FEATURES, CALL_IPA_INIT, CALL_IPA_RELEASE, CALL_KICK_CPU, CALL_COUNT };
enum pvsched_result_index { RESULT_SUCCESS, RESULT_NOT_SUPPORTED, RESULT_INVALID_PARAMETER, RESULT_COUNT };

struct pvsched_counters {
	atomic_ulong calls[CALL_COUNT][RESULT_COUNT];
	atomic_ulong unknown_calls;
	atomic_ulong kicks_sent;
	atomic_ulong kicks_received;
};

/*
 * What PV sched needs from KVM, behind a table so the unit tests can run the dispatch logic
 * against a fake. vcpu is the vCPU index. Functions return 0 or a negative errno. The IPA is
 * the guest's registration (KVM_ARM_VCPU_PV_SCHED_GUEST_IPA), made for PV_SCHED_IPA_INIT.
 */
struct pvsched_host_ops {
	int (*get_guest_ipa)(void *host, unsigned int vcpu, uint64_t *ipa);
	int (*set_guest_ipa)(void *host, unsigned int vcpu, uint64_t ipa); /* IPA_NONE clears */
	int (*kick)(void *host, unsigned int vcpu);
};

struct pvsched {
	enum pvsched_mode mode;
	bool idle_preempted;                 /* full mode: a vCPU idle in WFI reads preempted */
	unsigned int vcpu_count;
	const uint64_t *mpidrs;              /* vcpu_count entries */
	struct pvsched_counters *counters;   /* vcpu_count entries */
	const struct guest_memory *memory;
	const struct pvsched_host_ops *ops;
	void *host;
	/* Where a guest may put a state structure (docs/pvsched.md): its RAM or the state region.
	 * Other guest memory (the PV time records, ...) is not the guest's to hand to KVM. */
	uint64_t ram_base, ram_size;
	uint64_t region_base, region_size;
};

/*
 * Decides the mode from what the host offers: kvm_supported is KVM_CHECK_EXTENSION's answer for
 * KVM_CAP_ARM_PV_SCHED (<= 0: absent), guest_ipa_known whether KVM knows the guest-registration
 * attribute (revision 2 of the series). Sets *enable_flags for KVM_ENABLE_CAP in full mode.
 * Returns 0, or -1 with one line in err when the user's request cannot be met on this host.
 */
int pvsched_choose_mode(long kvm_supported, bool guest_ipa_known, bool want_idle_preempted,
			enum pvsched_mode *mode, uint64_t *enable_flags, char *err, size_t err_size);

/* Answers one PV_SCHED hypercall made by vCPU caller; the result goes to the guest's x0. */
int64_t pvsched_call(struct pvsched *pvsched, unsigned int caller, uint32_t function, uint64_t x1);

struct device_tree;

/* The DT node (docs/pvsched.md): the region [base, base + size) and vCPU i's kick interrupt
 * irq_first + i. 0 or a negative libfdt error. */
int pvsched_describe(const struct pvsched *pvsched, uint64_t base, uint64_t size,
		     unsigned int irq_first, struct device_tree *tree);

/* Prints every vCPU's counters, as text or as one JSON object. */
void pvsched_print_counters(const struct pvsched *pvsched, FILE *out, bool json);
/* The same counters, read live (atomics), as text lines or as one JSON member "pvsched":{...}
 * (lvmm stat). */
void pvsched_write_counters(const struct pvsched *pvsched, FILE *out, bool json);

#endif
