/*
 * Brings up every vCPU with PSCI CPU_ON; each secondary writes the MPIDR it finds itself with
 * into its slot and sleeps. Reports cpus=<vCPUs, the boot CPU included>.
 */
#include "guest.h"

#define ARRIVED (1ULL << 63) /* the affinity fields never use bit 63: marks a written slot */

static volatile uint64_t arrived_mpidr[GUEST_MAX_CPUS];

void secondary_main(unsigned int cpu)
{
	arrived_mpidr[cpu] = this_mpidr() | ARRIVED;
	memory_barrier();
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t dtb)
{
	unsigned int cpus = smp_start_all();
	uint64_t deadline = counter_read() + 5 * counter_frequency();

	(void)dtb;
	GUEST_ASSERT_EQ(this_mpidr(), vcpu_mpidr(0));
	for (unsigned int n = 1; n < cpus; n++) {
		while (!arrived_mpidr[n]) {
			if (counter_read() >= deadline) {
				guest_print("vCPU %u did not come up within 5 s", n);
				GUEST_ASSERT(arrived_mpidr[n]);
			}
		}
		GUEST_ASSERT_EQ(arrived_mpidr[n] & ~ARRIVED, vcpu_mpidr(n));
	}
	guest_report("cpus", cpus);
	guest_done();
}
