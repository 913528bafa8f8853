#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "unit_test.h"
#include "vmm/payload.h"

/* Every test works in its own mkdtemp() directory and removes it (and what it made) at the end. */
static char dir[64];
static char err[512];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lvmm-unit-XXXXXX");
	if (!mkdtemp(dir))
		unit_test_fail(__FILE__, __LINE__, "mkdtemp failed");
}

static const char *path_of(const char *name)
{
	static char paths[4][128];
	static int next;
	char *path = paths[next++ % 4];

	snprintf(path, sizeof(paths[0]), "%s/%s", dir, name);
	return path;
}

static void remove_dir(const char *const *names)
{
	for (; *names; names++)
		unlink(path_of(*names));
	if (rmdir(dir) != 0)
		unit_test_fail(__FILE__, __LINE__, "%s was not left empty", dir);
}

static void write_file(const char *name, const void *data, size_t size)
{
	FILE *f = fopen(path_of(name), "wb");

	if (!f || fwrite(data, 1, size, f) != size)
		unit_test_fail(__FILE__, __LINE__, "cannot write %s", name);
	if (f)
		fclose(f);
}

/* gzip through zlib's own gzip writer; returns the compressed size. */
static long write_gzip(const char *name, const void *data, size_t size)
{
	gzFile f = gzopen(path_of(name), "wb9");
	struct stat st;

	if (!f || gzwrite(f, data, (unsigned int)size) != (int)size)
		unit_test_fail(__FILE__, __LINE__, "gzwrite failed");
	if (f)
		gzclose(f);
	return stat(path_of(name), &st) == 0 ? (long)st.st_size : -1;
}

/* MiB mebibytes of zeros, gzip'd into a few KiB: a file that inflates far beyond its size. */
static void write_gzip_of_zeros(const char *name, unsigned int mib)
{
	static uint8_t zeros[1 << 20];
	gzFile f = gzopen(path_of(name), "wb9");

	for (unsigned int i = 0; f && i < mib; i++)
		if (gzwrite(f, zeros, sizeof(zeros)) != (int)sizeof(zeros))
			unit_test_fail(__FILE__, __LINE__, "gzwrite failed");
	if (!f)
		unit_test_fail(__FILE__, __LINE__, "gzopen failed");
	else
		gzclose(f);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A fake arm64 Image: the header, then recognisable bytes. */
static void make_image(uint8_t *image, size_t size, uint64_t text_offset, uint64_t image_size)
{
	for (size_t i = 0; i < size; i++)
		image[i] = (uint8_t)(i * 31 + 7);
	memset(image, 0, 64);
	put_le64(image + 8, text_offset);
	put_le64(image + 16, image_size);
	memcpy(image + 56, "ARM\x64", 4);
}

TEST(payload_read_file)
{
	struct payloads all = { 0 };

	make_dir();
	write_file("plain", "contents", 8);
	EXPECT_EQ(payload_read_file(path_of("plain"), 1024, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, 8);
	EXPECT_TRUE(all.kernel.data != NULL && memcmp(all.kernel.data, "contents", 8) == 0);
	EXPECT_TRUE(all.kernel.data == all.kernel.mapping);
	EXPECT_EQ(all.kernel.mapping_size, 8);
	EXPECT_FALSE(all.kernel.compressed);
	payloads_free(&all);
	EXPECT_TRUE(all.kernel.data == NULL && all.kernel.mapping == NULL);

	/* Exactly max_size is fine; one byte over is not. */
	EXPECT_EQ(payload_read_file(path_of("plain"), 8, &all.initrd, err, sizeof(err)), 0);
	payloads_free(&all);
	EXPECT_EQ(payload_read_file(path_of("plain"), 7, &all.initrd, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, path_of("plain"));
	EXPECT_CONTAINS(err, "(8 bytes) does not fit in guest RAM; raise -m");
	EXPECT_TRUE(all.initrd.mapping == NULL);

	write_file("empty", "", 0);
	EXPECT_EQ(payload_read_file(path_of("empty"), 1024, &all.initrd, err, sizeof(err)), 0);
	EXPECT_EQ(all.initrd.size, 0);
	EXPECT_TRUE(all.initrd.mapping == NULL);
	payloads_free(&all);
	remove_dir((const char *const[]){ "plain", "empty", NULL });
}

TEST(payload_read_file_errors)
{
	struct payload p;

	make_dir();
	EXPECT_EQ(payload_read_file(path_of("missing"), 1024, &p, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, path_of("missing"));
	EXPECT_CONTAINS(err, "No such file or directory");
	EXPECT_TRUE(p.data == NULL && p.mapping == NULL);

	EXPECT_EQ(payload_read_file(dir, 1u << 30, &p, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, dir);
	EXPECT_CONTAINS(err, "not a regular file");
	EXPECT_EQ(payload_read_file("/dev/null", 1024, &p, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "not a regular file");

	/* A FIFO with no writer: a blocking open would wait here forever (this test hung so). */
	EXPECT_EQ(mkfifo(path_of("fifo"), 0600), 0);
	EXPECT_EQ(payload_read_file(path_of("fifo"), 1024, &p, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "not a regular file");
	remove_dir((const char *const[]){ "fifo", NULL });
}

/* Appends a file's bytes to another. */
static void append_file(const char *to, const char *from)
{
	char buffer[4096];
	FILE *in = fopen(path_of(from), "rb"), *out = fopen(path_of(to), "ab");
	size_t n;

	if (!in || !out)
		unit_test_fail(__FILE__, __LINE__, "cannot append %s to %s", from, to);
	while (in && out && (n = fread(buffer, 1, sizeof(buffer), in)) > 0)
		fwrite(buffer, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

TEST(payload_gunzip_takes_every_member_and_zero_padding)
{
	static uint8_t first[70000], second[50000], both[120000];
	struct payloads all = { 0 };

	make_dir();
	for (size_t i = 0; i < sizeof(first); i++)
		first[i] = (uint8_t)(i * 13 ^ i >> 7);
	for (size_t i = 0; i < sizeof(second); i++)
		second[i] = (uint8_t)(i * 5 + 3);
	memcpy(both, first, sizeof(first));
	memcpy(both + sizeof(first), second, sizeof(second));
	/* cat a.gz b.gz: gunzip gives both; lvmm once stopped after the first. */
	write_gzip("two.gz", first, sizeof(first));
	write_gzip("second.gz", second, sizeof(second));
	append_file("two.gz", "second.gz");
	EXPECT_EQ(payload_read_file(path_of("two.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("two.gz"), err,
				 sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, sizeof(both));
	EXPECT_TRUE(memcmp(all.kernel.data, both, sizeof(both)) == 0);
	payloads_free(&all);

	/* Zero padding after the last member (as block-aligned images have) is allowed... */
	write_file("zeros", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	append_file("two.gz", "zeros");
	EXPECT_EQ(payload_read_file(path_of("two.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("two.gz"), err,
				 sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, sizeof(both));
	payloads_free(&all);

	/* ...anything else after it is not silently dropped. */
	write_file("junk", "x", 1);
	append_file("two.gz", "junk");
	EXPECT_EQ(payload_read_file(path_of("two.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("two.gz"), err,
				 sizeof(err)), -1);
	EXPECT_CONTAINS(err, "has 17 bytes after its gzip data that are neither another gzip member nor zero padding");
	EXPECT_FALSE(all.kernel.compressed);
	payloads_free(&all);
	remove_dir((const char *const[]){ "two.gz", "second.gz", "zeros", "junk", NULL });
}

TEST(payload_gunzip_bomb_is_not_a_kernel)
{
	struct payloads all = { 0 };

	make_dir();
	/* 8 MiB of zeros in a few KiB. With image_max at 4 MiB it stands for a file that inflates
	 * past any kernel's size: refused without advising -m, and without holding more than
	 * the RAM limit (2 MiB) of it. */
	write_gzip_of_zeros("bomb.gz", 8);
	EXPECT_EQ(payload_read_file(path_of("bomb.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 2 << 20, 4 << 20, path_of("bomb.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "decompresses to more than 4 MiB, which no kernel Image does: not loading it (a gzip bomb, or not a kernel)");
	EXPECT_FALSE(strstr(err, "raise -m") != NULL); /* not "-m": the random temp dir may hold it */
	EXPECT_FALSE(all.kernel.compressed);
	payloads_free(&all);

	/* Under image_max but over RAM: the advice names the size needed. */
	EXPECT_EQ(payload_read_file(path_of("bomb.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 2 << 20, 16 << 20, path_of("bomb.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "decompresses to 8 MiB, more than the 2 MiB of guest RAM: raise -m above 8");
	payloads_free(&all);
	remove_dir((const char *const[]){ "bomb.gz", NULL });
}

TEST(payload_gunzip)
{
	static uint8_t data[300000];
	struct payloads all = { 0 };

	make_dir();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 / 13 ^ i >> 9);
	EXPECT_TRUE(write_gzip("data.gz", data, sizeof(data)) < (long)sizeof(data) / 4);
	EXPECT_EQ(payload_read_file(path_of("data.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("data.gz"), err, sizeof(err)), 0);
	EXPECT_TRUE(all.kernel.compressed);
	EXPECT_EQ(all.kernel.size, sizeof(data));
	EXPECT_TRUE(memcmp(all.kernel.data, data, sizeof(data)) == 0);
	EXPECT_TRUE(all.kernel.data != all.kernel.mapping);
	payloads_free(&all);

	/* Exactly max_size decompressed is accepted. */
	EXPECT_EQ(payload_read_file(path_of("data.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, sizeof(data), PAYLOAD_IMAGE_MAX_BYTES, path_of("data.gz"), err, sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, sizeof(data));
	payloads_free(&all);
	remove_dir((const char *const[]){ "data.gz", NULL });
}

TEST(payload_gunzip_of_an_empty_stream)
{
	struct payloads all = { 0 };

	make_dir();
	write_gzip("empty.gz", "", 0);
	EXPECT_EQ(payload_read_file(path_of("empty.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("empty.gz"), err, sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, 0);
	payloads_free(&all);
	remove_dir((const char *const[]){ "empty.gz", NULL });
}

TEST(payload_gunzip_leaves_other_data_alone)
{
	struct payloads all = { 0 };

	make_dir();
	write_file("raw", "\x1f\x8a plain", 8); /* one byte of the gzip magic is not enough */
	EXPECT_EQ(payload_read_file(path_of("raw"), 1024, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1024, PAYLOAD_IMAGE_MAX_BYTES, path_of("raw"), err, sizeof(err)), 0);
	EXPECT_FALSE(all.kernel.compressed);
	EXPECT_TRUE(all.kernel.data == all.kernel.mapping);
	EXPECT_EQ(all.kernel.size, 8);
	payloads_free(&all);

	write_file("one", "\x1f", 1);
	EXPECT_EQ(payload_read_file(path_of("one"), 1024, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1024, PAYLOAD_IMAGE_MAX_BYTES, path_of("one"), err, sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, 1);
	payloads_free(&all);

	EXPECT_EQ(payload_gunzip(&all.kernel, 1024, PAYLOAD_IMAGE_MAX_BYTES, "nothing", err, sizeof(err)), 0); /* empty */
	remove_dir((const char *const[]){ "raw", "one", NULL });
}

TEST(payload_gunzip_errors)
{
	static uint8_t data[300000], gz[300000];
	struct payloads all = { 0 };
	long gz_size;
	FILE *f;

	make_dir();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 / 13 ^ i >> 9);
	gz_size = write_gzip("data.gz", data, sizeof(data));

	/* Decompressing to more than max_size (RAM) is refused. */
	EXPECT_EQ(payload_read_file(path_of("data.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, sizeof(data) - 1, PAYLOAD_IMAGE_MAX_BYTES, path_of("data.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, path_of("data.gz"));
	EXPECT_CONTAINS(err, "decompresses to 1 MiB, more than the 0 MiB of guest RAM: raise -m above 1");
	EXPECT_FALSE(all.kernel.compressed);
	payloads_free(&all);

	/* Truncated: the first half of the file. */
	f = fopen(path_of("data.gz"), "rb");
	EXPECT_TRUE(f && (long)fread(gz, 1, sizeof(gz), f) == gz_size);
	if (f)
		fclose(f);
	write_file("half.gz", gz, (size_t)gz_size / 2);
	EXPECT_EQ(payload_read_file(path_of("half.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("half.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "damaged gzip file");
	EXPECT_CONTAINS(err, path_of("half.gz"));
	payloads_free(&all);

	/* Missing only the 8-byte trailer (CRC and size). */
	write_file("notrailer.gz", gz, (size_t)gz_size - 8);
	EXPECT_EQ(payload_read_file(path_of("notrailer.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("notrailer.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "damaged gzip file");
	payloads_free(&all);

	/* A corrupted CRC. */
	gz[gz_size - 8] ^= 0xff;
	write_file("badcrc.gz", gz, (size_t)gz_size);
	EXPECT_EQ(payload_read_file(path_of("badcrc.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("badcrc.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "damaged gzip file (incorrect data check)");
	payloads_free(&all);

	/* The magic, then garbage. */
	write_file("garbage.gz", "\x1f\x8b\x08\x00garbage-garbage-garbage", 27);
	EXPECT_EQ(payload_read_file(path_of("garbage.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 1 << 20, PAYLOAD_IMAGE_MAX_BYTES, path_of("garbage.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "damaged gzip file");
	payloads_free(&all);
	remove_dir((const char *const[]){ "data.gz", "half.gz", "notrailer.gz", "badcrc.gz",
					  "garbage.gz", NULL });
}

TEST(payloads_load_kernel_and_initrd)
{
	static uint8_t image[8192];
	struct run_options opts = { .mem_mib = 64 };
	struct payloads all;

	make_dir();
	make_image(image, sizeof(image), 0x10000, 0x30000); /* image_size > file: BSS */
	write_file("Image", image, sizeof(image));
	write_file("initrd", "rd", 2);
	opts.kernel_path = path_of("Image");
	opts.initrd_path = path_of("initrd");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), 0);
	EXPECT_EQ(all.load_offset, 0x10000);
	EXPECT_EQ(all.load_size, 0x30000);
	EXPECT_EQ(all.kernel.size, sizeof(image));
	EXPECT_TRUE(memcmp(all.kernel.data, image, sizeof(image)) == 0);
	EXPECT_EQ(all.initrd.size, 2);
	EXPECT_TRUE(memcmp(all.initrd.data, "rd", 2) == 0);
	EXPECT_TRUE(all.firmware.data == NULL);
	payloads_free(&all);

	/* A gzip-compressed Image: the header is read from the decompressed data. */
	write_gzip("Image.gz", image, sizeof(image));
	opts.kernel_path = path_of("Image.gz");
	opts.initrd_path = NULL;
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), 0);
	EXPECT_TRUE(all.kernel.compressed);
	EXPECT_EQ(all.kernel.size, sizeof(image));
	EXPECT_EQ(all.load_offset, 0x10000);
	EXPECT_EQ(all.load_size, 0x30000);
	EXPECT_TRUE(all.initrd.data == NULL);
	payloads_free(&all);

	/* A legacy Image (image_size 0). */
	make_image(image, sizeof(image), 0, 0);
	write_file("Image", image, sizeof(image));
	opts.kernel_path = path_of("Image");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), 0);
	EXPECT_EQ(all.load_offset, 0x80000);
	EXPECT_EQ(all.load_size, sizeof(image));
	payloads_free(&all);
	remove_dir((const char *const[]){ "Image", "Image.gz", "initrd", NULL });
}

TEST(payloads_load_firmware)
{
	struct run_options opts = { .mem_mib = 16 };
	struct payloads all;

	make_dir();
	write_file("fw.bin", "\x00\x00\x00\x14raw", 7); /* no Image header needed */
	opts.firmware_path = path_of("fw.bin");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), 0);
	EXPECT_EQ(all.load_offset, 0);
	EXPECT_EQ(all.load_size, 7);
	EXPECT_EQ(all.firmware.size, 7);
	EXPECT_TRUE(all.kernel.data == NULL);
	payloads_free(&all);
	remove_dir((const char *const[]){ "fw.bin", NULL });
}

TEST(payloads_load_errors)
{
	static uint8_t image[4096];
	struct run_options opts = { .mem_mib = 16 };
	struct payloads all;

	make_dir();
	make_image(image, sizeof(image), 0, 0x10000);
	memset(image + 56, 0, 4); /* no magic */
	write_file("notimage", image, sizeof(image));
	opts.kernel_path = path_of("notimage");
	/* As kvmtool: no header, a flat binary at the historical offset, its size as is. */
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), 0);
	EXPECT_EQ(all.load_offset, 0x80000);
	EXPECT_EQ(all.load_size, sizeof(image));
	payloads_free(&all);
	/* An ELF vmlinux is no flat binary: refused, naming the file to give instead. */
	memcpy(image, "\177ELF", 4);
	write_file("vmlinux", image, sizeof(image));
	opts.kernel_path = path_of("vmlinux");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "an ELF file (vmlinux?)");
	EXPECT_CONTAINS(err, path_of("vmlinux"));
	EXPECT_TRUE(all.kernel.data == NULL && all.kernel.mapping == NULL); /* freed */
	opts.kernel_path = path_of("no-such-kernel");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "Fatal: Unable to open kernel ");
	EXPECT_CONTAINS(err, "no-such-kernel: No such file or directory");

	make_image(image, sizeof(image), 0, 0x10000);
	write_file("Image", image, sizeof(image));
	opts.kernel_path = path_of("Image");
	opts.initrd_path = path_of("no-initrd");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, path_of("no-initrd"));
	EXPECT_TRUE(all.kernel.data == NULL && all.kernel.mapping == NULL); /* freed */

	opts.initrd_path = NULL;
	opts.kernel_path = path_of("no-kernel");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, path_of("no-kernel"));

	opts.kernel_path = NULL;
	opts.firmware_path = path_of("no-firmware");
	EXPECT_EQ(payloads_load(&opts, &all, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, path_of("no-firmware"));
	remove_dir((const char *const[]){ "notimage", "vmlinux", "Image", NULL });
}

static unsigned int interrupt_checks, interrupt_after;

static bool interrupt_on_a_later_check(void)
{
	return ++interrupt_checks >= interrupt_after;
}

TEST(payload_gunzip_stops_when_a_signal_is_pending)
{
	struct payloads all = { 0 };

	make_dir();
	/* 64 MiB of zeros: long enough to be checked on the way (every 8 MiB). */
	write_gzip_of_zeros("large.gz", 64);
	interrupt_checks = 0;
	interrupt_after = 2;
	payload_set_interrupt_check(interrupt_on_a_later_check);
	EXPECT_EQ(payload_read_file(path_of("large.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 128 << 20, 128 << 20, path_of("large.gz"), err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "decompressing '");
	EXPECT_CONTAINS(err, "large.gz' was interrupted by a signal");
	EXPECT_EQ(interrupt_checks, 2); /* stopped at the check that said so, not at the end */
	EXPECT_FALSE(all.kernel.compressed);
	payloads_free(&all);

	/* Never interrupted: the whole file, checked at every step of the way. */
	interrupt_checks = 0;
	interrupt_after = ~0u;
	EXPECT_EQ(payload_read_file(path_of("large.gz"), 1 << 20, &all.kernel, err, sizeof(err)), 0);
	EXPECT_EQ(payload_gunzip(&all.kernel, 128 << 20, 128 << 20, path_of("large.gz"), err, sizeof(err)), 0);
	EXPECT_EQ(all.kernel.size, 64 << 20);
	EXPECT_TRUE(interrupt_checks >= 8); /* at least one per 8 MiB */
	payload_set_interrupt_check(NULL);
	payloads_free(&all);
	remove_dir((const char *const[]){ "large.gz", NULL });
}
