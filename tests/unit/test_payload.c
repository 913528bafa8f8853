#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "unit_test.h"
#include "vmm/payload.h"

static char err[512];

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, size, f);
	fclose(f);
}

static void write_gzip(const char *path, const void *data, size_t size)
{
	gzFile f = gzopen(path, "wb");

	gzwrite(f, data, (unsigned int)size);
	gzclose(f);
}

static void temp_path(char *path, const char *name)
{
	snprintf(path, 256, "/tmp/lvmm-unit-%d-%s", getpid(), name);
}

TEST(payload_read_and_errors)
{
	char path[256];
	struct payload p;

	temp_path(path, "plain");
	write_file(path, "contents", 8);
	EXPECT_EQ(payload_read_file(path, 1024, &p, err, sizeof(err)), 0);
	EXPECT_EQ(p.size, 8);
	EXPECT_TRUE(memcmp(p.data, "contents", 8) == 0);
	EXPECT_EQ(payload_gunzip(&p, 1024, path, err, sizeof(err)), 0); /* not gzip: unchanged */
	EXPECT_TRUE(!p.compressed);
	EXPECT_EQ(payload_read_file(path, 4, &p, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "does not fit");
	unlink(path);
	EXPECT_EQ(payload_read_file(path, 1024, &p, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, path);
	EXPECT_EQ(payload_read_file("/tmp", 1024, &p, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "not a regular file");
}

TEST(payload_gunzip)
{
	char path[256];
	static uint8_t data[300000];
	struct payloads all = { 0 };

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 / 13);
	temp_path(path, "gz");
	write_gzip(path, data, sizeof(data));
	EXPECT_EQ(payload_read_file(path, 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, path, err, sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, sizeof(data));
	EXPECT_TRUE(memcmp(all.kernel.data, data, sizeof(data)) == 0);
	payloads_free(&all);

	EXPECT_EQ(payload_read_file(path, 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 100000, path, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "more than guest RAM");
	payloads_free(&all);

	all.kernel.mapping_size = 0;
	{
		FILE *f = fopen(path, "rb");
		static uint8_t gz[400000];
		size_t n = fread(gz, 1, sizeof(gz), f);

		fclose(f);
		write_file(path, gz, n / 2);
	}
	EXPECT_EQ(payload_read_file(path, 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, path, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "damaged gzip");
	payloads_free(&all);
	unlink(path);
}

TEST(payloads_load_checks_the_image)
{
	char kernel[256], initrd[256];
	uint8_t image[4096] = { 0 };
	struct run_options opts = { .mem_mib = 64 };
	struct payloads all;

	temp_path(kernel, "Image");
	temp_path(initrd, "initrd");
	image[18] = 0x01; /* image_size 0x10000, more than the file: BSS */
	memcpy(image + 56, "ARM\x64", 4);
	write_file(kernel, image, sizeof(image));
	write_file(initrd, "rd", 2);
	opts.kernel_path = kernel;
	opts.initrd_path = initrd;
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), 0);
	EXPECT_EQ(all.load_size, 0x10000);
	EXPECT_EQ(all.initrd.size, 2);
	payloads_free(&all);

	memset(image + 56, 0, 4);
	write_file(kernel, image, sizeof(image));
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), (unsigned long long)-1);
	EXPECT_CONTAINS(err, "not an arm64 Linux Image");
	EXPECT_CONTAINS(err, kernel);
	unlink(kernel);
	unlink(initrd);
}
