#include "pvsched.h"

#include <string.h>

#include "lvmm/pvsched_abi.h"
#include "vmm/log.h"

static const char *const call_names[CALL_COUNT] = { "features", "ipa_init", "ipa_release", "kick_cpu" };
static const char *const result_names[RESULT_COUNT] = { "success", "not_supported", "invalid_parameter" };

static bool pvsched_call_supported(const struct pvsched *pvsched, uint64_t function)
{
	switch (function) {
	case PV_SCHED_FEATURES:
	case PV_SCHED_KICK_CPU:
		return true;
	case PV_SCHED_IPA_INIT:
	case PV_SCHED_IPA_RELEASE:
		return pvsched->mode == PVSCHED_FULL;
	default:
		return false;
	}
}

static bool pvsched_state_address_valid(const struct pvsched *pvsched, uint64_t ipa)
{
	/* One region is one memslot, so "inside one region" is KVM's own requirement too. */
	return ipa % PV_SCHED_STATE_ALIGN == 0 &&
	       guest_memory_translate(pvsched->memory, ipa, PV_SCHED_STATE_SIZE) != NULL;
}

static int64_t pvsched_release(struct pvsched *pvsched, unsigned int caller)
{
	uint64_t old;
	uint32_t *preempted;

	if (pvsched->ops->get_ipa(pvsched->host, caller, &old) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	if (old == KVM_ARM_PV_SCHED_IPA_NONE)
		return PV_SCHED_SUCCESS;
	if (pvsched->ops->set_ipa(pvsched->host, caller, KVM_ARM_PV_SCHED_IPA_NONE) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	/* KVM no longer writes there; leave the guest a clean "not preempted". */
	preempted = guest_memory_translate(pvsched->memory, old, sizeof(*preempted));
	if (preempted)
		__atomic_store_n(preempted, 0, __ATOMIC_RELEASE);
	return PV_SCHED_SUCCESS;
}

static int64_t pvsched_init(struct pvsched *pvsched, unsigned int caller, uint64_t ipa)
{
	uint64_t old;
	int err;

	if (!pvsched_state_address_valid(pvsched, ipa))
		return PV_SCHED_INVALID_PARAMETER;
	if (pvsched->ops->get_ipa(pvsched->host, caller, &old) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	if (old == ipa)
		return PV_SCHED_SUCCESS;
	if (old != KVM_ARM_PV_SCHED_IPA_NONE && pvsched_release(pvsched, caller) != PV_SCHED_SUCCESS)
		return PV_SCHED_NOT_SUPPORTED;
	err = pvsched->ops->set_ipa(pvsched->host, caller, ipa);
	if (err == 0)
		return PV_SCHED_SUCCESS;
	log_warning("vCPU %u: KVM refused PV sched state at 0x%llx: %s", caller,
		    (unsigned long long)ipa, strerror(-err));
	return PV_SCHED_INVALID_PARAMETER;
}

static int64_t pvsched_kick(struct pvsched *pvsched, unsigned int caller, uint64_t mpidr)
{
	for (unsigned int target = 0; target < pvsched->vcpu_count; target++) {
		if (pvsched->mpidrs[target] != mpidr)
			continue;
		if (pvsched->ops->vcpu_blocked && pvsched->ops->vcpu_blocked(pvsched->host, target))
			atomic_fetch_add(&pvsched->counters[target].kicks_to_blocked, 1);
		if (pvsched->ops->kick(pvsched->host, target) < 0)
			return PV_SCHED_NOT_SUPPORTED;
		atomic_fetch_add(&pvsched->counters[caller].kicks_sent, 1);
		atomic_fetch_add(&pvsched->counters[target].kicks_received, 1);
		return PV_SCHED_SUCCESS;
	}
	return PV_SCHED_INVALID_PARAMETER;
}

static void pvsched_count(struct pvsched *pvsched, unsigned int caller, uint32_t function,
			  int64_t result)
{
	unsigned int call = function - PV_SCHED_FUNCTION_FIRST;
	unsigned int index = result == PV_SCHED_SUCCESS ? RESULT_SUCCESS :
			     result == PV_SCHED_INVALID_PARAMETER ? RESULT_INVALID_PARAMETER :
			     RESULT_NOT_SUPPORTED;

	if (call < CALL_COUNT)
		atomic_fetch_add(&pvsched->counters[caller].calls[call][index], 1);
	else
		atomic_fetch_add(&pvsched->counters[caller].unknown_calls, 1);
}

int64_t pvsched_call(struct pvsched *pvsched, unsigned int caller, uint32_t function, uint64_t x1)
{
	int64_t result;

	if (caller >= pvsched->vcpu_count)
		return PV_SCHED_NOT_SUPPORTED;
	if (!pvsched_call_supported(pvsched, function))
		result = PV_SCHED_NOT_SUPPORTED;
	else if (function == PV_SCHED_FEATURES)
		result = pvsched_call_supported(pvsched, x1) ? PV_SCHED_SUCCESS : PV_SCHED_NOT_SUPPORTED;
	else if (function == PV_SCHED_IPA_INIT)
		result = pvsched_init(pvsched, caller, x1);
	else if (function == PV_SCHED_IPA_RELEASE)
		result = pvsched_release(pvsched, caller);
	else
		result = pvsched_kick(pvsched, caller, x1);
	pvsched_count(pvsched, caller, function, result);
	return result;
}

void pvsched_print_counters(const struct pvsched *pvsched, FILE *out, bool json)
{
	if (json)
		fprintf(out, "{\"pvsched\":{\"mode\":\"%s\",\"vcpus\":[",
			pvsched->mode == PVSCHED_FULL ? "full" : "kick-only");
	else
		fprintf(out, "pvsched counters (%s mode):\n",
			pvsched->mode == PVSCHED_FULL ? "full" : "kick-only");
	for (unsigned int v = 0; v < pvsched->vcpu_count; v++) {
		struct pvsched_counters *c = &pvsched->counters[v];

		if (json)
			fprintf(out, "%s{\"vcpu\":%u", v ? "," : "", v);
		else
			fprintf(out, "  vcpu %u:", v);
		for (unsigned int call = 0; call < CALL_COUNT; call++) {
			for (unsigned int r = 0; r < RESULT_COUNT; r++) {
				unsigned long n = atomic_load(&c->calls[call][r]);

				if (json)
					fprintf(out, ",\"%s_%s\":%lu", call_names[call], result_names[r], n);
				else if (n)
					fprintf(out, " %s.%s=%lu", call_names[call], result_names[r], n);
			}
		}
		fprintf(out, json ? ",\"unknown_calls\":%lu,\"kicks_sent\":%lu,\"kicks_received\":%lu,\"kicks_to_blocked\":%lu}" :
			" unknown=%lu kicks_sent=%lu kicks_received=%lu kicks_to_blocked=%lu\n",
			atomic_load(&c->unknown_calls), atomic_load(&c->kicks_sent),
			atomic_load(&c->kicks_received), atomic_load(&c->kicks_to_blocked));
	}
	if (json)
		fprintf(out, "]}}\n");
	fflush(out);
}
