/*
 * lvmm sandbox: runs one command in a guest kernel and exits with its status (docs/sandbox.md).
 * The host side: the guest's root and shares over 9p, an initrd holding lvmm itself as init
 * (vmm/sandbox_init.c) with what it is to do (vmm/sandbox_spec.h), three virtio consoles (the
 * command's stdout and stderr, init's control port, which also carries lvmm's stdin to the
 * command), and the status init reports.
 */
#ifndef LVMM_SANDBOX_H
#define LVMM_SANDBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* lvmm's own failure in a sandbox, before the command's status was known (as env(1), docker). */
#define SANDBOX_EXIT_FAILURE 125

/* What init's control port said: "exit N", "signal N" or "error MESSAGE", one line each;
 * "warning MESSAGE" and "trace STEP" lines are logged; "clock" is answered on the port with
 * "clock NS", lvmm's CLOCK_REALTIME; "input" and "input-closed" start and stop lvmm's
 * standard input on its way to the command (docs/sandbox.md). */
struct sandbox_report {
	char line[1024];          /* the line being assembled */
	size_t length;
	bool finished;            /* a status was reported */
	/* The status does not end the VM: the guest powers off by itself (--loglevel info, where
	 * the kernel's log is shown to its end; the UART is still printing it when init reports). */
	bool wait_for_power_off;
	int status;               /* lvmm's exit status for it: N, or 128 + N */
	char error[1024];         /* init's first error, "" if none */
	/* lvmm's stdout or stderr was closed by its reader before the status came. Written by
	 * that port's I/O thread, read once the VM's threads have ended. */
	bool output_closed;
	/* lvmm's standard input is read only once init asked for it, and no more once init said
	 * the command closed its end. Set on the control port's I/O thread, read on lvmm's main
	 * thread (vmm/sandbox_input.c). */
	atomic_bool input_wanted;
	atomic_bool input_refused;
	/* With -t: the terminal's size as the guest last heard of it (or is to hear: pending),
	 * and whether it was looked at again once the command started. Main thread only. */
	bool terminal;
	bool terminal_size_checked;
	bool resize_pending;
	unsigned short terminal_rows, terminal_columns;
};

/* Takes bytes from the control port (any split into pieces), answering through reply (NULL:
 * no answers); true once the command's status has come, which ends the VM (init has nothing
 * left to do that lvmm needs), unless wait_for_power_off. */
struct console_reply;
bool sandbox_report_receive(void *context, const uint8_t *bytes, size_t count,
			    const struct console_reply *reply);

/* lvmm's standard input, for the control port (console_port.input_space and the rest): framed
 * as vmm/sandbox_input_frames.h says, always leaving room in the port for lvmm's answers. */
size_t sandbox_input_space(void *context, const struct console_reply *to_guest);
void sandbox_input(void *context, const struct console_reply *to_guest, const uint8_t *bytes,
		   size_t count);
void sandbox_input_end(void *context, const struct console_reply *to_guest);
bool sandbox_input_done(void *context);
/* With -t (report->terminal): the terminal changed size (console_port.input_resized); lvmm
 * reads the new size and tells init ("resize ROWS COLUMNS"), which gives it to the command's
 * pseudo-terminal. */
void sandbox_input_resized(void *context, const struct console_reply *to_guest);
/* The same with the size given: sent once init has asked for input and the port has room for
 * it, else kept until then (only the last size counts). */
void sandbox_input_resize(struct sandbox_report *report, const struct console_reply *to_guest,
			  unsigned short rows, unsigned short columns);

/* A closed stdout or stderr (console_port.reader_gone): the run ends, as a process writing
 * to a closed pipe does; lvmm then exits 128 + SIGPIPE unless the status came first. */
bool sandbox_report_output_closed(void *context);

/* The process the guest kernel's OOM killer killed last, as "PID (NAME)", from the kernel's
 * log ("Out of memory: Killed process PID (NAME) ..."); false if it killed none. */
bool sandbox_oom_victim(const char *log, size_t size, char *victim, size_t victim_size);

/* lvmm sandbox's arguments (argv[0] is "sandbox"); returns lvmm's exit status. */
int sandbox_command(int argc, char **argv);

#endif
