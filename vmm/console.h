#ifndef LVMM_CONSOLE_H
#define LVMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console_output.h"

/* The host terminal as the guest's serial console. */

/* Guest output to stdout, through console_output's ring: a vCPU never waits for the reader;
 * what a stuck or slow reader does not take is dropped and counted. */
void console_write(const void *bytes, size_t count);

/* Puts a terminal stdin into raw mode (restored at exit); no-op when stdin is no terminal. */
void console_terminal_raw(void);
/* Whether lvmm put the terminal in raw mode: its keys are the guest's, Ctrl-A escapes apply. */
bool console_terminal_is_raw(void);
void console_terminal_restore(void);
/* The size of the terminal on stdin; false when stdin is no terminal. */
bool console_terminal_size(unsigned short *rows, unsigned short *columns);

/* Ctrl-A x ends the guest; Ctrl-A Ctrl-A sends one Ctrl-A. Escape state spans reads. */
struct console_escape {
	bool after_ctrl_a;
};

#define CONSOLE_ESCAPE_KEY 0x01

/* Copies in to out (out holds count + 1 bytes), removing escapes. Returns the bytes kept; sets
 * *quit when Ctrl-A x was typed (bytes after it are dropped). */
size_t console_filter_input(struct console_escape *escape, const uint8_t *in, size_t count,
			    uint8_t *out, bool *quit);

#endif
