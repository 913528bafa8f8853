#include "pvsched.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "lvmm/pvsched_abi.h"
#include "vmm/device_tree.h"
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

/* [ipa, ipa + PV_SCHED_STATE_SIZE) inside [base, base + size), without overflow. */
static bool pvsched_state_inside(uint64_t ipa, uint64_t base, uint64_t size)
{
	return ipa >= base && size >= PV_SCHED_STATE_SIZE && ipa - base <= size - PV_SCHED_STATE_SIZE;
}

static bool pvsched_state_address_valid(const struct pvsched *pvsched, uint64_t ipa)
{
	/* RAM or the state region only: other guest memory (the PV time records) is written by
	 * KVM for another purpose. One region is one memslot, so "inside one region" is KVM's
	 * own requirement too. */
	return ipa % PV_SCHED_STATE_ALIGN == 0 &&
	       (pvsched_state_inside(ipa, pvsched->ram_base, pvsched->ram_size) ||
		pvsched_state_inside(ipa, pvsched->region_base, pvsched->region_size)) &&
	       guest_memory_translate(pvsched->memory, ipa, PV_SCHED_STATE_SIZE) != NULL;
}

/* KVM writes nothing more at a dropped registration, and leaves it reading 0 (pvsched.md). */
static int64_t pvsched_release(struct pvsched *pvsched, unsigned int caller)
{
	uint64_t old;

	if (pvsched->ops->get_guest_ipa(pvsched->host, caller, &old) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	if (old == KVM_ARM_PV_SCHED_IPA_NONE)
		return PV_SCHED_SUCCESS;
	if (pvsched->ops->set_guest_ipa(pvsched->host, caller, KVM_ARM_PV_SCHED_IPA_NONE) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	return PV_SCHED_SUCCESS;
}

static int64_t pvsched_init(struct pvsched *pvsched, unsigned int caller, uint64_t ipa)
{
	uint64_t old;
	int err;

	if (!pvsched_state_address_valid(pvsched, ipa))
		return PV_SCHED_INVALID_PARAMETER;
	if (pvsched->ops->get_guest_ipa(pvsched->host, caller, &old) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	if (old == ipa)
		return PV_SCHED_SUCCESS;
	if (old != KVM_ARM_PV_SCHED_IPA_NONE && pvsched_release(pvsched, caller) != PV_SCHED_SUCCESS)
		return PV_SCHED_NOT_SUPPORTED;
	err = pvsched->ops->set_guest_ipa(pvsched->host, caller, ipa);
	if (err == 0)
		return PV_SCHED_SUCCESS;
	log_limited(LOG_WARNING, "vCPU %u: KVM refused PV sched state at 0x%llx: %s", caller,
		    (unsigned long long)ipa, strerror(-err));
	return PV_SCHED_INVALID_PARAMETER;
}

/* vCPU i's MPIDR as KVM assigns it (Aff0 = i[3:0], Aff1 = i[11:4], Aff2 = i[19:12]). */
static unsigned int pvsched_kvm_index(uint64_t mpidr)
{
	return (unsigned int)((mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 | ((mpidr >> 16) & 0xff) << 12);
}

/* The kick is on the critical path of a wake-up: the target first, counting afterwards. */
static int64_t pvsched_kick(struct pvsched *pvsched, unsigned int caller, uint64_t mpidr)
{
	unsigned int target = pvsched_kvm_index(mpidr);

	if (target >= pvsched->vcpu_count || pvsched->mpidrs[target] != mpidr) {
		for (target = 0; target < pvsched->vcpu_count; target++)
			if (pvsched->mpidrs[target] == mpidr)
				break;
		if (target == pvsched->vcpu_count)
			return PV_SCHED_INVALID_PARAMETER;
	}
	if (pvsched->ops->kick(pvsched->host, target) < 0)
		return PV_SCHED_NOT_SUPPORTED;
	atomic_fetch_add(&pvsched->counters[caller].kicks_sent, 1);
	atomic_fetch_add(&pvsched->counters[target].kicks_received, 1);
	return PV_SCHED_SUCCESS;
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

int pvsched_choose_mode(long kvm_supported, bool guest_ipa_known, bool want_idle_preempted,
			enum pvsched_mode *mode, uint64_t *enable_flags, char *err, size_t err_size)
{
	bool has_cap = kvm_supported > 0 && (kvm_supported & KVM_ARM_PV_SCHED_BASE);

	*enable_flags = 0;
	if (want_idle_preempted) {
		if (!has_cap || !guest_ipa_known || !(kvm_supported & KVM_ARM_PV_SCHED_IDLE_PREEMPTED)) {
			snprintf(err, err_size, "--pvsched=idle-preempted needs KVM_ARM_PV_SCHED_IDLE_PREEMPTED from lvmm's kernel series (kernel/patches, revision 2), but this host kernel %s; use --pvsched",
				 !has_cap ? "lacks KVM_CAP_ARM_PV_SCHED" :
				 !guest_ipa_known ? "has revision 1 of KVM_CAP_ARM_PV_SCHED" :
				 "does not offer that flag");
			return -1;
		}
		*enable_flags = KVM_ARM_PV_SCHED_IDLE_PREEMPTED;
	}
	*mode = has_cap && guest_ipa_known ? PVSCHED_FULL : PVSCHED_KICK_ONLY;
	return 0;
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

void pvsched_write_counters(const struct pvsched *pvsched, FILE *out, bool json)
{
	const char *mode = pvsched->mode == PVSCHED_FULL ? "full" : "kick-only";
	const char *semantics = pvsched->mode != PVSCHED_FULL ? "none" :
				pvsched->idle_preempted ? "idle-preempted" : "runnable";

	if (json)
		fprintf(out, "\"pvsched\":{\"mode\":\"%s\",\"semantics\":\"%s\",\"vcpus\":[",
			mode, semantics);
	else
		fprintf(out, "pvsched counters (%s mode, %s semantics):\n", mode, semantics);
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
		fprintf(out, json ? ",\"unknown_calls\":%lu,\"kicks_sent\":%lu,\"kicks_received\":%lu}" :
			" unknown=%lu kicks_sent=%lu kicks_received=%lu\n",
			atomic_load(&c->unknown_calls), atomic_load(&c->kicks_sent),
			atomic_load(&c->kicks_received));
	}
	if (json)
		fprintf(out, "]}");
}

void pvsched_print_counters(const struct pvsched *pvsched, FILE *out, bool json)
{
	if (json)
		fputc('{', out);
	pvsched_write_counters(pvsched, out, json);
	if (json)
		fputs("}\n", out);
	fflush(out);
}

int pvsched_describe(const struct pvsched *pvsched, uint64_t base, uint64_t size,
		     unsigned int irq_first, struct device_tree *tree)
{
	bool maintained = pvsched->mode == PVSCHED_FULL;
	void *fdt = tree->fdt;
	int ret;

	if ((ret = device_tree_begin_node(tree, "pvsched", base)) ||
	    (ret = fdt_property_string(fdt, "compatible", PV_SCHED_DT_COMPATIBLE)) ||
	    (ret = device_tree_property_reg(tree, base, size)) ||
	    (ret = fdt_property_string(fdt, "method", "hvc")) ||
	    (ret = fdt_property_cell(fdt, "lvmm,slot-size", PV_SCHED_STATE_SIZE)))
		return ret;
	if (maintained && (ret = fdt_property(fdt, PV_SCHED_DT_PREEMPTED_MAINTAINED, NULL, 0)))
		return ret;
	if (maintained && pvsched->idle_preempted &&
	    (ret = fdt_property(fdt, PV_SCHED_DT_IDLE_PREEMPTED, NULL, 0)))
		return ret;
	if ((ret = device_tree_property_interrupts(tree, irq_first, pvsched->vcpu_count,
						   DEVICE_IRQ_EDGE_RISING)))
		return ret;
	return fdt_end_node(fdt);
}
