#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arm_kvm.h"
#include "boot_layout.h"
#include "pvtime.h"
#include "fdt_machine.h"
#include "lvmm/arm_memory_map.h"
#include "lvmm/exit_status.h"
#include "hw/doorbell.h"
#include "hw/pvpanic.h"
#include "hw/rtc_pl031.h"
#include "hw/uart_8250.h"
#include "hw/virtio_9p.h"
#include "hw/virtio_blk.h"
#include "hw/virtio_console.h"
#include "hw/virtio_rng.h"
#include "pvsched/pvsched_kvm.h"
#include "vmm/arch.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static const struct device_pool virtio_mmio_pool = {
	.name = "virtio-mmio", .base = LVMM_VIRTIO_BASE, .stride = LVMM_VIRTIO_STRIDE,
	.irq_base = LVMM_VIRTIO_SPI_BASE, .slots = LVMM_VIRTIO_SLOTS,
};

/* The machine: every device it can have, at its place (docs/memory-map.md). Adding a device
 * is a file in hw/ and a line here. */
static const struct machine_device arm_machine_device_list[] = {
	{ &uart_8250_device, LVMM_UART_BASE, LVMM_UART_SIZE, LVMM_UART_SPI, NULL },
	{ &rtc_pl031_device, LVMM_RTC_BASE, LVMM_RTC_SIZE, LVMM_RTC_SPI, NULL },
	{ &pvpanic_device, LVMM_PVPANIC_BASE, LVMM_PVPANIC_SIZE, DEVICE_NO_IRQ, NULL },
	{ &doorbell_device, LVMM_DOORBELL_BASE, LVMM_DOORBELL_SIZE, DEVICE_NO_IRQ, NULL },
	{ &pvsched_device, LVMM_PVSCHED_BASE, LVMM_PVSCHED_SIZE, LVMM_PVSCHED_KICK_SPI_BASE, NULL },
	{ &pvtime_device, LVMM_PVTIME_BASE, LVMM_PVTIME_SIZE, DEVICE_NO_IRQ, NULL },
	{ &virtio_rng_device, 0, 0, 0, &virtio_mmio_pool },
	{ &virtio_blk_device, 0, 0, 0, &virtio_mmio_pool },
	{ &virtio_9p_device, 0, 0, 0, &virtio_mmio_pool },
	{ &virtio_console_device, 0, 0, 0, &virtio_mmio_pool },
};

const struct machine_device *arch_machine_devices(unsigned int *count)
{
	*count = sizeof(arm_machine_device_list) / sizeof(arm_machine_device_list[0]);
	return arm_machine_device_list;
}

static int arm_machine_dump_dtb(const char *path, const void *fdt, char *err, size_t err_size)
{
	size_t size = fdt_totalsize(fdt);
	/* O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of stalling lvmm. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);
	ssize_t written = -1;
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		snprintf(err, err_size, "'%s' is not a regular file: --dump-dtb writes the device tree to a file",
			 path);
		return -1;
	}
	if (fd < 0 && errno == ENXIO) {
		snprintf(err, err_size, "'%s' is a FIFO with no reader: --dump-dtb writes the device tree to a file",
			 path);
		return -1;
	}
	if (fd >= 0) {
		written = write(fd, fdt, size);
		if (close(fd) < 0)
			written = -1;
	}
	if (written != (ssize_t)size) {
		snprintf(err, err_size, "cannot write the device tree to '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int arm_machine_write_fdt(struct vm *vm, const struct boot_layout *layout, char *err,
				 size_t err_size)
{
	uint64_t mpidrs[LVMM_MAX_VCPUS];
	char bootargs[4096];
	struct machine_description machine;
	void *fdt = guest_memory_translate(&vm->memory, layout->dtb_addr, LVMM_DTB_MAX_SIZE);
	int ret;

	if (cli_kernel_cmdline(vm->opts, bootargs, sizeof(bootargs))) {
		snprintf(err, err_size, "the kernel command line is longer than %zu bytes; shorten -p",
			 sizeof(bootargs) - 1);
		return -1;
	}
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		mpidrs[i] = vm->vcpus[i].mpidr;
	machine = (struct machine_description){
		.ram_base = LVMM_RAM_BASE,
		.ram_size = vm->opts->mem_mib << 20,
		.cpus = vm->vcpu_count,
		.mpidrs = mpidrs,
		.gic = vm->arch->gic_version,
		.gic_its = vm->arch->its_fd >= 0,
		.pmu = vm->opts->pmu,
		.bootargs = bootargs,
		.initrd_start = layout->initrd_start,
		.initrd_end = layout->initrd_end,
		.devices = &vm->devices,
	};
	/* Seeds KASLR the way firmware would; without entropy the guest simply runs unrandomised.
	 * --kaslr-seed makes boots reproducible (0: no seed, so no KASLR). */
	if (vm->opts->kaslr_seed_given)
		machine.kaslr_seed = vm->opts->kaslr_seed;
	else if (getrandom(&machine.kaslr_seed, sizeof(machine.kaslr_seed), GRND_NONBLOCK) !=
		 sizeof(machine.kaslr_seed))
		machine.kaslr_seed = 0;
	ret = fdt_build_machine(&machine, fdt, LVMM_DTB_MAX_SIZE);
	if (ret) {
		snprintf(err, err_size, "building the device tree failed: %s", fdt_strerror(ret));
		return -1;
	}
	if (vm->opts->dump_dtb_path &&
	    arm_machine_dump_dtb(vm->opts->dump_dtb_path, fdt, err, err_size))
		return -1;
	return 0;
}

int arch_machine_setup(struct vm *vm, char *err, size_t err_size)
{
	struct payloads *payloads = vm->payloads;
	const struct payload *image = payloads->firmware.data ? &payloads->firmware : &payloads->kernel;
	struct boot_layout_request request = {
		.ram_base = LVMM_RAM_BASE,
		.ram_size = vm->opts->mem_mib << 20,
		.load_offset = payloads->load_offset,
		.load_size = payloads->load_size,
		.initrd_size = payloads->initrd.size,
	};
	struct boot_layout layout;

	if (boot_layout_place(&request, &layout, err, err_size))
		return -1;
	memcpy(guest_memory_translate(&vm->memory, layout.load_addr, image->size), image->data,
	       image->size);
	if (payloads->initrd.size)
		memcpy(guest_memory_translate(&vm->memory, layout.initrd_start, payloads->initrd.size),
		       payloads->initrd.data, payloads->initrd.size);
	payloads_free(payloads);
	if (arm_machine_write_fdt(vm, &layout, err, err_size))
		return -1;
	return arm_vcpu_set_boot_registers(&vm->vcpus[0], layout.entry, layout.dtb_addr, err,
					   err_size);
}
