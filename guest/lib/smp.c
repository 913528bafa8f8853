#include "guest.h"

/* Starts every vCPU that exists at secondary_entry (CPU_ON until INVALID_PARAMETERS). */
unsigned int smp_start_all(void)
{
	unsigned int cpus = 1;

	for (unsigned int n = 1; n < GUEST_MAX_CPUS; n++) {
		int64_t ret = psci_cpu_on(vcpu_mpidr(n), (uint64_t)(uintptr_t)secondary_entry, n);

		if (ret == PSCI_RET_INVALID_PARAMS)
			break;
		GUEST_ASSERT_EQ(ret, PSCI_RET_SUCCESS);
		cpus++;
	}
	return cpus;
}

void wait_until(volatile uint64_t *word, uint64_t value, uint64_t timeout_ticks)
{
	uint64_t deadline = counter_read() + timeout_ticks;

	while (*word != value)
		GUEST_ASSERT(counter_read() < deadline);
}
