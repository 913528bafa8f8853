/*
 * vCPU 1 sleeps in WFI with interrupts masked; vCPU 0 wakes it `rounds=N` times (lvmm -p,
 * default 64) with KICK_CPU and as many times with an SGI, alternating so that both see the
 * same host conditions, and vCPU 1 records when it woke. Reports every wake latency in counter
 * ticks ("report kick_wake_sample_ticks=", "report sgi_wake_sample_ticks=") and min, median and
 * max of each. Needs --pvsched and 2 vCPUs.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define DEFAULT_ROUNDS 64
#define MAX_ROUNDS 4096
#define WAKE_SGI 1
#define KICK_INTID (32 + LVMM_PVSCHED_KICK_SPI_BASE + 1)

static volatile uint64_t sleeping_round, woken_round, woken_at, woken_by;
static uint64_t rounds;
static uint64_t kick_latency[MAX_ROUNDS], sgi_latency[MAX_ROUNDS];

void secondary_main(unsigned int cpu)
{
	gic_init_cpu(cpu);
	gic_enable_private(cpu, WAKE_SGI);
	for (uint64_t round = 1; round <= 2 * rounds; round++) {
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

static void report_distribution(const char *sample, const char *min, const char *median,
				const char *max, uint64_t *v)
{
	for (unsigned int i = 0; i < rounds; i++)
		guest_report(sample, v[i]);
	sort(v, rounds);
	guest_report(min, v[0]);
	guest_report(median, v[rounds / 2]);
	guest_report(max, v[rounds - 1]);
}

void guest_main(uint64_t dtb)
{
	uint64_t second = counter_frequency();

	rounds = bootargs_number(fdt_chosen_bootargs(dtb), "rounds", DEFAULT_ROUNDS);
	if (rounds == 0 || rounds > MAX_ROUNDS) {
		guest_print("rounds=%lu: wants 1 to %u", rounds, MAX_ROUNDS);
		GUEST_ASSERT(rounds > 0 && rounds <= MAX_ROUNDS);
	}
	gic_init_distributor();
	gic_enable_spi_edge(KICK_INTID, vcpu_mpidr(1));
	GUEST_ASSERT_EQ(smp_start_all(), 2);
	for (uint64_t round = 1; round <= 2 * rounds; round++) {
		bool kick = round % 2 == 1;
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
			kick_latency[(round - 1) / 2] = woken_at - start;
		else
			sgi_latency[(round - 1) / 2] = woken_at - start;
	}
	guest_report("counter_hz", second);
	report_distribution("kick_wake_sample_ticks", "kick_wake_ticks_min", "kick_wake_ticks_median",
			    "kick_wake_ticks_max", kick_latency);
	report_distribution("sgi_wake_sample_ticks", "sgi_wake_ticks_min", "sgi_wake_ticks_median",
			    "sgi_wake_ticks_max", sgi_latency);
	guest_done();
}
