#ifndef LVMM_ARM_BOOT_LAYOUT_H
#define LVMM_ARM_BOOT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* Where the payloads go in guest RAM; the rules are in docs/memory-map.md. */
struct boot_layout_request {
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t load_offset;  /* from ram_base: text_offset for an Image, 0 for firmware */
	uint64_t load_size;    /* bytes the payload occupies once running (image_size) */
	uint64_t initrd_size;  /* 0: no initrd */
};

struct boot_layout {
	uint64_t load_addr;
	uint64_t load_end;
	uint64_t initrd_start;
	uint64_t initrd_end;   /* == initrd_start without an initrd */
	uint64_t dtb_addr;     /* LVMM_DTB_MAX_SIZE bytes reserved here */
	uint64_t entry;
};

/* 0 on success; -1 with a one-line reason naming the -m that would fit otherwise. */
int boot_layout_place(const struct boot_layout_request *req, struct boot_layout *layout, char *err,
		      size_t err_size);

#endif
