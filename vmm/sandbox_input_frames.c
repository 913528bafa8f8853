#include "sandbox_input_frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sandbox_input_header(char *out, size_t count)
{
	return (size_t)snprintf(out, SANDBOX_INPUT_HEADER_MAX, "input %zu\n", count);
}

size_t sandbox_resize_line(char *out, unsigned short rows, unsigned short columns)
{
	return (size_t)snprintf(out, SANDBOX_RESIZE_LINE_MAX, "resize %u %u\n", rows, columns);
}

const char *sandbox_terminal_dimension(const char *text, char end, unsigned short *value)
{
	unsigned long number = 0;
	int digits = 0;

	for (; *text >= '0' && *text <= '9'; text++) {
		if (++digits > 5)
			return NULL;
		number = number * 10 + (unsigned long)(*text - '0');
	}
	if (digits == 0 || number > 65535 || *text != end)
		return NULL;
	*value = (unsigned short)number;
	return text;
}

bool sandbox_resize_parse(const char *line, unsigned short *rows, unsigned short *columns)
{
	unsigned short new_rows, new_columns;
	const char *rest;

	if (strncmp(line, "resize ", 7) != 0)
		return false;
	rest = sandbox_terminal_dimension(line + 7, ' ', &new_rows);
	if (!rest || !sandbox_terminal_dimension(rest + 1, '\0', &new_columns))
		return false;
	*rows = new_rows;
	*columns = new_columns;
	return true;
}

/* "input N" with 1 <= N <= FRAME_MAX in plain decimal: the length of the frame, else 0. */
static size_t frame_length(const char *line)
{
	size_t length = 0;

	if (strncmp(line, "input ", 6) != 0 || line[6] == '\0' || line[6] == '0')
		return 0;
	for (const char *digit = line + 6; *digit; digit++) {
		if (*digit < '0' || *digit > '9' || length > SANDBOX_INPUT_FRAME_MAX)
			return 0;
		length = length * 10 + (size_t)(*digit - '0');
	}
	return length <= SANDBOX_INPUT_FRAME_MAX ? length : 0;
}

/* A whole line came: true if it is the caller's (not the input's). */
static bool line_done(struct sandbox_input_decoder *decoder)
{
	const char *line = decoder->line;

	if (strcmp(line, "input-end") == 0) {
		decoder->ended = true;
		return false;
	}
	if (strncmp(line, "input ", 6) == 0) {
		size_t length = frame_length(line);

		if (length == 0 || decoder->ended || decoder->broken)
			decoder->broken = true;
		else
			decoder->data_left = length;
		return false;
	}
	return true;
}

size_t sandbox_input_decode(struct sandbox_input_decoder *decoder, const char *bytes, size_t count,
			    char *data, size_t *data_count, bool *line_ready)
{
	size_t taken = 0;

	*data_count = 0;
	*line_ready = false;
	while (taken < count) {
		if (decoder->data_left > 0) {
			size_t run = count - taken < decoder->data_left ? count - taken :
									  decoder->data_left;

			memcpy(data + *data_count, bytes + taken, run);
			*data_count += run;
			decoder->data_left -= run;
			taken += run;
			continue;
		}
		if (bytes[taken] != '\n') {
			if (decoder->line_length < sizeof(decoder->line) - 1)
				decoder->line[decoder->line_length++] = bytes[taken];
			taken++;
			continue;
		}
		taken++;
		decoder->line[decoder->line_length] = '\0';
		decoder->line_length = 0;
		if (line_done(decoder)) {
			*line_ready = true;
			return taken;
		}
	}
	return taken;
}
