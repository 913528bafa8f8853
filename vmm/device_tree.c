#include "device_tree.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

int device_tree_begin_node(struct device_tree *tree, const char *name, uint64_t address)
{
	char node_name[64];

	snprintf(node_name, sizeof(node_name), "%s@%llx", name, (unsigned long long)address);
	return fdt_begin_node(tree->fdt, node_name);
}

void device_tree_node_path(char *path, size_t path_size, const char *name, uint64_t address)
{
	snprintf(path, path_size, "/%s@%llx", name, (unsigned long long)address);
}

int device_tree_property_reg(struct device_tree *tree, uint64_t base, uint64_t size)
{
	fdt64_t cells[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(tree->fdt, "reg", cells, sizeof(cells));
}

int device_tree_property_interrupts(struct device_tree *tree, unsigned int irq_first,
				    unsigned int irq_count, enum device_irq_trigger trigger)
{
	uint32_t one[DEVICE_TREE_MAX_IRQ_CELLS];
	fdt32_t *cells;
	unsigned int per_irq = 0;
	int ret;

	if (irq_count == 0)
		return 0;
	cells = calloc((size_t)irq_count * DEVICE_TREE_MAX_IRQ_CELLS, sizeof(*cells));
	if (!cells)
		return -FDT_ERR_NOSPACE;
	for (unsigned int i = 0; i < irq_count; i++) {
		per_irq = tree->interrupt_cells(irq_first + i, trigger, one);
		for (unsigned int c = 0; c < per_irq; c++)
			cells[i * per_irq + c] = cpu_to_fdt32(one[c]);
	}
	ret = fdt_property(tree->fdt, "interrupts", cells,
			   (int)(irq_count * per_irq * sizeof(*cells)));
	free(cells);
	return ret;
}
