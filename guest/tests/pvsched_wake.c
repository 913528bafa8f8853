/*
 * vCPU 1 sleeps in WFI with interrupts masked; vCPU 0 wakes it, ROUNDS times with KICK_CPU
 * and ROUNDS times with an SGI, and vCPU 1 records when it woke. Reports the wake latencies in
 * counter ticks (min, median, max) for both, measured in the same run. Needs --pvsched, 2 vCPUs.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define ROUNDS 64
#define WAKE_SGI 1
#define KICK_INTID (32 + LVMM_PVSCHED_KICK_SPI_BASE + 1)

static volatile uint64_t sleeping_round, woken_round, woken_at, woken_by;
static uint64_t kick_latency[ROUNDS], sgi_latency[ROUNDS];

void secondary_main(unsigned int cpu)
{
	gic_init_cpu(cpu);
	gic_enable_private(cpu, WAKE_SGI);
	for (uint64_t round = 1; round <= 2 * ROUNDS; round++) {
		uint32_t intid;

		sleeping_round = round;
		memory_barrier();
		do {
			__asm__ volatile("wfi");
			intid = gic_acknowledge();
		} while (intid == GIC_SPURIOUS);
		woken_at = counter_read();
		gic_end_of_interrupt(intid);
		woken_by = intid;
		memory_barrier();
		woken_round = round;
	}
	for (;;)
		__asm__ volatile("wfi");
}

static void sort(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void report_distribution(const char *min, const char *median, const char *max,
				uint64_t *v)
{
	sort(v, ROUNDS);
	guest_report(min, v[0]);
	guest_report(median, v[ROUNDS / 2]);
	guest_report(max, v[ROUNDS - 1]);
}

void guest_main(uint64_t dtb)
{
	uint64_t second = counter_frequency();

	(void)dtb;
	gic_init_distributor();
	gic_enable_spi_edge(KICK_INTID, vcpu_mpidr(1));
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	for (uint64_t round = 1; round <= 2 * ROUNDS; round++) {
		bool kick = round <= ROUNDS;
		uint64_t start;

		wait_until(&sleeping_round, round, 10 * second);
		/* Let vCPU 1 reach WFI and block: this measures waking a sleeping vCPU. */
		for (start = counter_read(); counter_read() - start < second / 1000;)
			;
		start = counter_read();
		if (kick)
			GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_KICK_CPU, vcpu_mpidr(1)), PV_SCHED_SUCCESS);
		else
			gic_send_sgi(WAKE_SGI, vcpu_mpidr(1));
		wait_until(&woken_round, round, 10 * second);
		GUEST_ASSERT_EQ(woken_by, kick ? KICK_INTID : WAKE_SGI);
		if (kick)
			kick_latency[round - 1] = woken_at - start;
		else
			sgi_latency[round - ROUNDS - 1] = woken_at - start;
	}
	guest_report("counter_hz", second);
	report_distribution("kick_wake_ticks_min", "kick_wake_ticks_median", "kick_wake_ticks_max",
			    kick_latency);
	report_distribution("sgi_wake_ticks_min", "sgi_wake_ticks_median", "sgi_wake_ticks_max",
			    sgi_latency);
	guest_done();
}
