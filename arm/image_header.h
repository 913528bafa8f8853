#ifndef LVMM_ARM_IMAGE_HEADER_H
#define LVMM_ARM_IMAGE_HEADER_H

#include <stddef.h>
#include <stdint.h>

/* What lvmm needs from an arm64 Linux Image header (Documentation/arch/arm64/booting.rst). */
struct arm64_image {
	uint64_t text_offset; /* load offset from a 2 MiB aligned base */
	uint64_t image_size;  /* bytes the kernel occupies once running, BSS included */
};

#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET 0x80000u

/* 0 on success; -1 with a one-line reason (naming the fix) in err otherwise. */
int arm64_image_parse(const uint8_t *data, size_t size, struct arm64_image *image, char *err,
		      size_t err_size);

#endif
