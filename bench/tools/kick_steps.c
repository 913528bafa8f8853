/*
 * kick-steps [ITERATIONS]: what each step of lvmm's KICK_CPU path costs on this host, measured
 * on a VM of its own (one vCPU, an in-kernel GICv3, never run): reading x1 (KVM_GET_ONE_REG),
 * raising an edge-triggered SPI with two KVM_IRQ_LINE ioctls (lvmm before) or with one write
 * to an eventfd bound by KVM_IRQFD (lvmm now), and writing x0 back (KVM_SET_ONE_REG).
 * Prints "kick-steps <step>_ns=<mean ns per call>" lines; a step this host cannot do is
 * reported as "<step>_skipped=1". Runs in the emulated arm64 host for make bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lvmm/arm_memory_map.h"

#define DEFAULT_ITERATIONS 20000
#define SPI_LINE 16     /* raised with KVM_IRQ_LINE */
#define SPI_IRQFD 17    /* raised through the irqfd */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "kick-steps: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_device_attr(int fd, uint32_t group, uint64_t attr, void *value)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)value };

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		die("configuring the GICv3");
}

/* A GICv3 with its distributor and redistributor where lvmm puts them, initialised. */
static void create_gic(int vm)
{
	struct kvm_create_device device = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = LVMM_GIC_DIST_BASE, redist = LVMM_GICV3_REDIST_BASE;
	uint32_t irqs = 128;

	if (ioctl(vm, KVM_CREATE_DEVICE, &device) < 0)
		die("creating a GICv3");
	set_device_attr(device.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	set_device_attr(device.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	set_device_attr(device.fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &irqs);
	set_device_attr(device.fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

static void report(const char *step, uint64_t start, uint64_t end, unsigned long iterations)
{
	printf("kick-steps %s_ns=%.1f\n", step, (double)(end - start) / (double)iterations);
}

int main(int argc, char **argv)
{
	unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_ITERATIONS;
	struct kvm_vcpu_init init;
	struct kvm_irq_level line = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + SPI_LINE),
	};
	uint64_t x = 0, one = 1, start;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      (offsetof(struct kvm_regs, regs.regs[1]) / sizeof(uint32_t)),
		.addr = (uint64_t)(uintptr_t)&x,
	};
	int kvm, vm, vcpu, event;

	if (iterations == 0 || iterations > 100000000) {
		fprintf(stderr, "usage: kick-steps [ITERATIONS] (1 to 100000000, default %d)\n",
			DEFAULT_ITERATIONS);
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0 ||
	    ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		die("creating the vCPU");
	create_gic(vm);

	start = now_ns();
	for (unsigned long i = 0; i < iterations; i++)
		now_ns();
	report("clock_gettime", start, now_ns(), iterations);

	start = now_ns();
	for (unsigned long i = 0; i < iterations; i++)
		if (ioctl(vcpu, KVM_GET_ONE_REG, &reg) < 0)
			die("KVM_GET_ONE_REG");
	report("get_one_reg_x1", start, now_ns(), iterations);

	start = now_ns();
	for (unsigned long i = 0; i < iterations; i++) {
		line.level = 1;
		if (ioctl(vm, KVM_IRQ_LINE, &line) < 0)
			die("KVM_IRQ_LINE");
		line.level = 0;
		if (ioctl(vm, KVM_IRQ_LINE, &line) < 0)
			die("KVM_IRQ_LINE");
	}
	report("irq_line_pulse", start, now_ns(), iterations);

	event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (event < 0)
		die("eventfd");
	struct kvm_irqfd irqfd = { .fd = (uint32_t)event, .gsi = SPI_IRQFD };

	if (ioctl(vm, KVM_IRQFD, &irqfd) < 0) {
		printf("kick-steps irqfd_write_skipped=1\n");
	} else {
		start = now_ns();
		for (unsigned long i = 0; i < iterations; i++)
			if (write(event, &one, sizeof(one)) != sizeof(one))
				die("writing the irqfd");
		report("irqfd_write", start, now_ns(), iterations);
	}

	start = now_ns();
	for (unsigned long i = 0; i < iterations; i++)
		if (ioctl(vcpu, KVM_SET_ONE_REG, &reg) < 0)
			die("KVM_SET_ONE_REG");
	report("set_one_reg_x0", start, now_ns(), iterations);
	printf("kick-steps iterations=%lu\n", iterations);
	return 0;
}
