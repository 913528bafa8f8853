#ifndef LVMM_PVSCHED_KVM_H
#define LVMM_PVSCHED_KVM_H

#include "vmm/device.h"

/* PV sched as a device (--pvsched): the state region in its window, one kick interrupt per
 * vCPU from its irq on, the forwarded hypercalls, and the counters at the end. */
extern const struct device_class pvsched_device;

#endif
