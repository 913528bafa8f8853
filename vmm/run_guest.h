/*
 * A guest's whole life as lvmm run and lvmm sandbox share it: signals, confinement, the
 * console output thread, the terminal, then boots (reboots included) until the guest stops.
 */
#ifndef LVMM_RUN_GUEST_H
#define LVMM_RUN_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "payload.h"

struct run_guest_session {
	int console_fd;           /* where the UART's output (the kernel console) goes */
	bool terminal_raw;        /* the terminal on stdin is the guest's: put it in raw mode */
	/* After each boot's payloads are loaded (NULL: none): lvmm sandbox builds its initrd
	 * here, from the kernel it was given. 0, or -1 with one line in err. */
	int (*prepare_payloads)(void *context, struct payloads *payloads, char *err, size_t err_size);
	void *context;
};

/* Runs the guest opts describes; returns lvmm's exit status (lvmm/exit_status.h). */
int run_guest(const struct run_options *opts, const struct run_guest_session *session,
	      uint64_t start_ns);

#endif
