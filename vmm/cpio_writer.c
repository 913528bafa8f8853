#include "cpio_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CPIO_ALIGN 4

void cpio_writer_init(struct cpio_writer *writer)
{
	memset(writer, 0, sizeof(*writer));
	writer->next_inode = 1;
}

static int reserve(struct cpio_writer *writer, size_t more)
{
	size_t wanted, capacity;
	uint8_t *bytes;

	if (writer->failed)
		return -1;
	if (more > SIZE_MAX / 2 - writer->size)
		goto fail;
	wanted = writer->size + more;
	if (wanted <= writer->capacity)
		return 0;
	capacity = writer->capacity ? writer->capacity : 64 * 1024;
	while (capacity < wanted)
		capacity *= 2;
	bytes = realloc(writer->bytes, capacity);
	if (!bytes)
		goto fail;
	writer->bytes = bytes;
	writer->capacity = capacity;
	return 0;
fail:
	free(writer->bytes);
	memset(writer, 0, sizeof(*writer));
	writer->failed = 1;
	return -1;
}

static void append(struct cpio_writer *writer, const void *data, size_t size)
{
	memcpy(writer->bytes + writer->size, data, size);
	writer->size += size;
}

static void pad(struct cpio_writer *writer)
{
	while (writer->size % CPIO_ALIGN)
		writer->bytes[writer->size++] = 0;
}

/* Header fields are 8 hex digits each; name and data are each padded to 4 bytes. */
static void add_entry(struct cpio_writer *writer, const char *name, uint32_t mode,
		      unsigned int rdev_major, unsigned int rdev_minor, const void *data, size_t size)
{
	char header[111];
	size_t name_size = strlen(name) + 1;

	if (size > UINT32_MAX || reserve(writer, sizeof(header) + name_size + size + 2 * CPIO_ALIGN))
		return;
	snprintf(header, sizeof(header),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 writer->next_inode++, mode, 0u, 0u, 1u, 0u, (unsigned int)size, 0u, 0u,
		 rdev_major, rdev_minor, (unsigned int)name_size, 0u);
	append(writer, header, 110);
	append(writer, name, name_size);
	pad(writer);
	if (size) {
		append(writer, data, size);
		pad(writer);
	}
}

void cpio_add_directory(struct cpio_writer *writer, const char *name, mode_t permissions)
{
	add_entry(writer, name, S_IFDIR | (permissions & 07777), 0, 0, NULL, 0);
}

void cpio_add_file(struct cpio_writer *writer, const char *name, mode_t permissions,
		   const void *data, size_t size)
{
	add_entry(writer, name, S_IFREG | (permissions & 07777), 0, 0, data, size);
}

void cpio_add_char_device(struct cpio_writer *writer, const char *name, mode_t permissions,
			  unsigned int major, unsigned int minor)
{
	add_entry(writer, name, S_IFCHR | (permissions & 07777), major, minor, NULL, 0);
}

int cpio_finish(struct cpio_writer *writer)
{
	add_entry(writer, "TRAILER!!!", 0, 0, 0, NULL, 0);
	return writer->failed ? -1 : 0;
}
