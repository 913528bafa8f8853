#ifndef LVMM_ARM_PVTIME_H
#define LVMM_ARM_PVTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/device.h"

/* PV steal time (Arm DEN0057A, "PV time"): the guest asks KVM, through SMCCC calls KVM answers
 * itself, where its vCPU's stolen-time record is; KVM keeps the record up to date in the region
 * this device makes. */
extern const struct device_class pvtime_device;

/* Bytes per vCPU: the DEN0057A record (revision, attributes, stolen time in ns, padding). */
#define PVTIME_RECORD_SIZE 64
#define PVTIME_DT_COMPATIBLE "lvmm,pvtime-v1"

/* vCPU vcpu's stolen time in ns as KVM last wrote it (0 until the guest first asks for its
 * record); false when the host gives no steal time. */
bool pvtime_stolen_ns(const struct device *device, unsigned int vcpu, uint64_t *stolen_ns);

#endif
