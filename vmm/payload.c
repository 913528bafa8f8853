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

#include "arm/image_header.h"

int payload_read_file(const char *path, uint64_t max_size, struct payload *payload, char *err,
		      size_t err_size)
{
	struct stat st;
	void *mapping;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

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

int payload_gunzip(struct payload *payload, uint64_t max_size, const char *path, char *err,
		   size_t err_size)
{
	z_stream stream;
	uint8_t *out = NULL, *bigger;
	size_t capacity = 0;
	int ret;

	if (payload->mapping_size < 2 || payload->mapping[0] != 0x1f || payload->mapping[1] != 0x8b)
		return 0;
	memset(&stream, 0, sizeof(stream));
	if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, err_size, "cannot start zlib to decompress '%s'", path);
		return -1;
	}
	stream.next_in = payload->mapping;
	stream.avail_in = (uInt)payload->mapping_size;
	do {
		if (stream.total_out == capacity) {
			if (capacity >= max_size) {
				snprintf(err, err_size, "'%s' decompresses to more than guest RAM; raise -m", path);
				goto fail;
			}
			capacity = capacity ? capacity * 2 : payload->mapping_size * 4;
			if (capacity > max_size)
				capacity = max_size;
			bigger = realloc(out, capacity);
			if (!bigger) {
				snprintf(err, err_size, "out of memory decompressing '%s'", path);
				goto fail;
			}
			out = bigger;
		}
		stream.next_out = out + stream.total_out;
		stream.avail_out = (uInt)(capacity - stream.total_out);
		ret = inflate(&stream, Z_NO_FLUSH);
	} while (ret == Z_OK);
	if (ret != Z_STREAM_END) {
		snprintf(err, err_size, "'%s' is a damaged gzip file (%s)", path,
			 stream.msg ? stream.msg : "truncated");
		goto fail;
	}
	payload->data = out;
	payload->size = stream.total_out;
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
	struct arm64_image image;
	char reason[256];

	memset(payloads, 0, sizeof(*payloads));
	if (opts->firmware_path) {
		if (payload_read_file(opts->firmware_path, ram, &payloads->firmware, err, err_size))
			return -1;
		payloads->load_offset = 0;
		payloads->load_size = payloads->firmware.size;
		return 0;
	}
	if (payload_read_file(opts->kernel_path, ram, &payloads->kernel, err, err_size) ||
	    payload_gunzip(&payloads->kernel, ram, opts->kernel_path, err, err_size))
		goto fail;
	if (arm64_image_parse(payloads->kernel.data, payloads->kernel.size, &image, reason,
			      sizeof(reason))) {
		snprintf(err, err_size, "'%s': %s", opts->kernel_path, reason);
		goto fail;
	}
	payloads->load_offset = image.text_offset;
	payloads->load_size = image.image_size;
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
	if (payload->compressed)
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
