/*
 * lvmm sandbox's standard input, on the control port from lvmm to the guest's init, between
 * lvmm's other answers (docs/sandbox.md, "The control port"):
 *   "input N\n" and N bytes   the next N bytes of lvmm's standard input (1 <= N <= FRAME_MAX)
 *   "input-end\n"             lvmm's standard input ended: the command's gets end of file
 *   "resize ROWS COLUMNS\n"   with -t, lvmm's terminal has a new size (decimal, 0-65535)
 * lvmm sends none of them before init asks with "input\n", so they never come between init's
 * question and lvmm's answer (the clock). Built into lvmm (encoding) and into the init
 * (decoding).
 */
#ifndef LVMM_SANDBOX_INPUT_FRAMES_H
#define LVMM_SANDBOX_INPUT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_INPUT_FRAME_MAX 4096
/* Room for "input 4096\n", or "input-end\n". */
#define SANDBOX_INPUT_HEADER_MAX 16

/* Writes the header of a frame of count bytes (1..FRAME_MAX) to out; returns its length. */
size_t sandbox_input_header(char *out, size_t count);

/* Room for "resize 65535 65535\n" and its NUL. */
#define SANDBOX_RESIZE_LINE_MAX 24

/* A terminal's rows or columns as text, here and in the spec (vmm/sandbox_spec.h): plain
 * decimal of 1-5 digits up to 65535, followed by end. Returns where end is (value set), or
 * NULL. */
const char *sandbox_terminal_dimension(const char *text, char end, unsigned short *value);
/* Writes the line telling init of a new terminal size to out; returns its length. */
size_t sandbox_resize_line(char *out, unsigned short rows, unsigned short columns);
/* A line the decoder handed back (without its newline): true, with the size, if it is a
 * well-formed "resize ROWS COLUMNS". */
bool sandbox_resize_parse(const char *line, unsigned short *rows, unsigned short *columns);

/* Splits what lvmm sends into the input's bytes and its other lines, whatever pieces it
 * comes in. */
struct sandbox_input_decoder {
	char line[64];        /* a line being assembled; longer ones are cut, then ignored */
	size_t line_length;
	size_t data_left;     /* bytes of the current frame still to come */
	bool ended;           /* "input-end" came */
	bool broken;          /* a malformed "input" header: what follows cannot be framed */
};

/*
 * Takes count bytes of the stream; the input's bytes among them go to data (which has room
 * for count bytes), their number in *data_count. Returns how many of the stream's bytes it
 * took: all of them, except that it stops after a line that is not the input's, leaving that
 * line in decoder->line (NUL-terminated) for the caller, and returns with
 * *line_ready true. After "input-end" or a broken header, the input's bytes stop.
 */
size_t sandbox_input_decode(struct sandbox_input_decoder *decoder, const char *bytes, size_t count,
			    char *data, size_t *data_count, bool *line_ready);

#endif
