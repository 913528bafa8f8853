#ifndef LVMM_VM_STATS_H
#define LVMM_VM_STATS_H

#include <stdbool.h>
#include <stdio.h>

struct vm;

/* lvmm stat's answer, read live while the guest runs (docs/control.md): the guest's state,
 * per vCPU its state, exits by reason and stolen time, then each device's counters (PV sched).
 * Text lines, or one JSON object. */
void vm_write_stats(struct vm *vm, const char *name, FILE *out, bool json);

#endif
