#include "p9_message.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Fields are little-endian in the message; assembled byte by byte, so the host's order and
 * the buffer's alignment do not matter. */
static uint64_t get_little_endian(struct p9_reader *reader, size_t bytes)
{
	uint64_t value = 0;

	if (reader->failed || reader->left < bytes) {
		reader->failed = true;
		return 0;
	}
	for (size_t i = 0; i < bytes; i++)
		value |= (uint64_t)reader->at[i] << (8 * i);
	reader->at += bytes;
	reader->left -= bytes;
	return value;
}

void p9_reader_init(struct p9_reader *reader, const uint8_t *bytes, size_t length)
{
	*reader = (struct p9_reader){ .at = bytes, .left = length };
}

uint8_t p9_get_u8(struct p9_reader *reader)
{
	return (uint8_t)get_little_endian(reader, 1);
}

uint16_t p9_get_u16(struct p9_reader *reader)
{
	return (uint16_t)get_little_endian(reader, 2);
}

uint32_t p9_get_u32(struct p9_reader *reader)
{
	return (uint32_t)get_little_endian(reader, 4);
}

uint64_t p9_get_u64(struct p9_reader *reader)
{
	return get_little_endian(reader, 8);
}

struct p9_string p9_get_string(struct p9_reader *reader)
{
	struct p9_string string = { .bytes = "", .length = 0 };
	uint16_t length = p9_get_u16(reader);

	if (reader->failed || reader->left < length) {
		reader->failed = true;
		return string;
	}
	string = (struct p9_string){ .bytes = (const char *)reader->at, .length = length };
	reader->at += length;
	reader->left -= length;
	return string;
}

bool p9_reader_finish(const struct p9_reader *reader)
{
	return !reader->failed && reader->left == 0;
}

void p9_writer_init(struct p9_writer *writer, uint8_t *buffer, size_t capacity)
{
	*writer = (struct p9_writer){ .at = buffer, .left = capacity };
}

void p9_put_bytes(struct p9_writer *writer, const void *bytes, size_t length)
{
	if (writer->overflow || writer->left < length) {
		writer->overflow = true;
		return;
	}
	if (length)
		memcpy(writer->at, bytes, length);
	writer->at += length;
	writer->left -= length;
	writer->length += length;
}

static void put_little_endian(struct p9_writer *writer, uint64_t value, size_t bytes)
{
	uint8_t field[8];

	for (size_t i = 0; i < bytes; i++)
		field[i] = (uint8_t)(value >> (8 * i));
	p9_put_bytes(writer, field, bytes);
}

void p9_put_u8(struct p9_writer *writer, uint8_t value)
{
	put_little_endian(writer, value, 1);
}

void p9_put_u16(struct p9_writer *writer, uint16_t value)
{
	put_little_endian(writer, value, 2);
}

void p9_put_u32(struct p9_writer *writer, uint32_t value)
{
	put_little_endian(writer, value, 4);
}

void p9_put_u64(struct p9_writer *writer, uint64_t value)
{
	put_little_endian(writer, value, 8);
}

void p9_put_string(struct p9_writer *writer, const char *text, size_t length)
{
	if (length > UINT16_MAX) {
		writer->overflow = true;
		return;
	}
	p9_put_u16(writer, (uint16_t)length);
	p9_put_bytes(writer, text, length);
}

void p9_put_qid(struct p9_writer *writer, const struct p9_qid *qid)
{
	p9_put_u8(writer, qid->type);
	p9_put_u32(writer, qid->version);
	p9_put_u64(writer, qid->path);
}

void p9_patch_u32(uint8_t *at, uint32_t value)
{
	for (size_t i = 0; i < 4; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

int p9_string_to_name(struct p9_string string, char *out, bool *leaves)
{
	*leaves = false;
	if (string.length == 0 || memchr(string.bytes, '\0', string.length))
		return EINVAL;
	if (memchr(string.bytes, '/', string.length)) {
		*leaves = true;
		return EINVAL;
	}
	if (string.length > NAME_MAX)
		return ENAMETOOLONG;
	memcpy(out, string.bytes, string.length);
	out[string.length] = '\0';
	return 0;
}

int p9_string_to_text(struct p9_string string, char *out, size_t out_size)
{
	if (memchr(string.bytes, '\0', string.length))
		return EINVAL;
	if ((size_t)string.length >= out_size)
		return ENAMETOOLONG;
	memcpy(out, string.bytes, string.length);
	out[string.length] = '\0';
	return 0;
}

bool p9_name_is_dot(const char *name)
{
	return strcmp(name, ".") == 0;
}

bool p9_name_is_dot_dot(const char *name)
{
	return strcmp(name, "..") == 0;
}

size_t p9_iov_length(const struct iovec *iov, unsigned int count)
{
	size_t total = 0;

	for (unsigned int i = 0; i < count; i++)
		total += iov[i].iov_len;
	return total;
}

unsigned int p9_iov_slice(const struct iovec *iov, unsigned int count, size_t offset,
			  size_t length, struct iovec *out, unsigned int out_max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < count && length > 0 && n < out_max; i++) {
		size_t take;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - offset;
		if (take > length)
			take = length;
		out[n++] = (struct iovec){ (uint8_t *)iov[i].iov_base + offset, take };
		length -= take;
		offset = 0;
	}
	return n;
}

