#include <stdint.h>

#include "arm/image_header.h"
#include "unit_test.h"

static uint8_t header[4096];
static char err[256];

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void make_header(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(header, 0, sizeof(header));
	put_le64(header + 8, text_offset);
	put_le64(header + 16, image_size);
	put_le64(header + 24, flags);
	memcpy(header + 56, "ARM\x64", 4);
}

TEST(image_header_valid)
{
	struct arm64_image image;

	make_header(0x10000, 0x800000, 0xa);
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), 0);
	EXPECT_EQ(image.text_offset, 0x10000);
	EXPECT_EQ(image.image_size, 0x800000);
}

TEST(image_header_rejects_non_images)
{
	struct arm64_image image;

	make_header(0, 0x10000, 0);
	header[56] = 'X';
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
	EXPECT_CONTAINS(err, "--firmware");
	make_header(0, 0x10000, 0);
	EXPECT_EQ(arm64_image_parse(header, 63, &image, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_EQ(arm64_image_parse(NULL, 0, &image, err, sizeof(err)), (unsigned long long)-1);
}

TEST(image_header_legacy_zero_size)
{
	struct arm64_image image;

	make_header(0x1234, 0, 0);
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), 0);
	EXPECT_EQ(image.text_offset, 0x80000);
	EXPECT_EQ(image.image_size, sizeof(header));
}

TEST(image_header_rejects_bad_fields)
{
	struct arm64_image image;

	make_header(0, 0x10000, 1);
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "big-endian");
	make_header(0, 100, 0);
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "smaller than the file");
	make_header(0x123, 0x10000, 0);
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "text_offset");
	make_header(0x200000, 0x10000, 0);
	EXPECT_EQ(arm64_image_parse(header, sizeof(header), &image, err, sizeof(err)), (unsigned long long)-1);
}
