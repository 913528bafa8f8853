/* Stand-ins for what vmm/vm.c and the architecture's KVM code provide to device models, so
 * that devices are created, driven and described natively without KVM. */
#ifndef LVMM_TESTS_FAKE_VM_H
#define LVMM_TESTS_FAKE_VM_H

#include <stdbool.h>

#include "vmm/cli.h"
#include "vmm/vm.h"

extern _Atomic int fake_vm_stop_status;        /* the last vm_request_stop() status, or VM_RUNNING */
extern unsigned int fake_irq_raised;    /* the last irq arch_irq_line() drove ... */
extern int fake_irq_level;              /* ... and to which level */

#define FAKE_VM_MAX_FDS 16
extern int fake_irqfd[FAKE_VM_MAX_FDS];             /* eventfds bound with vm_irqfd_attach */
extern unsigned int fake_irqfd_irq[FAKE_VM_MAX_FDS];
extern unsigned int fake_irqfd_count;

/* A VM with default options (plus what the caller changes in *opts afterwards): no KVM. */
void fake_vm_init(struct vm *vm, struct run_options *opts);

#endif
