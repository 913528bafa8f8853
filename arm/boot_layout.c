#include "boot_layout.h"

#include <stdio.h>

#include "lvmm/arm_memory_map.h"

#define SZ_4K  0x1000ULL
#define SZ_1M  0x100000ULL
#define SZ_2M  0x200000ULL
#define SZ_1G  0x40000000ULL
#define SZ_32G (32ULL * SZ_1G)

static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
/* For the error message only: no RAM is this big, and the sums below then cannot wrap. */
static uint64_t clamp(uint64_t v) { return v < (1ULL << 50) ? v : 1ULL << 50; }

int boot_layout_place(const struct boot_layout_request *req, struct boot_layout *layout, char *err,
		      size_t err_size)
{
	uint64_t ram_end = req->ram_base + req->ram_size;
	uint64_t top, needed;

	layout->load_addr = req->ram_base + req->load_offset;
	layout->load_end = layout->load_addr + req->load_size;
	layout->entry = layout->load_addr;

	/*
	 * booting.rst: the initrd must lie in a 1 GiB aligned window of at most 32 GiB that also
	 * covers the kernel, so with a lot of RAM the payloads go at the top of that window, not
	 * at the top of RAM.
	 */
	top = align_down(layout->load_addr, SZ_1G) + SZ_32G;
	if (top > ram_end)
		top = ram_end;
	layout->dtb_addr = top >= req->ram_base + LVMM_DTB_MAX_SIZE ?
			   align_down(top - LVMM_DTB_MAX_SIZE, SZ_2M) : req->ram_base;
	layout->initrd_end = layout->dtb_addr;
	layout->initrd_start = layout->initrd_end;

	/* load_size comes from the Image header: a huge one must not wrap load_end. */
	if (req->load_offset > req->ram_size || req->load_size > req->ram_size - req->load_offset ||
	    layout->dtb_addr < layout->load_end || req->initrd_size > req->ram_size ||
	    align_up(req->initrd_size, SZ_4K) > layout->dtb_addr - layout->load_end) {
		needed = align_up(clamp(req->load_offset) + clamp(req->load_size), SZ_4K) +
			 align_up(clamp(req->initrd_size), SZ_4K) + LVMM_DTB_MAX_SIZE + SZ_2M;
		snprintf(err, err_size,
			 "-m %llu MiB is too small for the kernel (%llu KiB incl. BSS), initrd (%llu KiB) and device tree (2 MiB); use -m %llu or more",
			 (unsigned long long)(req->ram_size / SZ_1M),
			 (unsigned long long)(req->load_size / 1024),
			 (unsigned long long)(req->initrd_size / 1024),
			 (unsigned long long)align_up(needed, SZ_1M) / SZ_1M);
		return -1;
	}
	/* The end is the initrd's own last byte, not the page after it: a guest that reads the
	 * initrd as it is (kvm-unit-tests' environment) must not see padding. */
	if (req->initrd_size) {
		layout->initrd_start = align_down(layout->dtb_addr - req->initrd_size, SZ_4K);
		layout->initrd_end = layout->initrd_start + req->initrd_size;
	}
	return 0;
}
