/* Just enough of the device tree lvmm passes in x0: the guest's RAM and its command line. */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdbool.h>
#include <stdint.h>

/* The first range of the first /memory node's reg; false if the blob is not a usable DTB. */
bool fdt_memory_range(uint64_t dtb, uint64_t *base, uint64_t *size);

/* Whether the root's child node (also "node@<unit>") has the property prop. */
bool fdt_node_has_property(uint64_t dtb, const char *node, const char *prop);

/* /chosen's linux,initrd-start and -end (4 or 8 bytes each); false without an initrd. */
bool fdt_chosen_initrd(uint64_t dtb, uint64_t *start, uint64_t *end);
/* /chosen/bootargs (lvmm -p), or "" if there is none. */
const char *fdt_chosen_bootargs(uint64_t dtb);
/* The value of the word "key=<decimal>" in bootargs; fallback if absent or not a number. */
uint64_t bootargs_number(const char *bootargs, const char *key, uint64_t fallback);

#endif
