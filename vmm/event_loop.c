#include "event_loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "console.h"
#include "control_socket.h"
#include "lvmm/exit_status.h"
#include "log.h"
#include "vm.h"

/* Bytes read from stdin at most at once; the device's space usually binds first (a UART's
 * FIFO, a virtio console's input buffer). */
#define EVENT_LOOP_INPUT_CHUNK 4096

/* Input stays with the process across reboots: an EOF seen once is EOF for good. */
static bool stdin_closed;
static struct console_escape escape;

static void event_loop_read_stdin(struct vm *vm)
{
	const struct console_input *input = &vm->console_input;
	uint8_t in[EVENT_LOOP_INPUT_CHUNK], out[EVENT_LOOP_INPUT_CHUNK + 1];
	size_t space = input->space(input->context);
	size_t kept;
	ssize_t n;
	bool quit = false;

	if (space > sizeof(in) - 1)
		space = sizeof(in) - 1;
	n = read(STDIN_FILENO, in, space);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		stdin_closed = true;
		if (input->end)
			input->end(input->context);
		return;
	}
	if (console_terminal_is_raw()) {
		kept = console_filter_input(&escape, in, (size_t)n, out, &quit);
	} else {
		kept = (size_t)n;
		memcpy(out, in, kept);
	}
	input->receive(input->context, out, kept);
	if (quit) {
		log_info("Ctrl-A x typed: stopping the guest");
		vm_request_host_stop(vm, 128 + SIGINT, "Ctrl-A x");
	}
}

static void event_loop_read_signal(struct vm *vm, int signal_fd)
{
	struct signalfd_siginfo info;
	char reason[32];

	if (read(signal_fd, &info, sizeof(info)) != sizeof(info))
		return;
	if (info.ssi_signo == SIGWINCH) {
		const struct console_input *input = &vm->console_input;

		if (input->resized)
			input->resized(input->context);
		return;
	}
	log_info("received %s; stopping the guest", strsignal((int)info.ssi_signo));
	snprintf(reason, sizeof(reason), "SIG%s", sigabbrev_np((int)info.ssi_signo));
	vm_request_host_stop(vm, 128 + (int)info.ssi_signo, reason);
}

/* Clears the device's "room again" signal once it woke the loop, which then looks at the
 * space again. A signal that came while stdin was being read wakes the next wait at once, for
 * one look more. */
static void drain_room_signal(const struct console_input *input)
{
	uint64_t count;

	if (input->room_fd >= 0 && read(input->room_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_debug("reading the console input's room signal failed: %s", strerror(errno));
}

void event_loop_run(struct vm *vm, int signal_fd)
{
	const struct console_input *input = &vm->console_input;

	while (vm_stop_status(vm) == VM_RUNNING) {
		struct pollfd fds[4] = {
			{ .fd = vm->stop_event_fd, .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = control_socket_fd(), .events = POLLIN }, /* -1: ignored by poll */
			{ .fd = -1, .events = POLLIN },
		};
		bool reading = false, waiting_for_room = false;
		int timeout = -1;

		if (!stdin_closed && input->done && input->done(input->context))
			stdin_closed = true;
		if (!stdin_closed && input->receive) {
			/* With the device full (or lvmm sandbox's init not yet asking), wait for the
			 * guest to make room rather than spin: its signal, else a look every 10 ms. */
			if (input->space(input->context) > 0) {
				fds[3].fd = STDIN_FILENO;
				reading = true;
			} else if (input->room_fd >= 0) {
				fds[3].fd = input->room_fd;
				waiting_for_room = true;
			} else {
				timeout = 10;
			}
		}
		if (poll(fds, 4, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll failed: %s", strerror(errno));
			vm_request_stop(vm, EXIT_LVMM_ERROR);
			break;
		}
		if (fds[1].revents & POLLIN)
			event_loop_read_signal(vm, signal_fd);
		if (fds[2].revents & POLLIN)
			control_socket_serve(vm);
		if (reading && (fds[3].revents & (POLLIN | POLLHUP | POLLERR)))
			event_loop_read_stdin(vm);
		if (reading && (fds[3].revents & POLLNVAL))
			stdin_closed = true;
		if (waiting_for_room && (fds[3].revents & POLLIN))
			drain_room_signal(input);
	}
}
