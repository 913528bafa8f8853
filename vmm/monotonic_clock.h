#ifndef LVMM_MONOTONIC_CLOCK_H
#define LVMM_MONOTONIC_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds: lvmm's start and the boot markers are on this clock. */
uint64_t monotonic_ns(void);

struct timespec;
/* *at = now + ms on CLOCK_MONOTONIC: a deadline for pthread_cond_timedwait on a condition
 * variable set to that clock, or for comparing with the time later. */
void monotonic_deadline_after(struct timespec *at, unsigned int ms);

#endif
