#ifndef LVMM_ARM_MACHINE_H
#define LVMM_ARM_MACHINE_H

#include <stddef.h>

struct vm;

/* Places and copies the payloads, wires the devices to the bus, writes the device tree and
 * sets the boot vCPU's registers. The vCPUs and the GIC already exist. */
int arm_machine_setup(struct vm *vm, char *err, size_t err_size);

#endif
