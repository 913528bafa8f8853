#include "smp.h"

#include "doorbell.h"
#include "psci.h"
#include "timer.h"

unsigned int smp_start_all(void)
{
	unsigned int cpus = 1;
	int64_t ret;

	for (; cpus < GUEST_MAX_CPUS; cpus++) {
		ret = psci_cpu_on(vcpu_mpidr(cpus), (uintptr_t)secondary_entry, cpus);
		if (ret == PSCI_RET_INVALID_PARAMS)
			return cpus;
		GUEST_ASSERT_EQ(ret, PSCI_RET_SUCCESS);
	}
	/*
	 * Every stack is taken. Silently using fewer vCPUs than lvmm was given would make the
	 * tests lie, so probe for one more: head.S parks a CPU whose number has no stack.
	 */
	ret = psci_cpu_on(vcpu_mpidr(cpus), (uintptr_t)secondary_entry, cpus);
	if (ret != PSCI_RET_INVALID_PARAMS) {
		guest_print("more vCPUs than the %u this guest library has stacks for", GUEST_MAX_CPUS);
		GUEST_ASSERT_EQ(ret, PSCI_RET_INVALID_PARAMS);
	}
	return cpus;
}

void wait_until(volatile uint64_t *word, uint64_t value, uint64_t timeout_ticks)
{
	uint64_t deadline = counter_read() + timeout_ticks;

	while (*word != value)
		GUEST_ASSERT(counter_read() < deadline);
}

__attribute__((weak)) void secondary_main(unsigned int cpu)
{
	(void)cpu;
	for (;;)
		__asm__ volatile("wfi");
}
