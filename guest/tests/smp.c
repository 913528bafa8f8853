/* Brings up every vCPU with PSCI CPU_ON and checks each reports the MPIDR it was started at. */
#include "guest.h"

static volatile uint64_t reported_mpidr[GUEST_MAX_CPUS];

void secondary_main(unsigned int cpu)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	reported_mpidr[cpu] = (mpidr & 0xff00ffffffULL) | (1ULL << 63); /* bit 63: arrived */
	memory_barrier();
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t dtb)
{
	unsigned int cpus = smp_start_all();
	uint64_t deadline = counter_read() + 5 * counter_frequency();

	(void)dtb;
	for (unsigned int n = 1; n < cpus; n++) {
		while (!reported_mpidr[n])
			GUEST_ASSERT(counter_read() < deadline);
		GUEST_ASSERT_EQ(reported_mpidr[n] & ~(1ULL << 63), vcpu_mpidr(n));
	}
	guest_report("cpus", cpus);
	guest_done();
}
