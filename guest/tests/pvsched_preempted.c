/*
 * What the preempted flag says, seen from vCPU 0 about vCPU 1, on a host with
 * KVM_CAP_ARM_PV_SCHED and CPU contention (the suite pins lvmm and a CPU hog to one host CPU):
 *  1. vCPU 1 spins, always runnable: vCPU 0 sees it preempted;
 *  2. vCPU 1 alternates spinning and sleeping in WFI: its flag goes to 1 and back to 0;
 *  3. vCPU 1 sleeps in WFI: its flag is never 1;
 *  4. vCPU 1 calls IPA_RELEASE and spins again: its released flag stays 0.
 * vCPU 0 samples the flag for PHASE_MS in each phase and reports what it saw.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define PHASE_MS 2000
#define KICK_INTID (32 + LVMM_PVSCHED_KICK_SPI_BASE + 1)

static volatile uint64_t phase, reached;
static volatile uint32_t *const slot1 =
	(volatile uint32_t *)(LVMM_PVSCHED_BASE + PV_SCHED_STATE_SIZE);

static void sleep_in_wfi(uint64_t ticks)
{
	uint32_t intid;

	if (ticks)
		vtimer_arm(ticks);
	__asm__ volatile("wfi");
	intid = gic_acknowledge();
	vtimer_disarm();
	if (intid != GIC_SPURIOUS)
		gic_end_of_interrupt(intid);
}

void secondary_main(unsigned int cpu)
{
	uint64_t period = counter_frequency() / 100; /* 10 ms: several host time slices */

	gic_init_cpu(cpu);
	gic_enable_private(cpu, VTIMER_INTID);
	/* CPU_ON reset the vCPU, and a reset drops its registration: register again. */
	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_IPA_INIT, (uint64_t)(uintptr_t)slot1), PV_SCHED_SUCCESS);
	reached = 1;
	while (phase == 1)
		;
	reached = 2;
	while (phase == 2) {
		for (uint64_t end = counter_read() + period; counter_read() < end;)
			;
		sleep_in_wfi(period);
	}
	reached = 3;
	while (phase == 3)
		sleep_in_wfi(0); /* until vCPU 0 kicks */
	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_IPA_RELEASE, 0), PV_SCHED_SUCCESS);
	reached = 4;
	while (phase == 4)
		;
	for (;;)
		__asm__ volatile("wfi");
}

struct observation { uint64_t samples, preempted, rises, falls; };

static struct observation watch(void)
{
	struct observation o = { 0 };
	uint64_t end = counter_read() + counter_frequency() * PHASE_MS / 1000;
	uint32_t last = *slot1;

	while (counter_read() < end) {
		uint32_t now = *slot1;

		o.samples++;
		o.preempted += now != 0;
		o.rises += !last && now;
		o.falls += last && !now;
		last = now;
	}
	return o;
}

static void enter_phase(uint64_t next)
{
	uint64_t second = counter_frequency();

	phase = next;
	memory_barrier();
	wait_until(&reached, next, 30 * second);
	/* Let vCPU 1 get from "reached" to the state the phase is about. */
	for (uint64_t end = counter_read() + second * 3 / 10; counter_read() < end;)
		;
}

void guest_main(uint64_t dtb)
{
	struct observation o;

	(void)dtb;
	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_FEATURES, PV_SCHED_IPA_INIT), PV_SCHED_SUCCESS);
	gic_init_distributor();
	gic_enable_spi_edge(KICK_INTID, vcpu_mpidr(1));
	phase = 1;
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	enter_phase(1);
	o = watch();
	guest_report("spinning_samples", o.samples);
	guest_report("spinning_preempted_samples", o.preempted);
	GUEST_ASSERT(o.preempted > 0);

	enter_phase(2);
	o = watch();
	guest_report("alternating_rises", o.rises);
	guest_report("alternating_falls", o.falls);
	GUEST_ASSERT(o.rises > 0 && o.falls > 0);

	enter_phase(3);
	o = watch();
	guest_report("wfi_preempted_samples", o.preempted);
	GUEST_ASSERT_EQ(o.preempted, 0);

	phase = 4;
	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_KICK_CPU, vcpu_mpidr(1)), PV_SCHED_SUCCESS);
	enter_phase(4);
	o = watch();
	guest_report("released_preempted_samples", o.preempted);
	GUEST_ASSERT_EQ(o.preempted, 0);
	guest_done();
}
