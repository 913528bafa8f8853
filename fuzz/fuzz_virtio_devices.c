/* libFuzzer harness: the virtio devices' request handling behind the transport: virtio-blk
 * (on a 64 KiB image), virtio-rng, virtio-console (with host input waiting) and virtio-9p (a
 * read-only share of a scratch directory: its transport and config space; the 9P server's
 * writes have their own harness, fuzz_p9_server). Each input
 * creates one device through the device model on a fake VM (no KVM; no I/O thread: the
 * harness plays it), negotiates features and sets up every queue through the MMIO registers
 * as a driver does, over guest RAM from the fuzzer (rings, descriptors, request headers, data
 * anywhere in it), then has each queue processed as the I/O thread would, under the
 * transport's lock, twice, with config-space accesses and a reset in between.
 * Input: [0] the device (low 4 bits: blk, rng, console, 9p) and features (0x10 event index,
 * 0x20 indirect, 0x40 the device's own, 0x80 a read-only disk), [1] the queue size - 1, [2] a
 * config-space offset, [3] how many bytes of host input wait, then RAM. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/virtio_9p.h"
#include "hw/virtio_blk.h"
#include "hw/virtio_console.h"
#include "hw/virtio_mmio.h"
#include "hw/virtio_rng.h"
#include "tests/unit/fake_vm.h"
#include "vmm/console_output.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

#define RAM_GPA 0x80000000ull
#define RAM_SIZE 0x10000u
#define QUEUE_AREA 0x8000u /* queue n's rings at RAM_GPA + n * QUEUE_AREA */

enum {
	REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024, REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014, REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044, REG_STATUS = 0x070, REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084, REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4, REG_CONFIG = 0x100,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static char image_path[64];
static char share_path[] = "/tmp/lvmm-fuzz-9p-share-XXXXXX";
static char share_file[sizeof(share_path) + 8];

static void remove_scratch(void)
{
	unlink(image_path);
	unlink(share_file);
	rmdir(share_path);
}

/* Once: the disk image (64 KiB), the share (a directory holding one small file), both removed
 * at exit, and the console's output thread (to /dev/null), as lvmm run has them. */
static void setup_once(void)
{
	static int done;
	int fd;

	if (done)
		return;
	done = 1;
	log_set_level(LOG_ERROR); /* hostile chains make the devices warn */
	snprintf(image_path, sizeof(image_path), "/tmp/lvmm-fuzz-disk-%d", (int)getpid());
	fd = open(image_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 64 * 1024) < 0)
		abort();
	close(fd);
	if (!mkdtemp(share_path))
		abort();
	snprintf(share_file, sizeof(share_file), "%s/file", share_path);
	fd = open(share_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "lvmm 9p\n", 8) != 8)
		abort();
	close(fd);
	atexit(remove_scratch);
	if (console_output_start(open("/dev/null", O_WRONLY | O_CLOEXEC), 1 << 16) < 0)
		abort();
}

static void reg(struct vm *vm, uint64_t base, uint64_t offset, uint32_t *value, int is_write)
{
	uint8_t bytes[4];

	if (is_write)
		mmio_data_write(bytes, 4, *value);
	mmio_bus_dispatch(&vm->bus, base + offset, bytes, 4, is_write);
	if (!is_write)
		*value = (uint32_t)mmio_data_read(bytes, 4);
}

static void reg_write(struct vm *vm, uint64_t base, uint64_t offset, uint32_t value)
{
	reg(vm, base, offset, &value, 1);
}

static uint32_t reg_read(struct vm *vm, uint64_t base, uint64_t offset)
{
	uint32_t value = 0;

	reg(vm, base, offset, &value, 0);
	return value;
}

/* Negotiates the device's features that the input's bits keep, and sets up every queue. */
static void driver_setup(struct vm *vm, uint64_t base, unsigned int queues, uint8_t choice,
			 uint16_t queue_size)
{
	uint64_t offered, wanted;

	reg_write(vm, base, REG_STATUS, 0);
	reg_write(vm, base, REG_STATUS, 1);
	reg_write(vm, base, REG_STATUS, 3);
	reg_write(vm, base, REG_DEVICE_FEATURES_SEL, 0);
	offered = reg_read(vm, base, REG_DEVICE_FEATURES);
	reg_write(vm, base, REG_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)reg_read(vm, base, REG_DEVICE_FEATURES) << 32;
	/* VERSION_1 always; the ring features (event index, indirect) and the device's own as
	 * the input says. */
	wanted = offered & ((1ull << 32) | (choice & 0x10 ? 1ull << 29 : 0) |
			    (choice & 0x20 ? 1ull << 28 : 0) | (choice & 0x40 ? 0xffffffull : 0));
	reg_write(vm, base, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(vm, base, REG_DRIVER_FEATURES, (uint32_t)wanted);
	reg_write(vm, base, REG_DRIVER_FEATURES_SEL, 1);
	reg_write(vm, base, REG_DRIVER_FEATURES, (uint32_t)(wanted >> 32));
	reg_write(vm, base, REG_STATUS, 11);
	for (unsigned int q = 0; q < queues; q++) {
		uint64_t area = RAM_GPA + (uint64_t)q * QUEUE_AREA;

		reg_write(vm, base, REG_QUEUE_SEL, q);
		reg_write(vm, base, REG_QUEUE_NUM, queue_size);
		reg_write(vm, base, REG_QUEUE_DESC_LOW, (uint32_t)area);
		reg_write(vm, base, REG_QUEUE_DESC_HIGH, (uint32_t)(area >> 32));
		reg_write(vm, base, REG_QUEUE_DRIVER_LOW, (uint32_t)(area + 0x1000));
		reg_write(vm, base, REG_QUEUE_DRIVER_HIGH, (uint32_t)((area + 0x1000) >> 32));
		reg_write(vm, base, REG_QUEUE_DEVICE_LOW, (uint32_t)(area + 0x1400));
		reg_write(vm, base, REG_QUEUE_DEVICE_HIGH, (uint32_t)((area + 0x1400) >> 32));
		reg_write(vm, base, REG_QUEUE_READY, 1);
	}
	reg_write(vm, base, REG_STATUS, 15);
}

/* What the I/O thread does when a queue's notification arrives. */
static void process_all(struct virtio_mmio *transport, unsigned int queues)
{
	for (unsigned int q = 0; q < queues; q++) {
		pthread_mutex_lock(&transport->lock);
		if (transport->queues[q].ready && !transport->needs_reset &&
		    (transport->status & 4))
			transport->ops->process_queue(transport, q);
		pthread_mutex_unlock(&transport->lock);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct device_class *const classes[] = {
		&virtio_blk_device, &virtio_rng_device, &virtio_console_device, &virtio_9p_device,
	};
	struct device_pool pool = {
		.name = "virtio-mmio", .base = 0x0a000000, .stride = 0x200, .irq_base = 40, .slots = 1,
	};
	struct vm vm;
	struct run_options opts;
	char err[512];
	const struct device_class *class;
	struct machine_device list[1];
	struct virtio_mmio *transport;
	uint64_t base;
	unsigned int queues;

	if (size < 4)
		return 0;
	setup_once();
	class = classes[(data[0] & 0x0f) % (sizeof(classes) / sizeof(classes[0]))];
	fake_vm_init(&vm, &opts);
	if (class == &virtio_blk_device) {
		opts.disks[0] = (struct disk_option){ .path = image_path, .path_length = strlen(image_path),
						      .read_only = data[0] & 0x80 };
		opts.disk_count = 1;
	} else if (class == &virtio_rng_device) {
		opts.rng = true;
	} else if (class == &virtio_9p_device) {
		opts.shares[0] = (struct share_option){ .path = share_path,
							.path_length = strlen(share_path),
							.tag = "fuzz", .read_only = true };
		opts.share_count = 1;
	} else {
		opts.console = CONSOLE_VIRTIO;
	}
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 4, size - 4 < RAM_SIZE ? size - 4 : RAM_SIZE);
	if (guest_memory_add(&vm.memory, RAM_GPA, RAM_SIZE, ram, 0))
		return 0;
	list[0] = (struct machine_device){ class, 0, 0, 0, &pool };
	if (devices_create(&vm.devices, &vm, list, 1, err, sizeof(err)) == 0) {
		transport = vm.devices.devices[0].state;
		base = vm.devices.devices[0].mmio_base;
		queues = transport->ops->queue_count;
		driver_setup(&vm, base, queues, data[0], (uint16_t)(1 + data[1]));
		/* Host input waiting for the guest's receive buffers (the terminal's bytes). */
		if (vm.console_input.receive && data[3]) {
			size_t room = vm.console_input.space(vm.console_input.context);
			size_t count = data[3] < room ? data[3] : room;

			vm.console_input.receive(vm.console_input.context, data + 4,
						 count < size - 4 ? count : size - 4);
		}
		process_all(transport, queues);
		/* The config space at a fuzzer-chosen offset, read and written, every width. */
		for (unsigned int width = 1; width <= 8; width *= 2) {
			uint8_t bytes[8] = { 0 };

			mmio_bus_dispatch(&vm.bus, base + REG_CONFIG + data[2], bytes, width, 0);
			mmio_bus_dispatch(&vm.bus, base + REG_CONFIG + data[2], bytes, width, 1);
		}
		process_all(transport, queues);
		/* A reset, then the same rings again: nothing may be processed. */
		reg_write(&vm, base, REG_STATUS, 0);
		process_all(transport, queues);
	}
	devices_destroy(&vm.devices);
	return 0;
}
