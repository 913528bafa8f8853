/*
 * virtio-console: one port per device, no multiport. With --console virtio, one device: the
 * guest's hvc0, the terminal. Output (the transmit queue) goes to lvmm's stdout through the
 * console output ring, a whole buffer per notification instead of an exit per byte as on the
 * UART; input from the host terminal is kept in a small buffer until the guest offers receive
 * buffers. With console ports (lvmm sandbox), one device per port: a port with a file
 * descriptor gets every byte, the guest waiting while the reader is slow (the device's I/O
 * thread waits, never a vCPU); a port with a receiver hands its bytes to it, and what the
 * receiver answers goes to the guest's end of the port as the terminal's input does, and so
 * does lvmm's standard input when the port's owner takes it (lvmm sandbox frames it).
 */
#include "virtio_console.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "virtio_mmio.h"
#include "vmm/cli.h"
#include "vmm/console.h"
#include "lvmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/monotonic_clock.h"
#include "vmm/vm.h"

#define QUEUE_RECEIVE  0
#define QUEUE_TRANSMIT 1

#define VIRTIO_CONSOLE_INPUT_BYTES 4096
#define VIRTIO_CONSOLE_RECEIVE_QUEUE_SIZE 16

/* Configuration (5.3.4): no feature is offered, so the driver reads none of it. */
struct virtio_console_config {
	uint16_t cols;
	uint16_t rows;
	uint32_t max_nr_ports;
	uint32_t emerg_wr;
} __attribute__((packed));

struct virtio_console {
	struct virtio_mmio transport; /* first: virtio_mmio_device_start/stop take the state as it */
	struct virtio_console_config config;
	/* Typed input not yet given to the guest; written by the main thread, taken by the I/O
	 * thread, under input_lock (never held with the transport's lock by the main thread). */
	pthread_mutex_t input_lock;
	uint8_t input[VIRTIO_CONSOLE_INPUT_BYTES];
	size_t input_head, input_count;
	const struct console_port *port; /* NULL: the terminal */
	bool port_broken;                /* its reader went away: output is dropped from then on */
	int room_fd;                     /* console_input.room_fd: input may fit again */
	uint64_t last_pass_deadline_ns;  /* nonzero in the last pass: port writes wait until then */
};

/* How long the last pass (the VM has stopped) waits for a port's slow reader, in all. After a
 * signal it does not wait: lvmm must end within a second. */
#define PORT_LAST_PASS_MS 500

/* Writes all of bytes to the port's descriptor, waiting for a slow reader: while the VM runs,
 * never past a stop of the device; in the last pass, never past its deadline (what is left is
 * dropped and said once). Pieces of PIPE_BUF: a pipe that polls writable takes one without
 * blocking. */
static void port_write(struct virtio_console *console, const uint8_t *bytes, size_t count)
{
	const struct console_port *port = console->port;

	while (count > 0 && !console->port_broken) {
		struct pollfd fds[2] = {
			{ .fd = port->output_fd, .events = POLLOUT },
			{ .fd = console->transport.stop_fd, .events = POLLIN },
		};
		int timeout_ms = -1, ready;
		ssize_t written;

		if (console->last_pass_deadline_ns) {
			uint64_t now = monotonic_ns();

			timeout_ms = now >= console->last_pass_deadline_ns ? 0 :
				     (int)((console->last_pass_deadline_ns - now + 999999) / 1000000);
		}
		ready = poll(fds, console->last_pass_deadline_ns ? 1 : 2, timeout_ms);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (ready == 0) {
			log_warning("%s: the guest's last %zu bytes of %s were dropped: their reader did not take them before lvmm ended",
				    virtio_mmio_name(&console->transport), count, port->name);
			console->port_broken = true;
			return;
		}
		if (!console->last_pass_deadline_ns && fds[1].revents)
			return;
		written = write(port->output_fd, bytes, count < PIPE_BUF ? count : PIPE_BUF);
		if (written < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			console->port_broken = true;
			if (!console->last_pass_deadline_ns && port->reader_gone &&
			    port->reader_gone(port->context)) {
				log_debug("%s: writing the guest's %s failed: %s; the VM ends",
					  virtio_mmio_name(&console->transport), port->name, strerror(errno));
				vm_request_stop(console->transport.device->vm, EXIT_GUEST_POWEROFF);
				return;
			}
			log_warning("%s: writing the guest's %s failed: %s; its further output is dropped",
				    virtio_mmio_name(&console->transport), port->name, strerror(errno));
			return;
		}
		bytes += written;
		count -= (size_t)written;
	}
}

static void virtio_console_input(void *context, const uint8_t *bytes, size_t count);
static size_t virtio_console_input_space(void *context);

/* Wakes the event loop waiting for room for lvmm's standard input (console_input.room_fd). */
static void room_changed(struct virtio_console *console)
{
	uint64_t one = 1;

	if (console->room_fd >= 0 && write(console->room_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_debug("%s: waking the event loop failed: %s",
			  virtio_mmio_name(&console->transport), strerror(errno));
}

/* The way to the guest's end of this device's port. */
static struct console_reply to_guest(struct virtio_console *console)
{
	return (struct console_reply){ .send = virtio_console_input,
				       .space = virtio_console_input_space, .context = console };
}

static void console_output(struct virtio_console *console, const uint8_t *bytes, size_t count)
{
	const struct console_reply reply = to_guest(console);

	if (!console->port)
		console_write(bytes, count);
	else if (console->port->output_fd >= 0)
		port_write(console, bytes, count);
	else if (console->port->receive(console->port->context, bytes, count, &reply))
		/* The guest's work is done (lvmm sandbox has its command's status): the VM ends as
		 * at a power-off, without waiting for the guest's shutdown. */
		vm_request_stop(console->transport.device->vm, EXIT_GUEST_POWEROFF);
	else if (console->port->input_space)
		room_changed(console); /* what the guest said may have its owner take input now */
}

static void virtio_console_transmit(struct virtio_mmio *transport)
{
	struct virtio_console *console = transport->state;
	struct virtqueue_chain *chain;

	do {
		while ((chain = virtio_mmio_pop(transport, QUEUE_TRANSMIT))) {
			for (unsigned int i = 0; i < chain->readable_count; i++)
				console_output(console, chain->readable[i].iov_base,
					       chain->readable[i].iov_len);
			virtio_mmio_push(transport, QUEUE_TRANSMIT, chain->head, 0);
		}
	} while (virtio_mmio_rearm(transport, QUEUE_TRANSMIT));
	virtio_mmio_flush(transport, QUEUE_TRANSMIT);
}

/* Moves buffered input into the guest's receive buffers while both exist. */
static void virtio_console_receive(struct virtio_mmio *transport)
{
	struct virtio_console *console = transport->state;
	struct virtqueue_chain *chain;
	bool more, took = false;

again:
	pthread_mutex_lock(&console->input_lock);
	while (console->input_count > 0 && (chain = virtio_mmio_pop(transport, QUEUE_RECEIVE))) {
		uint32_t written = 0;

		while (console->input_count > 0 && written < chain->writable_bytes) {
			size_t run = VIRTIO_CONSOLE_INPUT_BYTES - console->input_head;

			if (run > console->input_count)
				run = console->input_count;
			run = iov_copy_in(chain->writable, chain->writable_count, written,
					  console->input + console->input_head, run);
			if (run == 0)
				break;
			written += (uint32_t)run;
			console->input_head = (console->input_head + run) % VIRTIO_CONSOLE_INPUT_BYTES;
			console->input_count -= run;
			took = true;
		}
		virtio_mmio_push(transport, QUEUE_RECEIVE, chain->head, written);
	}
	more = console->input_count > 0;
	pthread_mutex_unlock(&console->input_lock);
	if (took)
		room_changed(console);
	/* Input may wait for buffers: the driver's next notification brings us back, unless
	 * buffers came while notifications were off. */
	if (virtio_mmio_rearm(transport, QUEUE_RECEIVE) && more)
		goto again;
	virtio_mmio_flush(transport, QUEUE_RECEIVE);
}

/* Output the guest queued before the VM stopped still goes out: lvmm sandbox's command may
 * have written its last bytes just before its status ended the VM, on another port. */
static void virtio_console_last_pass(struct virtio_mmio *transport)
{
	struct virtio_console *console = transport->state;
	bool signalled = vm_stop_status(transport->device->vm) >= 128;

	if (!transport->queues[QUEUE_TRANSMIT].ready)
		return;
	console->last_pass_deadline_ns = monotonic_ns() +
		(signalled ? 0 : (uint64_t)PORT_LAST_PASS_MS * 1000000);
	virtio_console_transmit(transport);
}

static void virtio_console_process(struct virtio_mmio *transport, unsigned int queue)
{
	if (queue == QUEUE_TRANSMIT)
		virtio_console_transmit(transport);
	else
		virtio_console_receive(transport);
}

static size_t virtio_console_input_space(void *context)
{
	struct virtio_console *console = context;
	size_t space;

	pthread_mutex_lock(&console->input_lock);
	space = VIRTIO_CONSOLE_INPUT_BYTES - console->input_count;
	pthread_mutex_unlock(&console->input_lock);
	return space;
}

static void virtio_console_input(void *context, const uint8_t *bytes, size_t count)
{
	struct virtio_console *console = context;

	pthread_mutex_lock(&console->input_lock);
	for (size_t i = 0; i < count && console->input_count < VIRTIO_CONSOLE_INPUT_BYTES; i++) {
		size_t tail = (console->input_head + console->input_count) % VIRTIO_CONSOLE_INPUT_BYTES;

		console->input[tail] = bytes[i];
		console->input_count++;
	}
	pthread_mutex_unlock(&console->input_lock);
	virtio_mmio_wake(&console->transport, QUEUE_RECEIVE);
}

/* lvmm's standard input, for a port whose owner takes it (console_port.input_space). */
static size_t port_input_space(void *context)
{
	struct virtio_console *console = context;
	const struct console_reply reply = to_guest(console);

	return console->port->input_space(console->port->context, &reply);
}

static void port_input(void *context, const uint8_t *bytes, size_t count)
{
	struct virtio_console *console = context;
	const struct console_reply reply = to_guest(console);

	console->port->input(console->port->context, &reply, bytes, count);
}

static void port_input_end(void *context)
{
	struct virtio_console *console = context;
	const struct console_reply reply = to_guest(console);

	console->port->input_end(console->port->context, &reply);
}

static bool port_input_done(void *context)
{
	struct virtio_console *console = context;

	return console->port->input_done(console->port->context);
}

static void port_input_resized(void *context)
{
	struct virtio_console *console = context;
	const struct console_reply reply = to_guest(console);

	if (console->port->input_resized)
		console->port->input_resized(console->port->context, &reply);
}

static const struct virtio_device_ops virtio_console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.queue_count = 2,
	/* Linux posts a page-sized buffer per receive entry when it probes a console: 16 hold
	 * 16 times the input lvmm keeps (VIRTIO_CONSOLE_INPUT_BYTES), where 256 cost a
	 * sandbox's three consoles tens of milliseconds of boot under emulation (docs/sandbox.md). */
	.queue_size_max = { [QUEUE_RECEIVE] = VIRTIO_CONSOLE_RECEIVE_QUEUE_SIZE },
	.process_queue = virtio_console_process,
	.last_pass = virtio_console_last_pass,
};

static unsigned int virtio_console_instances(const struct run_options *opts)
{
	if (opts->console_port_count)
		return opts->console_port_count;
	return opts->console == CONSOLE_VIRTIO ? 1 : 0;
}

static int virtio_console_create(struct device *device, char *err, size_t err_size)
{
	struct virtio_console *console;

	if (device_alloc_state(device, sizeof(*console), err, err_size))
		return -1;
	console = device->state;
	pthread_mutex_init(&console->input_lock, NULL);
	console->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (console->room_fd < 0) {
		snprintf(err, err_size, "virtio-console: eventfd failed: %s", strerror(errno));
		return -1;
	}
	if (virtio_mmio_create(&console->transport, device, &virtio_console_ops, console,
			       (uint8_t *)&console->config, sizeof(console->config), err, err_size))
		return -1;
	if (device->vm->opts->console_port_count) {
		console->port = &device->vm->opts->console_ports[device->instance];
		if (console->port->input_space)
			device->vm->console_input = (struct console_input){
				.space = port_input_space, .receive = port_input,
				.end = port_input_end, .done = port_input_done,
				.resized = port_input_resized,
				.room_fd = console->room_fd, .context = console,
			};
		return 0;
	}
	device->vm->console_input = (struct console_input){
		.space = virtio_console_input_space, .receive = virtio_console_input,
		.room_fd = console->room_fd, .context = console,
	};
	return 0;
}

static void virtio_console_destroy(struct device *device)
{
	struct virtio_console *console = device->state;

	if (!console)
		return;
	if (device->vm->console_input.context == console)
		device->vm->console_input = (struct console_input){ 0 };
	virtio_mmio_destroy(&console->transport);
	if (console->room_fd >= 0)
		close(console->room_fd);
	pthread_mutex_destroy(&console->input_lock);
	free(console);
	device->state = NULL;
}

const struct device_class virtio_console_device = {
	.name = "virtio-console",
	.instances = virtio_console_instances,
	.create = virtio_console_create,
	.describe = virtio_mmio_describe,
	.start = virtio_mmio_device_start,
	.stop = virtio_mmio_device_stop,
	.destroy = virtio_console_destroy,
};
