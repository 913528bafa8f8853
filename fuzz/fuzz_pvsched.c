/* libFuzzer harness: PV sched's hypercall dispatch (pvsched_call) as guest vCPUs make it, in
 * both semantics and both modes: each call is 13 input bytes: the calling vCPU, the function
 * id (the PV sched range and around it), x1. Guest RAM and the state region are the fuzzer's too. */
#include <stdint.h>
#include <string.h>

#include "lvmm/pvsched_abi.h"
#include "pvsched/pvsched.h"
#include "vmm/log.h"

#define RAM_BASE 0x80000000ull
#define REGION_BASE 0x04000000ull
#define VCPUS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ram[1 << 16], region[4096];
static uint64_t guest_ipa[VCPUS];

static int get_ipa(void *host, unsigned int vcpu, uint64_t *ipa)
{
	(void)host;
	*ipa = guest_ipa[vcpu % VCPUS];
	return 0;
}

static int set_ipa(void *host, unsigned int vcpu, uint64_t ipa)
{
	(void)host;
	guest_ipa[vcpu % VCPUS] = ipa;
	return 0;
}

static int kick(void *host, unsigned int vcpu)
{
	(void)host;
	(void)vcpu;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pvsched_host_ops ops = { get_ipa, set_ipa, kick };
	static const uint64_t mpidrs[VCPUS] = { 0x0, 0x1, 0x100, 0x10000 };
	static struct pvsched_counters counters[VCPUS];
	struct guest_memory memory = { 0 };
	struct pvsched pvsched;

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	memset(counters, 0, sizeof(counters));
	memset(ram, 0, sizeof(ram));
	for (int i = 0; i < VCPUS; i++)
		guest_ipa[i] = KVM_ARM_PV_SCHED_IPA_NONE;
	guest_memory_add(&memory, RAM_BASE, sizeof(ram), ram, 0);
	guest_memory_add(&memory, REGION_BASE, sizeof(region), region, 1);
	pvsched = (struct pvsched){ data[0] & 1 ? PVSCHED_FULL : PVSCHED_KICK_ONLY, data[0] & 2,
				    VCPUS, mpidrs, counters, &memory, &ops, NULL,
				    RAM_BASE, sizeof(ram), REGION_BASE, sizeof(region) };
	for (size_t at = 1; at + 13 <= size; at += 13) {
		/* Mostly the PV sched range and its edges; now and then any id at all. */
		uint32_t function = data[at + 2] & 0x80 ?
				    (uint32_t)(data[at + 1] | data[at + 2] << 8 | data[at + 3] << 16 | 0xc5u << 24) :
				    PV_SCHED_FUNCTION_FIRST - 4 + data[at + 1] % (PV_SCHED_FUNCTION_RANGE + 8);
		uint64_t x1;

		memcpy(&x1, data + at + 4, 8);
		/* Addresses in RAM more often than not: the interesting ones. */
		if (data[at + 12] & 1)
			x1 = RAM_BASE + (x1 & (sizeof(ram) - 1));
		pvsched_call(&pvsched, data[at] % VCPUS, function, x1);
	}
	return 0;
}
