/*
 * Secondary vCPUs. With the MMU off every access is Device-nGnRnE, where exclusives and atomics
 * are not guaranteed to work; CPUs talk through per-CPU words that one CPU writes and others
 * read, ordered by memory_barrier().
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdint.h>

#include "limits.h"

/* KVM's MPIDR for vCPU n: Aff0 = n[3:0], Aff1 = n[11:4], Aff2 = n[19:12]. */
static inline uint64_t vcpu_mpidr(unsigned int n)
{
	return (n & 0xf) | (uint64_t)((n >> 4) & 0xff) << 8 | (uint64_t)((n >> 12) & 0xff) << 16;
}

/* MPIDR_EL1's affinity fields, without the RES1 bit 31 and the MT/U bits. */
static inline uint64_t this_mpidr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff00ffffffULL;
}

/* The CPU number head.S stored in TPIDR_EL1: 0 for the boot CPU. */
static inline unsigned int this_cpu(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return (unsigned int)v;
}

static inline void memory_barrier(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

/*
 * Starts every other vCPU at secondary_main(n), vCPU n with MPIDR vcpu_mpidr(n), by CPU_ON on
 * successive MPIDRs until KVM answers INVALID_PARAMETERS; returns the number of CPUs, this one
 * included. A guest assertion fails if there are more vCPUs than GUEST_MAX_CPUS.
 */
unsigned int smp_start_all(void);

/* Spins until *word == value; a guest assertion fails after timeout_ticks counter ticks. */
void wait_until(volatile uint64_t *word, uint64_t value, uint64_t timeout_ticks);

/* The secondaries' C entry; the library's weak default just sleeps. */
void secondary_main(unsigned int cpu);
extern char secondary_entry[]; /* head.S: the entry point to give CPU_ON */

#endif
