#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lvmm/pvsched_abi.h"
#include "pvsched/pvsched.h"
#include "unit_test.h"
#include "vmm/log.h"

#define RAM_BASE 0x80000000ULL
#define REGION_BASE 0x04000000ULL
#define OTHER_BASE (REGION_BASE + sizeof(region))

/* A fake of the KVM side: per-vCPU guest registrations, the kicks made, failures on demand. */
struct fake_host {
	uint64_t ipa[4];
	int set_calls;
	int kicks[4];
	int fail_set;
};

static int fake_get_ipa(void *host, unsigned int vcpu, uint64_t *ipa)
{
	*ipa = ((struct fake_host *)host)->ipa[vcpu];
	return 0;
}

static int fake_set_ipa(void *host, unsigned int vcpu, uint64_t ipa)
{
	struct fake_host *h = host;

	h->set_calls++;
	if (h->fail_set)
		return -h->fail_set;
	if (ipa != KVM_ARM_PV_SCHED_IPA_NONE && h->ipa[vcpu] != KVM_ARM_PV_SCHED_IPA_NONE)
		return -EEXIST; /* what the kernel does; lvmm must clear first */
	h->ipa[vcpu] = ipa;
	return 0;
}

static int fake_kick(void *host, unsigned int vcpu)
{
	((struct fake_host *)host)->kicks[vcpu]++;
	return 0;
}

static const struct pvsched_host_ops fake_ops = { fake_get_ipa, fake_set_ipa, fake_kick };
static const uint64_t mpidrs[3] = { 0x0, 0x1, 0x100 };
static uint8_t ram[1 << 16], region[4096], other[4096];
static struct guest_memory memory;
static struct pvsched_counters counters[3];
static struct fake_host host;

static struct pvsched setup(enum pvsched_mode mode)
{
	memset(&memory, 0, sizeof(memory));
	memset(counters, 0, sizeof(counters));
	memset(&host, 0, sizeof(host));
	for (int i = 0; i < 4; i++)
		host.ipa[i] = KVM_ARM_PV_SCHED_IPA_NONE;
	guest_memory_add(&memory, RAM_BASE, sizeof(ram), ram, 0);
	guest_memory_add(&memory, REGION_BASE, sizeof(region), region, 1);
	/* Guest memory right after the region that is neither (as lvmm's PV time records). */
	guest_memory_add(&memory, OTHER_BASE, sizeof(other), other, 2);
	log_set_level(LOG_ERROR);
	return (struct pvsched){ mode, false, 3, mpidrs, counters, &memory, &fake_ops, &host,
				 RAM_BASE, sizeof(ram), REGION_BASE, sizeof(region) };
}

TEST(pvsched_features_full_and_kick_only)
{
	struct pvsched full = setup(PVSCHED_FULL);

	EXPECT_EQ(pvsched_call(&full, 0, PV_SCHED_FEATURES, PV_SCHED_FEATURES), PV_SCHED_SUCCESS);
	EXPECT_EQ(pvsched_call(&full, 0, PV_SCHED_FEATURES, PV_SCHED_IPA_INIT), PV_SCHED_SUCCESS);
	EXPECT_EQ(pvsched_call(&full, 0, PV_SCHED_FEATURES, PV_SCHED_IPA_RELEASE), PV_SCHED_SUCCESS);
	EXPECT_EQ(pvsched_call(&full, 0, PV_SCHED_FEATURES, PV_SCHED_KICK_CPU), PV_SCHED_SUCCESS);
	EXPECT_EQ(pvsched_call(&full, 0, PV_SCHED_FEATURES, 0xC5000094), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(pvsched_call(&full, 0, PV_SCHED_FEATURES, 0x1C5000090ULL), (uint64_t)PV_SCHED_NOT_SUPPORTED);

	struct pvsched kick_only = setup(PVSCHED_KICK_ONLY);

	EXPECT_EQ(pvsched_call(&kick_only, 0, PV_SCHED_FEATURES, PV_SCHED_IPA_INIT), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(pvsched_call(&kick_only, 0, PV_SCHED_FEATURES, PV_SCHED_IPA_RELEASE), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(pvsched_call(&kick_only, 0, PV_SCHED_FEATURES, PV_SCHED_KICK_CPU), PV_SCHED_SUCCESS);
	EXPECT_EQ(pvsched_call(&kick_only, 0, PV_SCHED_IPA_INIT, REGION_BASE), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(pvsched_call(&kick_only, 0, PV_SCHED_IPA_RELEASE, 0), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(host.set_calls, 0);
}

TEST(pvsched_ipa_init_validates_addresses)
{
	struct pvsched p = setup(PVSCHED_FULL);
	const uint64_t bad[] = {
		REGION_BASE + 1, REGION_BASE + 32, REGION_BASE + sizeof(region) - 32,
		REGION_BASE + sizeof(region), RAM_BASE + sizeof(ram) - 32, RAM_BASE + sizeof(ram),
		0, 0x01000000, UINT64_MAX - 63, RAM_BASE - 64,
		OTHER_BASE + 64, /* other guest memory: mapped, but not RAM or the region */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(pvsched_call(&p, 1, PV_SCHED_IPA_INIT, bad[i]), (uint64_t)PV_SCHED_INVALID_PARAMETER);
	EXPECT_EQ(host.set_calls, 0);
	EXPECT_EQ(atomic_load(&counters[1].calls[CALL_IPA_INIT][RESULT_INVALID_PARAMETER]), 11);
	EXPECT_EQ(pvsched_call(&p, 1, PV_SCHED_IPA_INIT, REGION_BASE + 64), PV_SCHED_SUCCESS);
	EXPECT_EQ(host.ipa[1], REGION_BASE + 64);
	EXPECT_EQ(pvsched_call(&p, 1, PV_SCHED_IPA_INIT, RAM_BASE + sizeof(ram) - 64), PV_SCHED_SUCCESS);
}

TEST(pvsched_ipa_init_is_idempotent_and_moves)
{
	struct pvsched p = setup(PVSCHED_FULL);

	EXPECT_EQ(pvsched_call(&p, 2, PV_SCHED_IPA_INIT, REGION_BASE + 128), PV_SCHED_SUCCESS);
	EXPECT_EQ(host.set_calls, 1);
	EXPECT_EQ(pvsched_call(&p, 2, PV_SCHED_IPA_INIT, REGION_BASE + 128), PV_SCHED_SUCCESS);
	EXPECT_EQ(host.set_calls, 1); /* same address: nothing to do */
	/* KVM refuses a second registration (EEXIST): lvmm clears the old one first. */
	EXPECT_EQ(pvsched_call(&p, 2, PV_SCHED_IPA_INIT, RAM_BASE + 4096), PV_SCHED_SUCCESS);
	EXPECT_EQ(host.ipa[2], RAM_BASE + 4096);
	EXPECT_EQ(host.set_calls, 3);
}

TEST(pvsched_ipa_release)
{
	struct pvsched p = setup(PVSCHED_FULL);

	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_IPA_RELEASE, 0), PV_SCHED_SUCCESS); /* none yet */
	EXPECT_EQ(host.set_calls, 0);
	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_IPA_INIT, RAM_BASE + 256), PV_SCHED_SUCCESS);
	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_IPA_RELEASE, 0x1234), PV_SCHED_SUCCESS);
	EXPECT_EQ(host.ipa[0], KVM_ARM_PV_SCHED_IPA_NONE);
	EXPECT_EQ(host.ipa[1], KVM_ARM_PV_SCHED_IPA_NONE); /* only the caller's registration */
	host.fail_set = EIO;
	host.ipa[0] = RAM_BASE;
	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_IPA_RELEASE, 0), (uint64_t)PV_SCHED_NOT_SUPPORTED);
}

/* What lvmm makes of KVM_CHECK_EXTENSION's answer, with and without --pvsched=idle-preempted. */
TEST(pvsched_mode_from_the_host)
{
	const long both = KVM_ARM_PV_SCHED_BASE | KVM_ARM_PV_SCHED_IDLE_PREEMPTED;
	enum pvsched_mode mode = PVSCHED_OFF;
	uint64_t flags = 99;
	char err[512] = "";

	EXPECT_EQ(pvsched_choose_mode(both, true, false, &mode, &flags, err, sizeof(err)), 0);
	EXPECT_EQ(mode, PVSCHED_FULL);
	EXPECT_EQ(flags, 0);
	EXPECT_EQ(pvsched_choose_mode(both, true, true, &mode, &flags, err, sizeof(err)), 0);
	EXPECT_EQ(mode, PVSCHED_FULL);
	EXPECT_EQ(flags, KVM_ARM_PV_SCHED_IDLE_PREEMPTED);
	EXPECT_EQ(pvsched_choose_mode(0, false, false, &mode, &flags, err, sizeof(err)), 0);
	EXPECT_EQ(mode, PVSCHED_KICK_ONLY);
	EXPECT_EQ(pvsched_choose_mode(-1, false, false, &mode, &flags, err, sizeof(err)), 0);
	EXPECT_EQ(mode, PVSCHED_KICK_ONLY);
	/* Revision 1 answered 1 and had no guest registration: it loses flags, so kick-only. */
	EXPECT_EQ(pvsched_choose_mode(1, false, false, &mode, &flags, err, sizeof(err)), 0);
	EXPECT_EQ(mode, PVSCHED_KICK_ONLY);
	EXPECT_EQ(pvsched_choose_mode(0, false, true, &mode, &flags, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "lacks KVM_CAP_ARM_PV_SCHED; use --pvsched");
	EXPECT_TRUE(strchr(err, '\n') == NULL);
	EXPECT_EQ(pvsched_choose_mode(1, false, true, &mode, &flags, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "has revision 1 of KVM_CAP_ARM_PV_SCHED");
	EXPECT_EQ(pvsched_choose_mode(KVM_ARM_PV_SCHED_BASE, true, true, &mode, &flags, err,
				      sizeof(err)), -1);
	EXPECT_CONTAINS(err, "does not offer that flag");
}

TEST(pvsched_kvm_refusal_is_invalid_parameter)
{
	struct pvsched p = setup(PVSCHED_FULL);

	host.fail_set = ENXIO;
	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_IPA_INIT, REGION_BASE), (uint64_t)PV_SCHED_INVALID_PARAMETER);
}

TEST(pvsched_kick_cpu)
{
	struct pvsched p = setup(PVSCHED_KICK_ONLY);

	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_KICK_CPU, 0x100), PV_SCHED_SUCCESS);
	EXPECT_EQ(host.kicks[2], 1);
	EXPECT_EQ(pvsched_call(&p, 0, PV_SCHED_KICK_CPU, 0x0), PV_SCHED_SUCCESS); /* itself */
	EXPECT_EQ(host.kicks[0], 1);
	EXPECT_EQ(pvsched_call(&p, 1, PV_SCHED_KICK_CPU, 0x2), (uint64_t)PV_SCHED_INVALID_PARAMETER);
	EXPECT_EQ(pvsched_call(&p, 1, PV_SCHED_KICK_CPU, 2), (uint64_t)PV_SCHED_INVALID_PARAMETER); /* an index, not an MPIDR */
	EXPECT_EQ(pvsched_call(&p, 1, PV_SCHED_KICK_CPU, UINT64_MAX), (uint64_t)PV_SCHED_INVALID_PARAMETER);
	EXPECT_EQ(atomic_load(&counters[0].kicks_sent), 2);
	EXPECT_EQ(atomic_load(&counters[2].kicks_received), 1);
	EXPECT_EQ(atomic_load(&counters[1].calls[CALL_KICK_CPU][RESULT_INVALID_PARAMETER]), 3);
}

TEST(pvsched_unknown_ids_and_callers)
{
	struct pvsched p = setup(PVSCHED_FULL);

	EXPECT_EQ(pvsched_call(&p, 0, 0xC5000094, 0), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(pvsched_call(&p, 0, 0xC500009F, 0), (uint64_t)PV_SCHED_NOT_SUPPORTED);
	EXPECT_EQ(atomic_load(&counters[0].unknown_calls), 2);
	EXPECT_EQ(pvsched_call(&p, 3, PV_SCHED_FEATURES, PV_SCHED_FEATURES), (uint64_t)PV_SCHED_NOT_SUPPORTED);
}

TEST(pvsched_counters_print)
{
	struct pvsched p = setup(PVSCHED_KICK_ONLY);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	pvsched_call(&p, 0, PV_SCHED_KICK_CPU, 0x1);
	pvsched_print_counters(&p, out, true);
	fclose(out);
	EXPECT_CONTAINS(text, "{\"pvsched\":{\"mode\":\"kick-only\",\"semantics\":\"none\",\"vcpus\":[{\"vcpu\":0,");
	EXPECT_CONTAINS(text, "\"kick_cpu_success\":1");
	EXPECT_CONTAINS(text, "\"vcpu\":1,");
	EXPECT_CONTAINS(text, "\"kicks_received\":1");
	free(text);
	out = open_memstream(&text, &size);
	pvsched_print_counters(&p, out, false);
	fclose(out);
	EXPECT_CONTAINS(text, "vcpu 0: kick_cpu.success=1");
	free(text);
}
