#ifndef LVMM_ARM_FDT_MACHINE_H
#define LVMM_ARM_FDT_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/device_tree.h"

enum gic_version { GIC_V2 = 2, GIC_V3 = 3 };

struct device_set;

/* Everything the device tree says about a guest; built by arm/machine.c, pure data here. */
struct machine_description {
	uint64_t ram_base;
	uint64_t ram_size;
	unsigned int cpus;
	const uint64_t *mpidrs;      /* cpus entries, as KVM reports MPIDR_EL1 */
	enum gic_version gic;
	bool gic_its;                /* a GICv3 ITS at LVMM_GICV3_ITS_BASE */
	const char *bootargs;
	uint64_t initrd_start;       /* initrd_start == initrd_end: no initrd */
	uint64_t initrd_end;
	uint64_t kaslr_seed;         /* 0: no seed */
	bool pmu;                    /* a PMUv3 on LVMM_PMU_PPI */
	const struct device_set *devices; /* each writes its own node; NULL: none */
};

/* Fixed so that tests and readers of --dump-dtb can rely on it (vmm/device_tree.h has the
 * devices' own). */
#define FDT_PHANDLE_GIC      DEVICE_TREE_PHANDLE_IRQCHIP

/* Builds the DTB into buf (buf_size bytes). 0 on success, a negative libfdt error otherwise. */
int fdt_build_machine(const struct machine_description *machine, void *buf, size_t buf_size);

#endif
