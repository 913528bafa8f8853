#ifndef LVMM_PVSCHED_KVM_H
#define LVMM_PVSCHED_KVM_H

#include <stddef.h>

struct vm;

/* With --pvsched: installs the SMCCC filter, picks full or kick-only mode, creates the state
 * region and registers every vCPU's slot. Runs before any vCPU does. */
int pvsched_kvm_setup(struct vm *vm, char *err, size_t err_size);
/* Frees what pvsched_kvm_setup allocated (the region goes with guest memory). */
void pvsched_kvm_teardown(struct vm *vm);

#endif
