/*
 * Every PV_SCHED call with good and bad arguments, checked against the mode the host reports
 * through FEATURES(IPA_INIT): full (all four calls) or kick-only. Needs --pvsched and 2 vCPUs.
 */
#include "guest.h"
#include "lvmm/pvsched_abi.h"

static void expect_call(uint32_t function, uint64_t x1, int64_t expected, const char *what)
{
	int64_t got = pvsched_hvc(function, x1);

	if (got != expected) {
		guest_print("%s: got %ld, wanted %ld", what, got, expected);
		GUEST_ASSERT_EQ(got, expected);
	}
}

/* Without --pvsched, KVM itself answers: every id is unknown to it. */
static void expect_absent(void)
{
	static const uint32_t ids[] = { PV_SCHED_FEATURES, PV_SCHED_IPA_INIT, PV_SCHED_IPA_RELEASE,
					PV_SCHED_KICK_CPU, 0xC5000094 };

	for (unsigned int i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		expect_call(ids[i], vcpu_mpidr(0), PV_SCHED_NOT_SUPPORTED, "a call without --pvsched");
	guest_report("mode_absent", 1);
	guest_done();
}

void guest_main(uint64_t dtb)
{
	bool full = pvsched_hvc(PV_SCHED_FEATURES, PV_SCHED_IPA_INIT) == PV_SCHED_SUCCESS;
	int64_t if_full = full ? PV_SCHED_SUCCESS : PV_SCHED_NOT_SUPPORTED;
	int64_t bad_if_full = full ? PV_SCHED_INVALID_PARAMETER : PV_SCHED_NOT_SUPPORTED;
	uint64_t slot0 = LVMM_PVSCHED_BASE;

	(void)dtb;
	if (pvsched_hvc(PV_SCHED_FEATURES, PV_SCHED_FEATURES) != PV_SCHED_SUCCESS)
		expect_absent();
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	guest_report(full ? "mode_full" : "mode_kick_only", 1);

	expect_call(PV_SCHED_FEATURES, PV_SCHED_FEATURES, PV_SCHED_SUCCESS, "FEATURES(FEATURES)");
	expect_call(PV_SCHED_FEATURES, PV_SCHED_KICK_CPU, PV_SCHED_SUCCESS, "FEATURES(KICK_CPU)");
	expect_call(PV_SCHED_FEATURES, PV_SCHED_IPA_RELEASE, if_full, "FEATURES(IPA_RELEASE)");
	expect_call(PV_SCHED_FEATURES, 0xC5000094, PV_SCHED_NOT_SUPPORTED, "FEATURES(unknown id)");
	expect_call(PV_SCHED_FEATURES, 0, PV_SCHED_NOT_SUPPORTED, "FEATURES(0)");
	expect_call(PV_SCHED_FEATURES, ~0ULL, PV_SCHED_NOT_SUPPORTED, "FEATURES(~0)");
	expect_call(0xC5000094, 0, PV_SCHED_NOT_SUPPORTED, "unknown id 0xC5000094");
	expect_call(0xC500009F, 0, PV_SCHED_NOT_SUPPORTED, "unknown id 0xC500009F");

	expect_call(PV_SCHED_IPA_INIT, slot0, if_full, "IPA_INIT(slot 0)");
	expect_call(PV_SCHED_IPA_INIT, slot0, if_full, "IPA_INIT(slot 0) again");
	expect_call(PV_SCHED_IPA_INIT, slot0 + 1, bad_if_full, "IPA_INIT(unaligned)");
	expect_call(PV_SCHED_IPA_INIT, slot0 + 32, bad_if_full, "IPA_INIT(32-byte aligned)");
	expect_call(PV_SCHED_IPA_INIT, 0x10, bad_if_full, "IPA_INIT(below RAM)");
	expect_call(PV_SCHED_IPA_INIT, LVMM_PVSCHED_BASE + LVMM_PVSCHED_SIZE, bad_if_full,
		    "IPA_INIT(just past the region, on the PV time records)");
	expect_call(PV_SCHED_IPA_INIT, LVMM_UART_BASE, bad_if_full, "IPA_INIT(MMIO)");
	expect_call(PV_SCHED_IPA_INIT, ~0ULL - 63, bad_if_full, "IPA_INIT(top of the address space)");
	expect_call(PV_SCHED_IPA_INIT, LVMM_RAM_BASE + 0x100000, if_full, "IPA_INIT(guest RAM)");
	expect_call(PV_SCHED_IPA_RELEASE, 0, if_full, "IPA_RELEASE");
	expect_call(PV_SCHED_IPA_RELEASE, 0, if_full, "IPA_RELEASE with nothing registered");

	expect_call(PV_SCHED_KICK_CPU, vcpu_mpidr(0), PV_SCHED_SUCCESS, "KICK_CPU(self)");
	expect_call(PV_SCHED_KICK_CPU, vcpu_mpidr(1), PV_SCHED_SUCCESS, "KICK_CPU(vCPU 1)");
	expect_call(PV_SCHED_KICK_CPU, vcpu_mpidr(2), PV_SCHED_INVALID_PARAMETER, "KICK_CPU(no such vCPU)");
	expect_call(PV_SCHED_KICK_CPU, 0x80000000ULL, PV_SCHED_INVALID_PARAMETER, "KICK_CPU(MPIDR.U bit)");
	expect_call(PV_SCHED_KICK_CPU, ~0ULL, PV_SCHED_INVALID_PARAMETER, "KICK_CPU(~0)");
	guest_print("all PV_SCHED calls answered as documented");
	guest_done();
}
