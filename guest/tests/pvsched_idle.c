/*
 * The two semantics of the preempted flag on an idle host: vCPU 1 sleeps in WFI while vCPU 0
 * samples its region slot for SAMPLE_MS. With lvmm,idle-preempted in the device tree
 * (--pvsched=idle-preempted) the idle vCPU reads preempted; without it, never.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define SAMPLE_MS 1000
#define KICK_INTID (32 + LVMM_PVSCHED_KICK_SPI_BASE + 1)

static volatile uint64_t asleep, woken;
static volatile uint32_t *const slot1 =
	(volatile uint32_t *)(LVMM_PVSCHED_BASE + PV_SCHED_STATE_SIZE);

void secondary_main(unsigned int cpu)
{
	gic_init_cpu(cpu);
	asleep = 1;
	while (!woken) {
		uint32_t intid;

		__asm__ volatile("wfi");
		intid = gic_acknowledge();
		if (intid != GIC_SPURIOUS)
			gic_end_of_interrupt(intid);
	}
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t dtb)
{
	bool idle_preempted = fdt_node_has_property(dtb, "pvsched", PV_SCHED_DT_IDLE_PREEMPTED);
	uint64_t samples = 0, preempted = 0, end;

	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_FEATURES, PV_SCHED_IPA_INIT), PV_SCHED_SUCCESS);
	gic_init_distributor();
	gic_enable_spi_edge(KICK_INTID, vcpu_mpidr(1));
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	wait_until(&asleep, 1, 30 * counter_frequency());
	/* Give vCPU 1's thread time to block in KVM. */
	for (end = counter_read() + counter_frequency() / 5; counter_read() < end;)
		;
	for (end = counter_read() + counter_frequency() * SAMPLE_MS / 1000; counter_read() < end;) {
		samples++;
		preempted += *slot1 != 0;
	}
	guest_report("idle_preempted", idle_preempted);
	guest_report("idle_vcpu_samples", samples);
	guest_report("idle_vcpu_preempted_samples", preempted);
	if (idle_preempted)
		GUEST_ASSERT(preempted > samples / 2);
	else
		GUEST_ASSERT_EQ(preempted, 0);
	woken = 1;
	memory_barrier();
	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_KICK_CPU, vcpu_mpidr(1)), PV_SCHED_SUCCESS);
	guest_done();
}
