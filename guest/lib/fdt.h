/* Just enough of the device tree lvmm passes in x0 to find the guest's RAM. */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdbool.h>
#include <stdint.h>

/* The first range of the first /memory node's reg; false if the blob is not a usable DTB. */
bool fdt_memory_range(uint64_t dtb, uint64_t *base, uint64_t *size);

#endif
