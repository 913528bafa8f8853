/*
 * A kick storm: every vCPU kicks every vCPU (itself included) and some ids that are not vCPUs,
 * as fast as it can, with the kick interrupts enabled but masked so they pile up. lvmm must
 * answer every call correctly and survive. Needs --pvsched; any number of vCPUs.
 */
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define KICKS_PER_CPU 5000

static volatile uint64_t finished[GUEST_MAX_CPUS], go;
static unsigned int cpu_count;

static void storm(unsigned int cpu)
{
	for (unsigned int i = 0; i < KICKS_PER_CPU; i++) {
		unsigned int target = (cpu + i) % (cpu_count + 1);
		int64_t want = target < cpu_count ? PV_SCHED_SUCCESS : PV_SCHED_INVALID_PARAMETER;

		GUEST_ASSERT_EQ(pvsched_hvc(PV_SCHED_KICK_CPU, vcpu_mpidr(target)), want);
	}
	finished[cpu] = 1;
	memory_barrier();
}

void secondary_main(unsigned int cpu)
{
	wait_until(&go, 1, 60 * counter_frequency()); /* cpu_count is final only then */
	storm(cpu);
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t dtb)
{
	uint64_t second = counter_frequency();

	(void)dtb;
	gic_init_distributor();
	for (unsigned int n = 0; n < GUEST_MAX_CPUS; n++)
		gic_enable_spi_edge(32 + LVMM_PVSCHED_KICK_SPI_BASE + n, vcpu_mpidr(n));
	cpu_count = 1;
	while (cpu_count < GUEST_MAX_CPUS &&
	       psci_cpu_on(vcpu_mpidr(cpu_count), (uint64_t)(uintptr_t)secondary_entry, cpu_count) == PSCI_RET_SUCCESS)
		cpu_count++;
	go = 1;
	memory_barrier();
	storm(0);
	for (unsigned int n = 0; n < cpu_count; n++)
		wait_until(&finished[n], 1, 120 * second);
	guest_report("storm_kicks", (uint64_t)cpu_count * KICKS_PER_CPU);
	guest_done();
}
