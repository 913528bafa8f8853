/*
 * lvmm sandbox's standard input, on its way to the command: lvmm's main thread reads it
 * (vmm/event_loop.c) and sends it framed on the control port (vmm/sandbox_input_frames.h); the
 * guest's init writes it to the command's standard input, a pipe (docs/sandbox.md).
 */
#include "sandbox.h"

#include <string.h>

#include "cli.h"
#include "console.h"
#include "sandbox_input_frames.h"

/* Room in the port kept for lvmm's answers ("clock NS") and "input-end", whatever stdin
 * brings: the port's buffer drops what does not fit. */
#define ANSWER_RESERVE 64

/* A new size goes out once init reads the port for the command's input (before, the port
 * carries the clock's answer, and the spec has the size), and whole: never dropped, only
 * delayed. The reserve kept for answers is where it fits. */
static void resize_send(struct sandbox_report *report, const struct console_reply *to_guest)
{
	char line[SANDBOX_RESIZE_LINE_MAX];
	size_t length;

	if (!report->resize_pending || !atomic_load(&report->input_wanted) ||
	    atomic_load(&report->input_refused))
		return;
	length = sandbox_resize_line(line, report->terminal_rows, report->terminal_columns);
	if (to_guest->space(to_guest->context) < length)
		return;
	to_guest->send(to_guest->context, (const uint8_t *)line, length);
	report->resize_pending = false;
}

void sandbox_input_resize(struct sandbox_report *report, const struct console_reply *to_guest,
			  unsigned short rows, unsigned short columns)
{
	if (rows != report->terminal_rows || columns != report->terminal_columns) {
		report->terminal_rows = rows;
		report->terminal_columns = columns;
		report->resize_pending = true;
	}
	resize_send(report, to_guest);
}

void sandbox_input_resized(void *context, const struct console_reply *to_guest)
{
	struct sandbox_report *report = context;
	unsigned short rows, columns;

	if (report->terminal && console_terminal_size(&rows, &columns))
		sandbox_input_resize(report, to_guest, rows, columns);
}

size_t sandbox_input_space(void *context, const struct console_reply *to_guest)
{
	struct sandbox_report *report = context;
	size_t space;

	if (!atomic_load(&report->input_wanted) || atomic_load(&report->input_refused))
		return 0;
	/* A size change between the spec's writing and the signal's blocking had no SIGWINCH
	 * for lvmm: looked at once more as the command starts. */
	if (report->terminal && !report->terminal_size_checked) {
		report->terminal_size_checked = true;
		sandbox_input_resized(report, to_guest);
	}
	resize_send(report, to_guest);
	space = to_guest->space(to_guest->context);
	if (space <= ANSWER_RESERVE + SANDBOX_INPUT_HEADER_MAX)
		return 0;
	space -= ANSWER_RESERVE + SANDBOX_INPUT_HEADER_MAX;
	return space < SANDBOX_INPUT_FRAME_MAX ? space : SANDBOX_INPUT_FRAME_MAX;
}

/* One send per frame: the port's I/O thread may answer the guest meanwhile, and an answer
 * must not land inside a frame. */
void sandbox_input(void *context, const struct console_reply *to_guest, const uint8_t *bytes,
		   size_t count)
{
	uint8_t frame[SANDBOX_INPUT_HEADER_MAX + SANDBOX_INPUT_FRAME_MAX];

	(void)context;
	while (count > 0) {
		size_t piece = count < SANDBOX_INPUT_FRAME_MAX ? count : SANDBOX_INPUT_FRAME_MAX;
		size_t header = sandbox_input_header((char *)frame, piece);

		memcpy(frame + header, bytes, piece);
		to_guest->send(to_guest->context, frame, header + piece);
		bytes += piece;
		count -= piece;
	}
}

void sandbox_input_end(void *context, const struct console_reply *to_guest)
{
	struct sandbox_report *report = context;

	/* Standard input is read only once init asked: its end too. */
	if (atomic_load(&report->input_wanted))
		to_guest->send(to_guest->context, (const uint8_t *)"input-end\n", 10);
}

bool sandbox_input_done(void *context)
{
	struct sandbox_report *report = context;

	return atomic_load(&report->input_refused);
}
