#include "sandbox_spec.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox_input_frames.h"

struct spec_buffer {
	char *bytes;
	size_t size;
	size_t capacity;
	bool failed;
};

static void put_field(struct spec_buffer *buffer, const char *field)
{
	size_t length = strlen(field) + 1;

	if (buffer->failed)
		return;
	if (buffer->size + length > SANDBOX_SPEC_MAX_BYTES) {
		buffer->failed = true;
		return;
	}
	if (buffer->size + length > buffer->capacity) {
		size_t capacity = buffer->capacity ? buffer->capacity * 2 : 4096;
		char *bytes;

		while (capacity < buffer->size + length)
			capacity *= 2;
		bytes = realloc(buffer->bytes, capacity);
		if (!bytes) {
			buffer->failed = true;
			return;
		}
		buffer->bytes = bytes;
		buffer->capacity = capacity;
	}
	memcpy(buffer->bytes + buffer->size, field, length);
	buffer->size += length;
}

static void put_share(struct spec_buffer *buffer, const char *record, const struct sandbox_share *share)
{
	put_field(buffer, record);
	put_field(buffer, share->tag);
	if (strcmp(record, "share") == 0)
		put_field(buffer, share->path);
	put_field(buffer, share->read_only ? "ro" : "rw");
}

/* A record of two decimal fields. */
static void put_numbers(struct spec_buffer *buffer, const char *record, unsigned int first,
			unsigned int second)
{
	char text[12];

	put_field(buffer, record);
	snprintf(text, sizeof(text), "%u", first);
	put_field(buffer, text);
	snprintf(text, sizeof(text), "%u", second);
	put_field(buffer, text);
}

int sandbox_spec_encode(const struct sandbox_spec *spec, char **bytes, size_t *size, char *err,
			size_t err_size)
{
	struct spec_buffer buffer = { 0 };

	if (!spec->root.tag || !spec->cwd || spec->arg_count == 0) {
		snprintf(err, err_size, "internal error: a sandbox needs a root, a directory and a command");
		return -1;
	}
	put_share(&buffer, "root", &spec->root);
	if (spec->root_overlay) {
		put_field(&buffer, "root-overlay");
		put_field(&buffer, "tmpfs");
	}
	for (unsigned int i = 0; i < spec->share_count; i++)
		put_share(&buffer, "share", &spec->shares[i]);
	for (unsigned int i = 0; i < spec->tmpfs_count; i++) {
		put_field(&buffer, "tmpfs");
		put_field(&buffer, spec->tmpfs[i]);
	}
	for (unsigned int i = 0; i < spec->module_count; i++) {
		put_field(&buffer, "module");
		put_field(&buffer, spec->modules[i]);
	}
	if (spec->modules_share_tag) {
		put_field(&buffer, "modules-share");
		put_field(&buffer, spec->modules_share_tag);
		put_field(&buffer, spec->modules_share_directory);
	}
	put_field(&buffer, "cwd");
	put_field(&buffer, spec->cwd);
	put_field(&buffer, "stdin");
	put_field(&buffer, spec->input_forwarded ? "forwarded" : "null");
	if (spec->terminal)
		put_numbers(&buffer, "terminal", spec->terminal_rows, spec->terminal_columns);
	if (spec->user_given)
		put_numbers(&buffer, "user", spec->user_id, spec->group_id);
	for (unsigned int i = 0; i < spec->env_count; i++) {
		put_field(&buffer, "env");
		put_field(&buffer, spec->env[i]);
	}
	for (unsigned int i = 0; i < spec->arg_count; i++) {
		put_field(&buffer, "arg");
		put_field(&buffer, spec->args[i]);
	}
	if (buffer.failed) {
		free(buffer.bytes);
		snprintf(err, err_size, "the command and its environment take more than %u KiB: shorten them",
			 SANDBOX_SPEC_MAX_BYTES >> 10);
		return -1;
	}
	*bytes = buffer.bytes;
	*size = buffer.size;
	return 0;
}

struct spec_reader {
	const char *bytes;
	size_t size;
	size_t offset;
};

/* The next NUL-terminated field, or NULL at the end or on an unterminated one. */
static const char *next_field(struct spec_reader *reader)
{
	const char *field = reader->bytes + reader->offset;
	const char *end;

	if (reader->offset >= reader->size)
		return NULL;
	end = memchr(field, '\0', reader->size - reader->offset);
	if (!end)
		return NULL;
	reader->offset += (size_t)(end - field) + 1;
	return field;
}

static int read_only_flag(const char *text, bool *read_only)
{
	if (!text)
		return -1;
	if (strcmp(text, "ro") == 0)
		*read_only = true;
	else if (strcmp(text, "rw") == 0)
		*read_only = false;
	else
		return -1;
	return 0;
}

/* A field that is a terminal's rows or columns (vmm/sandbox_input_frames.h). */
static int terminal_dimension(const char *text, unsigned short *value)
{
	return text && sandbox_terminal_dimension(text, '\0', value) ? 0 : -1;
}

/* A field that is a user or group id: decimal, no sign or leading zero, below (uid_t)-1. */
static int id_field(const char *text, unsigned int *value)
{
	unsigned long long parsed = 0;

	if (!text || !text[0] || (text[0] == '0' && text[1]) || strlen(text) > 10)
		return -1;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		parsed = parsed * 10 + (unsigned int)(*c - '0');
	}
	if (parsed >= 0xffffffffULL)
		return -1;
	*value = (unsigned int)parsed;
	return 0;
}

#define DECODE_FAIL(...) do { snprintf(err, err_size, __VA_ARGS__); return -1; } while (0)

int sandbox_spec_decode(const char *bytes, size_t size, struct sandbox_spec *spec, char *err,
			size_t err_size)
{
	struct spec_reader reader = { .bytes = bytes, .size = size };

	_Static_assert(offsetof(struct sandbox_spec, args) + sizeof(spec->args) ==
			       sizeof(struct sandbox_spec), "args is the spec's last member");
	memset(spec, 0, offsetof(struct sandbox_spec, args));
	if (size > SANDBOX_SPEC_MAX_BYTES)
		DECODE_FAIL("the sandbox spec is %zu bytes, more than %u", size, SANDBOX_SPEC_MAX_BYTES);
	while (reader.offset < size) {
		const char *record = next_field(&reader);
		const char *value = record ? next_field(&reader) : NULL;

		if (!value)
			DECODE_FAIL("the sandbox spec ends inside a record at byte %zu", reader.offset);
		if (strcmp(record, "root") == 0) {
			spec->root.tag = value;
			spec->root.path = "/";
			if (read_only_flag(next_field(&reader), &spec->root.read_only))
				DECODE_FAIL("the sandbox spec's root has no ro/rw flag");
		} else if (strcmp(record, "root-overlay") == 0) {
			if (strcmp(value, "tmpfs") != 0)
				DECODE_FAIL("the sandbox spec's root overlay '%.32s' is not tmpfs", value);
			spec->root_overlay = true;
		} else if (strcmp(record, "share") == 0) {
			struct sandbox_share *share = &spec->shares[spec->share_count];

			if (spec->share_count == SANDBOX_SPEC_MAX_SHARES)
				DECODE_FAIL("the sandbox spec has more than %d shares", SANDBOX_SPEC_MAX_SHARES);
			share->tag = value;
			share->path = next_field(&reader);
			if (!share->path || share->path[0] != '/' ||
			    read_only_flag(next_field(&reader), &share->read_only))
				DECODE_FAIL("the sandbox spec's share '%s' is malformed", value);
			spec->share_count++;
		} else if (strcmp(record, "tmpfs") == 0) {
			if (spec->tmpfs_count == SANDBOX_SPEC_MAX_TMPFS || value[0] != '/')
				DECODE_FAIL("the sandbox spec's tmpfs '%s' is malformed or one too many", value);
			spec->tmpfs[spec->tmpfs_count++] = value;
		} else if (strcmp(record, "module") == 0) {
			if (spec->module_count == SANDBOX_SPEC_MAX_MODULES)
				DECODE_FAIL("the sandbox spec has more than %d modules", SANDBOX_SPEC_MAX_MODULES);
			spec->modules[spec->module_count++] = value;
		} else if (strcmp(record, "modules-share") == 0) {
			const char *directory = next_field(&reader);

			if (spec->modules_share_tag || !directory || directory[0] == '\0' ||
			    directory[0] == '/')
				DECODE_FAIL("the sandbox spec's modules share '%s' is malformed or one too many",
					    value);
			spec->modules_share_tag = value;
			spec->modules_share_directory = directory;
		} else if (strcmp(record, "cwd") == 0) {
			if (value[0] != '/')
				DECODE_FAIL("the sandbox spec's working directory '%s' is not absolute", value);
			spec->cwd = value;
		} else if (strcmp(record, "stdin") == 0) {
			if (strcmp(value, "forwarded") != 0 && strcmp(value, "null") != 0)
				DECODE_FAIL("the sandbox spec's stdin '%.32s' is neither forwarded nor null",
					    value);
			spec->input_forwarded = strcmp(value, "forwarded") == 0;
		} else if (strcmp(record, "terminal") == 0) {
			if (terminal_dimension(value, &spec->terminal_rows) ||
			    terminal_dimension(next_field(&reader), &spec->terminal_columns))
				DECODE_FAIL("the sandbox spec's terminal size is malformed");
			spec->terminal = true;
		} else if (strcmp(record, "user") == 0) {
			if (id_field(value, &spec->user_id) ||
			    id_field(next_field(&reader), &spec->group_id))
				DECODE_FAIL("the sandbox spec's user is malformed");
			spec->user_given = true;
		} else if (strcmp(record, "env") == 0) {
			if (spec->env_count == SANDBOX_SPEC_MAX_ENV || !strchr(value, '='))
				DECODE_FAIL("the sandbox spec's environment entry '%s' is malformed or one too many",
					    value);
			spec->env[spec->env_count++] = value;
		} else if (strcmp(record, "arg") == 0) {
			if (spec->arg_count == SANDBOX_SPEC_MAX_ARGS)
				DECODE_FAIL("the sandbox spec has more than %d arguments", SANDBOX_SPEC_MAX_ARGS);
			spec->args[spec->arg_count++] = value;
		} else {
			DECODE_FAIL("the sandbox spec has an unknown record '%.32s'", record);
		}
	}
	if (!spec->root.tag || !spec->cwd || spec->arg_count == 0 || spec->args[0][0] == '\0')
		DECODE_FAIL("the sandbox spec lacks its root, working directory or command");
	spec->env[spec->env_count] = NULL;
	spec->args[spec->arg_count] = NULL;
	return 0;
}
