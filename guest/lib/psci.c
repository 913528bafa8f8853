#include "psci.h"

#include "doorbell.h"

int64_t smccc_hvc(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC lets the callee return results in x0-x3, so all four are outputs. */
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	return (int64_t)x0;
}

uint32_t psci_version(void)
{
	return (uint32_t)smccc_hvc(PSCI_VERSION, 0, 0, 0);
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return smccc_hvc(PSCI_CPU_ON, mpidr, entry, context);
}

int64_t psci_affinity_info(uint64_t mpidr)
{
	return smccc_hvc(PSCI_AFFINITY_INFO, mpidr, 0, 0);
}

void psci_cpu_off(void)
{
	smccc_hvc(PSCI_CPU_OFF, 0, 0, 0);
	guest_assert_failed("PSCI CPU_OFF returned", 0, 0);
}

void psci_system_off(void)
{
	smccc_hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	guest_assert_failed("PSCI SYSTEM_OFF returned", 0, 0);
}

void psci_system_reset(void)
{
	smccc_hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
	guest_assert_failed("PSCI SYSTEM_RESET returned", 0, 0);
}
