/*
 * What a device needs to write its own device-tree node: the blob being written (libfdt's
 * sequential-write API, one node after the other) and the architecture's way of naming an
 * interrupt. Devices add their other properties with libfdt directly on tree->fdt.
 */
#ifndef LVMM_DEVICE_TREE_H
#define LVMM_DEVICE_TREE_H

#include <stddef.h>
#include <stdint.h>

enum device_irq_trigger { DEVICE_IRQ_LEVEL_HIGH, DEVICE_IRQ_EDGE_RISING };

struct device_tree {
	void *fdt;
	/* Writes the cells naming irq (a device interrupt as the machine placed it) into cells;
	 * returns how many (at most DEVICE_TREE_MAX_IRQ_CELLS). */
	unsigned int (*interrupt_cells)(unsigned int irq, enum device_irq_trigger trigger,
					uint32_t *cells);
	/* Set by the device that is the guest's console: the node path for /chosen. */
	char stdout_path[64];
};

#define DEVICE_TREE_MAX_IRQ_CELLS 3

/* Phandles are fixed so that tests and readers of --dump-dtb can rely on them. */
#define DEVICE_TREE_PHANDLE_IRQCHIP  1
#define DEVICE_TREE_PHANDLE_APB_PCLK 2

/* "name@address" */
int device_tree_begin_node(struct device_tree *tree, const char *name, uint64_t address);
/* "reg" with two address and two size cells, as lvmm's root node has. */
int device_tree_property_reg(struct device_tree *tree, uint64_t base, uint64_t size);
/* "interrupts": irq_count interrupts irq_first, irq_first + 1, ... */
int device_tree_property_interrupts(struct device_tree *tree, unsigned int irq_first,
				    unsigned int irq_count, enum device_irq_trigger trigger);
/* The path of the node device_tree_begin_node(name, address) makes. */
void device_tree_node_path(char *path, size_t path_size, const char *name, uint64_t address);

#endif
