/*
 * Everything a test guest uses, in one include. A test defines guest_main(), entered on the
 * boot CPU with the MMU off, DAIF masked and its own stack; returning from it is guest_done().
 * Secondaries started with smp_start_all() run secondary_main() if the test defines one.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "doorbell.h"
#include "fdt.h"
#include "limits.h"
#include "psci.h"
#include "smp.h"
#include "timer.h"

void guest_main(uint64_t dtb);

/* PV sched calls (include/lvmm/pvsched_abi.h), with garbage in the unused x2 and x3 on purpose. */
static inline int64_t pvsched_hvc(uint32_t function, uint64_t x1)
{
	return smccc_hvc(function, x1, 0xdeadbeefcafef00dULL, ~0ULL);
}

#endif
