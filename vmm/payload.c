#include "payload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arch.h"

int payload_read_file(const char *path, uint64_t max_size, struct payload *payload, char *err,
		      size_t err_size)
{
	struct stat st;
	void *mapping;
	/* O_NONBLOCK: a FIFO (or a device that waits) must not stall lvmm before it can take a
	 * signal; only regular files pass the check below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	memset(payload, 0, sizeof(*payload));
	if (fd < 0) {
		snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "'%s' is not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > max_size) {
		snprintf(err, err_size, "'%s' (%lld bytes) does not fit in guest RAM; raise -m",
			 path, (long long)st.st_size);
		close(fd);
		return -1;
	}
	if (st.st_size > 0) {
		mapping = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (mapping == MAP_FAILED) {
			snprintf(err, err_size, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		payload->mapping = mapping;
		payload->mapping_size = (size_t)st.st_size;
	}
	close(fd);
	payload->data = payload->mapping;
	payload->size = payload->mapping_size;
	return 0;
}

/* The bytes of the file not yet given to zlib, counting what it holds in stream.avail_in. */
static size_t gunzip_remaining(const struct payload *payload, const z_stream *stream)
{
	return payload->mapping_size - (size_t)(stream->next_in - payload->mapping);
}

static bool all_zero(const uint8_t *bytes, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (bytes[i])
			return false;
	return true;
}

/* Output per inflate() call, and in counting mode between checks: a stop signal is looked at
 * at least this often, so a large (or hostile) file delays SIGTERM by a fraction of a second,
 * not by the whole decompression. */
#define GUNZIP_STEP_BYTES (8u << 20)

static bool (*payload_interrupt_check)(void);

void payload_set_interrupt_check(bool (*interrupted)(void))
{
	payload_interrupt_check = interrupted;
}

/*
 * Like gunzip: every member of a multi-member file is decompressed, and zero padding after the
 * last is allowed; anything else after it is an error, not silently dropped. The output may
 * not pass min(ram_size, image_max). Past that, the rest is only counted (up to image_max, in
 * a small scratch buffer), to tell "raise -m to N" from "not a kernel at all".
 */
int payload_gunzip(struct payload *payload, uint64_t ram_size, uint64_t image_max, const char *path,
		   char *err, size_t err_size)
{
	uint64_t limit = ram_size < image_max ? ram_size : image_max;
	uint64_t produced = 0;
	uint8_t scratch[16384];
	uint8_t *out = NULL, *bigger;
	size_t capacity = 0, remaining, chunk;
	bool counting = false;
	uint64_t checked_at = 0;
	z_stream stream;
	int ret;

	if (payload->mapping_size < 2 || payload->mapping[0] != 0x1f || payload->mapping[1] != 0x8b)
		return 0;
	memset(&stream, 0, sizeof(stream));
	if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, err_size, "cannot start zlib to decompress '%s'", path);
		return -1;
	}
	stream.next_in = payload->mapping;
	for (;;) {
		/* zlib counts in uInt: feed a larger file in pieces. */
		if (stream.avail_in == 0) {
			remaining = gunzip_remaining(payload, &stream);
			stream.avail_in = (uInt)(remaining < (1u << 30) ? remaining : (1u << 30));
		}
		/* After every inflate() that wrote to the output (at most GUNZIP_STEP_BYTES), and
		 * every GUNZIP_STEP_BYTES while only counting. */
		if (payload_interrupt_check &&
		    (counting ? produced - checked_at >= GUNZIP_STEP_BYTES : produced != checked_at)) {
			checked_at = produced;
			if (payload_interrupt_check()) {
				snprintf(err, err_size, "decompressing '%s' was interrupted by a signal", path);
				goto fail;
			}
		}
		if (!counting && produced == capacity && capacity == limit)
			counting = true;
		if (counting) {
			if (produced > image_max)
				break;
			stream.next_out = scratch;
			stream.avail_out = sizeof(scratch);
		} else {
			if (produced == capacity) {
				capacity = capacity ? capacity * 2 : payload->mapping_size * 4;
				if (capacity > limit)
					capacity = limit;
				bigger = realloc(out, capacity);
				if (!bigger) {
					snprintf(err, err_size, "out of memory decompressing '%s'", path);
					goto fail;
				}
				out = bigger;
			}
			chunk = capacity - produced;
			stream.next_out = out + produced;
			stream.avail_out = (uInt)(chunk < GUNZIP_STEP_BYTES ? chunk : GUNZIP_STEP_BYTES);
		}
		chunk = stream.avail_out;
		ret = inflate(&stream, Z_NO_FLUSH);
		produced += chunk - stream.avail_out;
		if (ret == Z_STREAM_END) {
			remaining = gunzip_remaining(payload, &stream);
			if (remaining >= 2 && stream.next_in[0] == 0x1f && stream.next_in[1] == 0x8b) {
				inflateReset(&stream); /* the next member */
				continue;
			}
			if (all_zero(stream.next_in, remaining))
				break;
			snprintf(err, err_size,
				 "'%s' has %zu bytes after its gzip data that are neither another gzip member nor zero padding: a damaged file",
				 path, remaining);
			goto fail;
		}
		/* No progress with all input given: the stream ends early. */
		if (ret == Z_BUF_ERROR && stream.avail_in == 0 && gunzip_remaining(payload, &stream) == 0) {
			snprintf(err, err_size, "'%s' is a damaged gzip file (truncated)", path);
			goto fail;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			snprintf(err, err_size, "'%s' is a damaged gzip file (%s)", path,
				 stream.msg ? stream.msg : "truncated");
			goto fail;
		}
	}
	if (produced > limit) {
		if (produced > image_max)
			snprintf(err, err_size,
				 "'%s' decompresses to more than %llu MiB, which no kernel Image does: not loading it (a gzip bomb, or not a kernel)",
				 path, (unsigned long long)(image_max >> 20));
		else
			snprintf(err, err_size,
				 "'%s' decompresses to %llu MiB, more than the %llu MiB of guest RAM: raise -m above %llu",
				 path, (unsigned long long)((produced + (1 << 20) - 1) >> 20),
				 (unsigned long long)(ram_size >> 20),
				 (unsigned long long)((produced + (1 << 20) - 1) >> 20));
		goto fail;
	}
	payload->data = out;
	payload->size = produced;
	payload->compressed = true;
	inflateEnd(&stream);
	return 0;
fail:
	free(out);
	inflateEnd(&stream);
	return -1;
}

int payloads_load(const struct run_options *opts, struct payloads *payloads, char *err,
		  size_t err_size)
{
	uint64_t ram = opts->mem_mib << 20;
	char reason[256];

	memset(payloads, 0, sizeof(*payloads));
	if (opts->firmware_path) {
		if (payload_read_file(opts->firmware_path, ram, &payloads->firmware, err, err_size))
			return -1;
		payloads->load_offset = 0;
		payloads->load_size = payloads->firmware.size;
		return 0;
	}
	if (payload_read_file(opts->kernel_path, ram, &payloads->kernel, err, err_size)) {
		/* kvmtool's words for a kernel that cannot be opened: test runners written for
		 * kvmtool (kvm-unit-tests) probe for exactly this line. */
		int open_errno = errno;

		if (strncmp(err, "cannot open '", 13) == 0)
			snprintf(err, err_size, "Fatal: Unable to open kernel %s: %s (give an arm64 Image with -k)",
				 opts->kernel_path, strerror(open_errno));
		goto fail;
	}
	if (payload_gunzip(&payloads->kernel, ram, PAYLOAD_IMAGE_MAX_BYTES, opts->kernel_path, err,
			   err_size))
		goto fail;
	if (arch_kernel_image_parse(payloads->kernel.data, payloads->kernel.size,
				    &payloads->load_offset, &payloads->load_size, reason,
				    sizeof(reason))) {
		snprintf(err, err_size, "'%s': %s", opts->kernel_path, reason);
		goto fail;
	}
	if (opts->initrd_path &&
	    payload_read_file(opts->initrd_path, ram, &payloads->initrd, err, err_size))
		goto fail;
	return 0;
fail:
	payloads_free(payloads);
	return -1;
}

static void payload_free(struct payload *payload)
{
	if (payload->compressed || payload->built)
		free(payload->data);
	if (payload->mapping)
		munmap(payload->mapping, payload->mapping_size);
	memset(payload, 0, sizeof(*payload));
}

void payloads_free(struct payloads *payloads)
{
	payload_free(&payloads->kernel);
	payload_free(&payloads->initrd);
	payload_free(&payloads->firmware);
	memset(payloads, 0, sizeof(*payloads));
}
