/*
 * Exit costs, the seed 003 way: ITERATIONS back-to-back operations bracketed by the virtual
 * counter, reported in counter ticks per operation (divide by counter_hz for seconds):
 * a null HVC handled inside KVM (PSCI_VERSION), a PV_SCHED_FEATURES call forwarded to lvmm,
 * and an MMIO read handled by lvmm (the doorbell's version register). Needs --pvsched.
 */
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define ITERATIONS 4096

static uint64_t ticks_per_op(int kind)
{
	uint64_t start, end;

	__asm__ volatile("dsb ish; isb" ::: "memory");
	start = counter_read();
	for (unsigned int i = 0; i < ITERATIONS; i++) {
		if (kind == 0)
			smccc_hvc(PSCI_VERSION, 0, 0, 0);
		else if (kind == 1)
			smccc_hvc(PV_SCHED_FEATURES, PV_SCHED_KICK_CPU, 0, 0);
		else
			(void)doorbell_read(DOORBELL_REG_VERSION);
	}
	__asm__ volatile("dsb ish; isb" ::: "memory");
	end = counter_read();
	return (end - start) / ITERATIONS;
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	GUEST_ASSERT_EQ(smccc_hvc(PV_SCHED_FEATURES, PV_SCHED_KICK_CPU, 0, 0), PV_SCHED_SUCCESS);
	guest_report("counter_hz", counter_frequency());
	guest_report("iterations", ITERATIONS);
	guest_report("hvc_psci_version_ticks", ticks_per_op(0));
	guest_report("hvc_pvsched_features_forwarded_ticks", ticks_per_op(1));
	guest_report("mmio_read_lvmm_ticks", ticks_per_op(2));
	guest_done();
}
