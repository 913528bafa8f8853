#ifndef LVMM_MONOTONIC_CLOCK_H
#define LVMM_MONOTONIC_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds: lvmm's start and the boot markers are on this clock. */
uint64_t monotonic_ns(void);

#endif
