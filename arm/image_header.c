#include "image_header.h"

#include "vmm/arch.h"

#include <stdio.h>
#include <string.h>

#include "vmm/log.h"

static uint64_t read_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t read_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t read_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * An Image with the EFI stub (it starts "MZ") carries a PE/COFF header whose section table says
 * how much of the file holds the kernel: a file cut short (an interrupted copy, a full disk) is
 * refused here instead of booting garbage. Without the stub nothing says how long the file
 * should be (image_size counts BSS), so it is taken as it is.
 */
static int arm64_image_check_length(const uint8_t *data, size_t size, char *err, size_t err_size)
{
	uint64_t pe, sections, count, end = 0;

	if (data[0] != 'M' || data[1] != 'Z')
		return 0;
	pe = read_le32(data + 60);
	if (pe + 24 <= size && memcmp(data + pe, "PE\0\0", 4) != 0)
		return 0; /* "MZ" without a PE header: not a stub to judge by */
	if (pe + 24 <= size) {
		count = read_le16(data + pe + 6);
		sections = pe + 24 + read_le16(data + pe + 20);
		end = sections + count * 40;
		for (uint64_t i = 0; i < count && sections + (i + 1) * 40 <= size; i++) {
			const uint8_t *section = data + sections + i * 40;
			uint64_t raw_end = (uint64_t)read_le32(section + 20) + read_le32(section + 16);

			if (raw_end > end)
				end = raw_end;
		}
	} else {
		end = pe + 24;
	}
	if (end > size) {
		snprintf(err, err_size, "the kernel file is truncated: its PE/COFF header describes %llu bytes and the file has %zu; copy or build it again",
			 (unsigned long long)end, size);
		return -1;
	}
	return 0;
}

int arm64_image_parse(const uint8_t *data, size_t size, struct arm64_image *image, char *err,
		      size_t err_size)
{
	uint64_t flags;

	if (size < ARM64_IMAGE_HEADER_SIZE || read_le32(data + 56) != ARM64_IMAGE_MAGIC) {
		snprintf(err, err_size,
			 "not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56); boot raw binaries with --firmware");
		return -1;
	}
	image->text_offset = read_le64(data + 8);
	image->image_size = read_le64(data + 16);
	flags = read_le64(data + 24);
	if (image->image_size == 0) {
		/* Kernels before 3.17 leave image_size 0 and expect the historical 0x80000 offset. */
		image->text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		image->image_size = size;
		return 0;
	}
	if (flags & 1) {
		snprintf(err, err_size, "the Image is a big-endian kernel; lvmm boots little-endian kernels only");
		return -1;
	}
	if (image->text_offset % 4096 != 0 || image->text_offset >= 0x200000) {
		snprintf(err, err_size, "the Image header's text_offset 0x%llx is not a page offset inside 2 MiB",
			 (unsigned long long)image->text_offset);
		return -1;
	}
	/* BSS makes image_size larger than the file; a smaller one means a damaged header. */
	if (image->image_size < size) {
		snprintf(err, err_size, "the Image header's image_size (%llu) is smaller than the file (%zu bytes): damaged Image",
			 (unsigned long long)image->image_size, size);
		return -1;
	}
	return arm64_image_check_length(data, size, err, err_size);
}

int arch_kernel_image_parse(const uint8_t *data, size_t size, uint64_t *load_offset,
			    uint64_t *load_size, char *err, size_t err_size)
{
	struct arm64_image image;

	if (size >= 4 && memcmp(data, "\177ELF", 4) == 0) {
		snprintf(err, err_size,
			 "an ELF file (vmlinux?), not an arm64 Image: give the kernel's arch/arm64/boot/Image");
		return -1;
	}
	/* As kvmtool does, a kernel without the Image header is a flat binary loaded at the
	 * historical text offset: kvm-unit-tests' .flat tests come this way, with an initrd. */
	if (size < ARM64_IMAGE_HEADER_SIZE || read_le32(data + 56) != ARM64_IMAGE_MAGIC) {
		log_info("the kernel has no arm64 Image header: loading it as a flat binary at RAM + 0x%x",
			 ARM64_IMAGE_LEGACY_TEXT_OFFSET);
		*load_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		*load_size = size;
		return 0;
	}
	if (arm64_image_parse(data, size, &image, err, err_size))
		return -1;
	*load_offset = image.text_offset;
	*load_size = image.image_size;
	return 0;
}
