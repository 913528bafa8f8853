/*
 * The command's pseudo-terminal in the guest, for lvmm sandbox -t: its far end is the
 * command's standard input, output and error and its controlling terminal; init relays the
 * near end to and from lvmm (vmm/sandbox_init.c), whose terminal shows it.
 */
#ifndef LVMM_SANDBOX_INIT_TERMINAL_H
#define LVMM_SANDBOX_INIT_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

/* Opens a pseudo-terminal of rows x columns on the root's devpts (/dev/pts): returns its near
 * end and puts its far end in *far_end, both close-on-exec; -1 with one line in err. */
int sandbox_terminal_open(unsigned short rows, unsigned short columns, int *far_end, char *err,
			  size_t err_size);

/* A line lvmm sent on the control port: if it is a new size ("resize ROWS COLUMNS"), gives it
 * to the terminal (whose foreground processes get SIGWINCH) and returns true. */
bool sandbox_terminal_resize(int near_end, const char *line);

#endif
