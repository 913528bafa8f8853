/* The bare-metal test guests' library: doorbell ucalls, PSCI, counters. */
#ifndef LVMM_GUEST_H
#define LVMM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "lvmm/arm_memory_map.h"
#include "lvmm/doorbell.h"

#define GUEST_MAX_CPUS 8

/* --- doorbell (docs/doorbell.md) --- */
void guest_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_report(const char *name, uint64_t value);
void guest_sync(uint64_t stage, uint64_t value);
void guest_assert_failed(const char *text, uint64_t a, uint64_t b) __attribute__((noreturn));
void guest_done(void) __attribute__((noreturn));
uint64_t doorbell_read(uint64_t offset);
void doorbell_write(uint64_t offset, uint64_t value);

#define GUEST_STRINGIFY2(x) #x
#define GUEST_STRINGIFY(x) GUEST_STRINGIFY2(x)
#define GUEST_ASSERT(cond)                                                              \
	do {                                                                             \
		if (!(cond))                                                             \
			guest_assert_failed(#cond " at " __FILE__ ":" GUEST_STRINGIFY(__LINE__), 0, 0); \
	} while (0)
#define GUEST_ASSERT_EQ(a, b)                                                           \
	do {                                                                             \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                         \
		if (a_ != b_)                                                            \
			guest_assert_failed(#a " == " #b " at " __FILE__ ":" GUEST_STRINGIFY(__LINE__), a_, b_); \
	} while (0)

/* --- PSCI and SMCCC, through hvc --- */
#define PSCI_VERSION      0x84000000u
#define PSCI_CPU_ON       0xc4000003u
#define PSCI_SYSTEM_OFF   0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_RET_SUCCESS  0
#define PSCI_RET_INVALID_PARAMS (-2)

struct smccc_result { int64_t x0, x1, x2, x3; };
struct smccc_result smccc_hvc(uint64_t function, uint64_t x1, uint64_t x2, uint64_t x3);
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

/* KVM's MPIDR for vCPU n (Aff0 = n mod 16, Aff1 = n / 16). */
static inline uint64_t vcpu_mpidr(unsigned int n)
{
	return (n & 0xf) | ((uint64_t)((n >> 4) & 0xff) << 8);
}

static inline unsigned int this_cpu(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return (unsigned int)v;
}

/* --- counters --- */
static inline uint64_t counter_read(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
}

static inline uint64_t counter_frequency(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* Device memory (MMU off): plain volatile accesses plus barriers order CPUs' slots. */
static inline void memory_barrier(void) { __asm__ volatile("dsb sy" ::: "memory"); }

/* Starts every other vCPU at secondary_main(cpu); returns how many CPUs there are. */
unsigned int smp_start_all(void);
/* Spins until *word == value; a guest assertion fails after timeout_ticks. */
void wait_until(volatile uint64_t *word, uint64_t value, uint64_t timeout_ticks);

/* PV sched hypercalls (include/lvmm/pvsched_abi.h). */
static inline int64_t pvsched_hvc(uint32_t function, uint64_t x1)
{
	return smccc_hvc(function, x1, 0xdeadbeefcafef00dULL, ~0ULL).x0; /* garbage in x2, x3 */
}

/* Every test guest defines guest_main; secondary_main is optional (weak default parks). */
void guest_main(uint64_t dtb);
void secondary_main(unsigned int cpu);
extern char secondary_entry[];

#endif
