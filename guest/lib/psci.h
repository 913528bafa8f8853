/* PSCI through SMCCC hvc #0, which KVM handles in the kernel (lvmm sees only SYSTEM_OFF/RESET). */
#ifndef GUEST_PSCI_H
#define GUEST_PSCI_H

#include <stdint.h>

#define PSCI_VERSION      0x84000000u
#define PSCI_CPU_OFF      0x84000002u
#define PSCI_CPU_ON       0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_SYSTEM_OFF   0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

#define PSCI_RET_SUCCESS        0
#define PSCI_RET_INVALID_PARAMS (-2)

#define PSCI_AFFINITY_ON  0
#define PSCI_AFFINITY_OFF 1

/* An SMCCC call with up to three arguments; returns x0. */
int64_t smccc_hvc(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3);

uint32_t psci_version(void); /* major << 16 | minor */
/* Starts the vCPU with this MPIDR at entry (a physical address) with x0 = context. */
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
/* Whether the vCPU with this MPIDR is on (PSCI_AFFINITY_ON) or off (PSCI_AFFINITY_OFF). */
int64_t psci_affinity_info(uint64_t mpidr);
/* None of these returns: if PSCI does, the guest reports a failed assertion instead. */
void psci_cpu_off(void) __attribute__((noreturn));
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

#endif
