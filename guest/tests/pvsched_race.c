/*
 * The lost-kick race, ROUNDS times: vCPU 1 checks its condition (not yet true), tells vCPU 0,
 * waits a varying moment (0 to WINDOW_US) and executes WFI; vCPU 0 kicks as soon as it hears of
 * the check. So every kick lands between the check and the WFI, or during it.
 *
 * Evidence that it races: just before its WFI, vCPU 1 reads whether its kick interrupt is
 * already pending in the distributor. Those rounds are kicks that landed in the window between
 * the check and the WFI; the test reports how many, and fails if fewer than a tenth of the
 * rounds did (the window would then not have been exercised).
 *
 * A virtual-timer watchdog (WATCHDOG_MS) is armed before each WFI: a WFI that the timer ends
 * instead of the kick is a lost kick and fails the test. WFI may also end with nothing pending
 * (the architecture allows it, and KVM ends a WFI when it has to return to lvmm): such a
 * wake-up is counted and the vCPU sleeps again, so every round still has to receive its own
 * kick interrupt.
 *
 * The control (pvsched_race_control.c) takes the latch away: a kick found pending before the
 * WFI is cleared, as if the wake-up only acted on a vCPU already asleep. The watchdog must then
 * catch the first such round as a lost kick.
 * Needs --pvsched and 2 vCPUs.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#ifdef RACE_CONTROL
#define ROUNDS 1000       /* ends at the first kick that lands in the window */
#else
#define ROUNDS 10000
#endif
#define WATCHDOG_MS 500
#define WINDOW_US 1500    /* about twice a kick's latency in the emulated host */
#define KICK_INTID (32 + LVMM_PVSCHED_KICK_SPI_BASE + 1)

static volatile uint64_t checked_round, done_round, condition_round;
static volatile uint64_t spurious_wakeups, kicks_pending_at_wfi;

void secondary_main(unsigned int cpu)
{
	uint64_t watchdog = counter_frequency() * WATCHDOG_MS / 1000;
	uint64_t window = counter_frequency() * WINDOW_US / 1000000;

	gic_init_cpu(cpu);
	gic_enable_private(cpu, VTIMER_INTID);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		uint32_t intid;

		vtimer_arm(watchdog);
		if (condition_round != round) {    /* the check: not yet */
			uint64_t until;

			checked_round = round;
			memory_barrier();
			until = counter_read() + window * ((round * 7919) % 1024) / 1024;
			while (counter_read() < until)
				;
		}
		if (gic_spi_pending(KICK_INTID)) {
			kicks_pending_at_wfi++;
#ifdef RACE_CONTROL
			gic_spi_clear_pending(KICK_INTID);
			guest_report("control_dropped_pending_kick_round", round);
#endif
		}
		/* The kick is on its way or already pending: only it (or the watchdog) ends this. */
		for (;;) {
			__asm__ volatile("wfi");
			intid = gic_acknowledge();
			if (intid != GIC_SPURIOUS)
				break;
			spurious_wakeups++;
		}
		vtimer_disarm();
		if (intid == VTIMER_INTID) {
			guest_report("lost_kick_round", round);
			GUEST_ASSERT(intid != VTIMER_INTID);
		}
		gic_end_of_interrupt(intid);
		GUEST_ASSERT_EQ(intid, KICK_INTID);
		GUEST_ASSERT_EQ(condition_round, round);
		done_round = round;
		memory_barrier();
	}
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t dtb)
{
	uint64_t second = counter_frequency();

	(void)dtb;
	gic_init_distributor();
	gic_enable_spi_edge(KICK_INTID, vcpu_mpidr(1));
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		wait_until(&checked_round, round, 10 * second);
		condition_round = round;
		memory_barrier();
		GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_KICK_CPU, vcpu_mpidr(1)), PV_SCHED_SUCCESS);
		wait_until(&done_round, round, 10 * second);
	}
	guest_report("race_spurious_wakeups", spurious_wakeups);
	guest_report("race_kicks_pending_at_wfi", kicks_pending_at_wfi);
	guest_report("race_rounds_without_a_lost_kick", ROUNDS);
	GUEST_ASSERT(kicks_pending_at_wfi >= ROUNDS / 10);
	guest_done();
}
