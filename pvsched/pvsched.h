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
	atomic_ulong kicks_to_blocked;  /* the target's thread slept in KVM when kicked */
};

/*
 * What PV sched needs from KVM, behind a table so the unit tests can run the dispatch logic
 * against a fake. vcpu is the vCPU index. Functions return 0 or a negative errno.
 */
struct pvsched_host_ops {
	int (*get_ipa)(void *host, unsigned int vcpu, uint64_t *ipa);
	int (*set_ipa)(void *host, unsigned int vcpu, uint64_t ipa); /* IPA_NONE clears */
	int (*kick)(void *host, unsigned int vcpu);
	bool (*vcpu_blocked)(void *host, unsigned int vcpu);         /* NULL: not collected */
};

struct pvsched {
	enum pvsched_mode mode;
	unsigned int vcpu_count;
	const uint64_t *mpidrs;              /* vcpu_count entries */
	struct pvsched_counters *counters;   /* vcpu_count entries */
	const struct guest_memory *memory;
	const struct pvsched_host_ops *ops;
	void *host;
};

/* Answers one PV_SCHED hypercall made by vCPU caller; the result goes to the guest's x0. */
int64_t pvsched_call(struct pvsched *pvsched, unsigned int caller, uint32_t function, uint64_t x1);

/* Prints every vCPU's counters, as text or as one JSON object. */
void pvsched_print_counters(const struct pvsched *pvsched, FILE *out, bool json);

#endif
