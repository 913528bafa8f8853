/*
 * What the preempted flag says, seen from vCPU 0 about vCPU 1, on a host with
 * KVM_CAP_ARM_PV_SCHED and CPU contention (the suite pins lvmm and a CPU hog to one host CPU):
 *  1. vCPU 1 spins, always runnable: its region slot reads preempted, although vCPU 1 never
 *     registered anything (lvmm's registration survived the reset of vCPU 1's CPU_ON);
 *  2. vCPU 1 alternates spinning and sleeping in WFI: its flag goes to 1 and back to 0 (with
 *     lvmm,idle-preempted it stays 1, since vCPU 0 only runs while vCPU 1 does not);
 *  3. vCPU 1 sleeps in WFI: never preempted, or mostly preempted with lvmm,idle-preempted;
 *  4. vCPU 1 registers a structure in RAM with IPA_INIT and spins: that one is maintained and
 *     the region slot is left alone;
 *  5. vCPU 1 calls IPA_RELEASE and spins: nothing is written at the released structure, and
 *     the region slot is maintained again;
 *  6. vCPU 1 registers another RAM structure, CPU_OFF, and is switched on again (a reset):
 *     the reset drops that registration, nothing is written there, the region slot is back.
 * vCPU 0 samples for PHASE_MS in each phase and reports what it saw.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define PHASE_MS 2000
#define KICK_INTID (32 + LVMM_PVSCHED_KICK_SPI_BASE + 1)
#define PATTERN 0x5a5a5a5au

enum phase { SPIN = 1, ALTERNATE, SLEEP, OWN_STRUCTURE, RELEASED, OFF_WITH_OWN, AFTER_RESET, END };

static volatile uint64_t phase, reached;
static volatile uint32_t *const slot1 =
	(volatile uint32_t *)(LVMM_PVSCHED_BASE + PV_SCHED_STATE_SIZE);
/* vCPU 1's own structures in RAM (phases 4 and 6). */
static volatile struct pvsched_vcpu_state own[2] __attribute__((aligned(PV_SCHED_STATE_ALIGN)));

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

static void spin_while(uint64_t p)
{
	while (phase == p)
		;
}

void secondary_main(unsigned int cpu)
{
	uint64_t period = counter_frequency() / 100; /* 10 ms: several host time slices */

	gic_init_cpu(cpu);
	gic_enable_private(cpu, VTIMER_INTID);
	for (;;) {
		uint64_t now = phase;

		reached = now;
		switch (now) {
		case ALTERNATE:
			while (phase == ALTERNATE) {
				for (uint64_t end = counter_read() + period; counter_read() < end;)
					;
				sleep_in_wfi(period);
			}
			break;
		case SLEEP:
			while (phase == SLEEP)
				sleep_in_wfi(0); /* until vCPU 0 kicks */
			break;
		case OWN_STRUCTURE:
			GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_IPA_INIT, (uint64_t)(uintptr_t)&own[0]),
					PV_SCHED_SUCCESS);
			reached = OWN_STRUCTURE + 100; /* registered */
			spin_while(OWN_STRUCTURE);
			break;
		case RELEASED:
			GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_IPA_RELEASE, 0), PV_SCHED_SUCCESS);
			reached = RELEASED + 100;
			spin_while(RELEASED);
			break;
		case OFF_WITH_OWN:
			GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_IPA_INIT, (uint64_t)(uintptr_t)&own[1]),
					PV_SCHED_SUCCESS);
			reached = OFF_WITH_OWN + 100;
			psci_cpu_off(); /* vCPU 0 switches us on again, into AFTER_RESET */
		case END:
			for (;;)
				__asm__ volatile("wfi");
		default: /* SPIN, AFTER_RESET */
			spin_while(now);
			break;
		}
	}
}

struct observation { uint64_t samples, preempted, rises, falls; };

static struct observation watch(volatile uint32_t *word)
{
	struct observation o = { 0 };
	uint64_t end = counter_read() + counter_frequency() * PHASE_MS / 1000;
	uint32_t last = *word;

	while (counter_read() < end) {
		uint32_t now = *word;

		o.samples++;
		o.preempted += now != 0;
		o.rises += !last && now;
		o.falls += last && !now;
		last = now;
	}
	return o;
}

static void settle(void)
{
	/* Let vCPU 1 get from "reached" to the state the phase is about. */
	for (uint64_t end = counter_read() + counter_frequency() * 3 / 10; counter_read() < end;)
		;
}

static void enter_phase(uint64_t next, uint64_t wait_for)
{
	phase = next;
	memory_barrier();
	wait_until(&reached, wait_for, 30 * counter_frequency());
	settle();
}

void guest_main(uint64_t dtb)
{
	bool idle_preempted = fdt_node_has_property(dtb, "pvsched", PV_SCHED_DT_IDLE_PREEMPTED);
	struct observation o, region;
	uint32_t region_before;

	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_FEATURES, PV_SCHED_IPA_INIT), PV_SCHED_SUCCESS);
	guest_report("idle_preempted", idle_preempted);
	gic_init_distributor();
	gic_enable_spi_edge(KICK_INTID, vcpu_mpidr(1));
	phase = SPIN;
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	wait_until(&reached, SPIN, 30 * counter_frequency());
	settle();
	o = watch(slot1);
	guest_report("spinning_samples", o.samples);
	guest_report("spinning_preempted_samples", o.preempted);
	GUEST_ASSERT(o.preempted > 0);

	enter_phase(ALTERNATE, ALTERNATE);
	o = watch(slot1);
	guest_report("alternating_rises", o.rises);
	guest_report("alternating_falls", o.falls);
	guest_report("alternating_preempted_samples", o.preempted);
	/*
	 * vCPU 0 shares the host CPU with vCPU 1, so it only samples while vCPU 1 is off it:
	 * either preempted or asleep in WFI. Only the default semantics tells those apart.
	 */
	if (idle_preempted)
		GUEST_ASSERT(o.preempted > o.samples / 10 * 9);
	else
		GUEST_ASSERT(o.rises > 0 && o.falls > 0);

	enter_phase(SLEEP, SLEEP);
	o = watch(slot1);
	guest_report("wfi_samples", o.samples);
	guest_report("wfi_preempted_samples", o.preempted);
	if (idle_preempted)
		GUEST_ASSERT(o.preempted > o.samples / 2);
	else
		GUEST_ASSERT_EQ(o.preempted, 0);

	phase = OWN_STRUCTURE;
	GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_KICK_CPU, vcpu_mpidr(1)), PV_SCHED_SUCCESS);
	wait_until(&reached, OWN_STRUCTURE + 100, 30 * counter_frequency());
	settle();
	region_before = *slot1; /* not in use now: KVM must leave it alone */
	o = watch(&own[0].preempted);
	guest_report("own_structure_preempted_samples", o.preempted);
	GUEST_ASSERT(o.preempted > 0);
	GUEST_ASSERT_EQ(*slot1, region_before);

	enter_phase(RELEASED, RELEASED + 100);
	own[0].preempted = PATTERN;
	region = watch(slot1);
	guest_report("released_region_preempted_samples", region.preempted);
	guest_report("released_structure_untouched", own[0].preempted == PATTERN);
	GUEST_ASSERT(region.preempted > 0);
	GUEST_ASSERT_EQ(own[0].preempted, PATTERN);

	enter_phase(OFF_WITH_OWN, OFF_WITH_OWN + 100);
	while (psci_affinity_info(vcpu_mpidr(1)) != PSCI_AFFINITY_OFF)
		;
	phase = AFTER_RESET;
	memory_barrier();
	GUEST_ASSERT_EQ(psci_cpu_on(vcpu_mpidr(1), (uintptr_t)secondary_entry, 1), PSCI_RET_SUCCESS);
	wait_until(&reached, AFTER_RESET, 30 * counter_frequency());
	settle();
	own[1].preempted = PATTERN;
	region = watch(slot1);
	guest_report("after_reset_region_preempted_samples", region.preempted);
	guest_report("dropped_structure_untouched", own[1].preempted == PATTERN);
	GUEST_ASSERT(region.preempted > 0);
	GUEST_ASSERT_EQ(own[1].preempted, PATTERN);
	phase = END;
	guest_done();
}
