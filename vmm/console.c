#include "console.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_termios;
static bool terminal_is_raw;

void console_write(const void *bytes, size_t count)
{
	console_output_put(bytes, count);
}

void console_terminal_restore(void)
{
	if (terminal_is_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
		terminal_is_raw = false;
	}
}

bool console_terminal_size(unsigned short *rows, unsigned short *columns)
{
	struct winsize size;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) < 0)
		return false;
	*rows = size.ws_row;
	*columns = size.ws_col;
	return true;
}

bool console_terminal_is_raw(void)
{
	return terminal_is_raw;
}

void console_terminal_raw(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return;
	raw = saved_termios;
	/* Keys go to the guest as typed (Ctrl-C included); output post-processing stays on so
	 * lvmm's own messages keep their line breaks. */
	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0) {
		terminal_is_raw = true;
		atexit(console_terminal_restore);
	}
}

size_t console_filter_input(struct console_escape *escape, const uint8_t *in, size_t count,
			    uint8_t *out, bool *quit)
{
	size_t kept = 0;

	*quit = false;
	for (size_t i = 0; i < count; i++) {
		if (escape->after_ctrl_a) {
			escape->after_ctrl_a = false;
			if (in[i] == 'x' || in[i] == 'X') {
				*quit = true;
				return kept;
			}
			out[kept++] = CONSOLE_ESCAPE_KEY;
			if (in[i] == CONSOLE_ESCAPE_KEY)
				continue;
			out[kept++] = in[i];
		} else if (in[i] == CONSOLE_ESCAPE_KEY) {
			escape->after_ctrl_a = true;
		} else {
			out[kept++] = in[i];
		}
	}
	return kept;
}
