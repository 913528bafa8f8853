#include <stdint.h>
#include <stdlib.h>

#include "arm/image_header.h"
#include "unit_test.h"

static uint8_t header[4096];
static char err[256];
static struct arm64_image image;

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A header as booting.rst lays it out: code0/1, text_offset, image_size, flags, res, magic. */
static void make_header(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(header, 0, sizeof(header));
	header[0] = 0x4d; /* "MZ" of the EFI stub: ignored */
	header[1] = 0x5a;
	put_le64(header + 8, text_offset);
	put_le64(header + 16, image_size);
	put_le64(header + 24, flags);
	memcpy(header + 56, "ARM\x64", 4);
}

static int parse(size_t size)
{
	memset(err, 0, sizeof(err));
	image.text_offset = image.image_size = 0xdeadbeef;
	return arm64_image_parse(header, size, &image, err, sizeof(err));
}

TEST(image_header_valid)
{
	make_header(0x10000, 0x800000, 0xa); /* 4K pages, placement anywhere: fine */
	EXPECT_EQ(parse(sizeof(header)), 0);
	EXPECT_EQ(image.text_offset, 0x10000);
	EXPECT_EQ(image.image_size, 0x800000);
	EXPECT_STR_EQ(err, "");

	make_header(0, 0x123456789a, 0); /* 64-bit fields, read little-endian */
	EXPECT_EQ(parse(sizeof(header)), 0);
	EXPECT_EQ(image.text_offset, 0);
	EXPECT_EQ(image.image_size, 0x123456789a);

	make_header(0x1ff000, sizeof(header), 0); /* the last page offset; image_size == file size */
	EXPECT_EQ(parse(sizeof(header)), 0);
	EXPECT_EQ(image.text_offset, 0x1ff000);
	EXPECT_EQ(image.image_size, sizeof(header));
}

TEST(image_header_exactly_64_bytes)
{
	/* Exactly the header, in a heap block of that size: ASan sees any read beyond it. */
	uint8_t *only = malloc(ARM64_IMAGE_HEADER_SIZE);

	make_header(0x80000, 0x100000, 0);
	memcpy(only, header, ARM64_IMAGE_HEADER_SIZE);
	EXPECT_EQ(arm64_image_parse(only, ARM64_IMAGE_HEADER_SIZE, &image, err, sizeof(err)), 0);
	EXPECT_EQ(image.text_offset, 0x80000);
	EXPECT_EQ(arm64_image_parse(only, ARM64_IMAGE_HEADER_SIZE - 1, &image, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
	free(only);
}

TEST(image_header_missing_magic)
{
	make_header(0, 0x10000, 0);
	header[56] = 'X';
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
	EXPECT_CONTAINS(err, "--firmware");

	make_header(0, 0x10000, 0);
	memcpy(header + 56, "\x64MRA", 4); /* byte-swapped magic */
	EXPECT_EQ(parse(sizeof(header)), -1);

	make_header(0, 0x10000, 0);
	memset(header + 56, 0, 4);
	memcpy(header + 52, "ARM\x64", 4); /* the right bytes at the wrong offset */
	EXPECT_EQ(parse(sizeof(header)), -1);

	memset(header, 0, sizeof(header)); /* e.g. a raw firmware binary */
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
}

TEST(image_header_short_file)
{
	make_header(0, 0x10000, 0);
	EXPECT_EQ(parse(63), -1);
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
	EXPECT_EQ(parse(1), -1);
	EXPECT_EQ(arm64_image_parse(NULL, 0, &image, err, sizeof(err)), -1); /* an empty file */
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
}

TEST(image_header_legacy_zero_size)
{
	/* Before 3.17: image_size 0, text_offset of unspecified endianness, meant to be 0x80000. */
	make_header(0x1234, 0, 0);
	EXPECT_EQ(parse(sizeof(header)), 0);
	EXPECT_EQ(image.text_offset, ARM64_IMAGE_LEGACY_TEXT_OFFSET);
	EXPECT_EQ(image.text_offset, 0x80000);
	EXPECT_EQ(image.image_size, sizeof(header)); /* the file size: all there is to go on */
	EXPECT_EQ(parse(1000), 0);
	EXPECT_EQ(image.image_size, 1000);
}

TEST(image_header_big_endian)
{
	make_header(0, 0x10000, 1);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "big-endian");
	make_header(0, 0x10000, 0xf); /* bit 0 with other flags */
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "big-endian");
	make_header(0, 0x10000, 0xe); /* other flags alone are fine */
	EXPECT_EQ(parse(sizeof(header)), 0);
}

TEST(image_header_image_size_smaller_than_file)
{
	make_header(0, 100, 0);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "image_size (100) is smaller than the file (4096 bytes)");
	make_header(0, sizeof(header) - 1, 0);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "damaged");
}

TEST(image_header_text_offset_not_page_aligned)
{
	make_header(0x123, 0x10000, 0);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "text_offset 0x123");
	make_header(0x80800, 0x10000, 0);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "text_offset");
	make_header(0x200000, 0x10000, 0); /* aligned, but not inside the 2 MiB */
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "text_offset 0x200000");
	make_header(0xfffffffffffff000ULL, 0x10000, 0);
	EXPECT_EQ(parse(sizeof(header)), -1);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The EFI stub's PE/COFF header at 0x40, as arm64 kernels lay it out, with two sections whose
 * raw data ends at 0xe00. */
static void make_pe_header(uint16_t sections)
{
	make_header(0, 0x100000, 0xa);
	put_le32(header + 60, 0x40);
	memcpy(header + 0x40, "PE\0\0", 4);
	header[0x40 + 6] = (uint8_t)sections;
	header[0x40 + 7] = (uint8_t)(sections >> 8);
	header[0x40 + 20] = 0xa0; /* SizeOfOptionalHeader */
	put_le32(header + 0xf8 + 16, 0x400);       /* .text: SizeOfRawData */
	put_le32(header + 0xf8 + 20, 0x200);       /* PointerToRawData */
	put_le32(header + 0xf8 + 40 + 16, 0x800);  /* .data */
	put_le32(header + 0xf8 + 40 + 20, 0x600);
}

TEST(image_header_truncated_efi_image_is_refused)
{
	make_pe_header(2);
	EXPECT_EQ(parse(sizeof(header)), 0);
	EXPECT_EQ(parse(0xe00), 0); /* exactly the sections' data (a signature may follow) */
	EXPECT_EQ(parse(0xdff), -1);
	EXPECT_CONTAINS(err, "the kernel file is truncated: its PE/COFF header describes 3584 bytes and the file has 3583");
	/* A section table running past the file, and a PE header past it. */
	make_pe_header(200);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "truncated");
	make_pe_header(2);
	put_le32(header + 60, 0x2000);
	EXPECT_EQ(parse(sizeof(header)), -1);
	EXPECT_CONTAINS(err, "describes 8216 bytes");
	/* "MZ" with no PE header where it points: nothing to judge the length by. */
	make_pe_header(2);
	memcpy(header + 0x40, "XX\0\0", 4);
	EXPECT_EQ(parse(0x200), 0);
	/* Without the stub, a short file is a kernel with BSS, as before. */
	make_header(0, 0x100000, 0xa);
	header[0] = 0;
	EXPECT_EQ(parse(0x100), 0);
}
