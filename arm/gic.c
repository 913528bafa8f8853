#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arm_kvm.h"
#include "fdt_machine.h"
#include "lvmm/arm_memory_map.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/vm.h"

/* Interrupt IDs the GIC has: the fixed devices, one PV sched kick SPI per vCPU and the
 * virtio-mmio slots (the highest); a multiple of 32. */
static uint32_t gic_nr_irqs(unsigned int cpus)
{
	uint32_t needed = 32 + LVMM_PVSCHED_KICK_SPI_BASE + cpus;

	if (needed < 32 + LVMM_VIRTIO_SPI_BASE + LVMM_VIRTIO_SLOTS)
		needed = 32 + LVMM_VIRTIO_SPI_BASE + LVMM_VIRTIO_SLOTS;

	needed = (needed + 31) & ~31u;
	return needed < 128 ? 128 : needed;
}

static int gic_set_attr(int fd, uint32_t group, uint64_t attr, void *value)
{
	struct kvm_device_attr device_attr = {
		.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)value,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &device_attr);
}

static int gic_create_version(struct vm *vm, int version)
{
	struct kvm_create_device create = {
		.type = version == GIC_V3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2,
	};
	uint64_t dist = LVMM_GIC_DIST_BASE, cpu_or_redist;
	int saved;

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &create) < 0)
		return -1;
	if (version == GIC_V3) {
		cpu_or_redist = LVMM_GICV3_REDIST_BASE;
		if (gic_set_attr(create.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
		    gic_set_attr(create.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				 &cpu_or_redist))
			goto fail;
	} else {
		cpu_or_redist = LVMM_GICV2_CPU_BASE;
		if (gic_set_attr(create.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &dist) ||
		    gic_set_attr(create.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU,
				 &cpu_or_redist))
			goto fail;
	}
	vm->arch->gic_fd = (int)create.fd;
	vm->arch->gic_version = version;
	vm->irqchip_name = version == GIC_V3 ? "GICv3" : "GICv2";
	return 0;
fail:
	saved = errno;
	close((int)create.fd);
	errno = saved;
	return -1;
}

/* The one line for a GIC the options name that this host cannot create. */
static void gic_unavailable(enum irqchip_choice choice, int error, char *err, size_t err_size)
{
	if (choice == IRQCHIP_GICV3)
		snprintf(err, err_size, "this host cannot provide an in-kernel GICv3 (%s); try --irqchip gicv2",
			 strerror(error));
	else
		snprintf(err, err_size, "this host cannot provide an in-kernel GICv2 (%s): its GIC has no GICv2 compatibility; use --irqchip gicv3",
			 strerror(error));
}

int arch_check_host(const struct run_options *opts, int kvm_fd, char *err, size_t err_size)
{
	struct kvm_create_device test = {
		.type = opts->irqchip == IRQCHIP_GICV3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2,
		.flags = KVM_CREATE_DEVICE_TEST,
	};
	unsigned long type;
	int vm_fd, result = 0;

	/* auto takes what the host has; a VM that cannot be made is reported by the boot. */
	if (opts->irqchip == IRQCHIP_AUTO ||
	    arch_vm_type(kvm_fd, arch_limits.ram_base + (opts->mem_mib << 20), &type, err, err_size))
		return 0;
	do
		vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, type);
	while (vm_fd < 0 && errno == EINTR);
	if (vm_fd < 0)
		return 0;
	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &test) < 0) {
		gic_unavailable(opts->irqchip, errno, err, err_size);
		result = -1;
	} else if (opts->gic_its) {
		test.type = KVM_DEV_TYPE_ARM_VGIC_ITS;
		if (ioctl(vm_fd, KVM_CREATE_DEVICE, &test) < 0) {
			snprintf(err, err_size, "this host cannot provide an in-kernel GICv3 ITS (%s); use --irqchip gicv3",
				 strerror(errno));
			result = -1;
		}
	}
	close(vm_fd);
	return result;
}

/* The ITS of --irqchip gicv3-its, beside the GICv3 just made; initialised after it. */
static int its_create(struct vm *vm, char *err, size_t err_size)
{
	struct kvm_create_device create = { .type = KVM_DEV_TYPE_ARM_VGIC_ITS };
	uint64_t base = LVMM_GICV3_ITS_BASE;

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &create) < 0) {
		snprintf(err, err_size, "this host cannot provide an in-kernel GICv3 ITS (%s); use --irqchip gicv3",
			 strerror(errno));
		return -1;
	}
	vm->arch->its_fd = (int)create.fd;
	if (gic_set_attr(vm->arch->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &base)) {
		snprintf(err, err_size, "placing the in-kernel GICv3 ITS failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether this VM can have a GIC of that version, asked without creating one: a vGIC once
 * created stays for the VM's life, so a GICv3 made and then failing would make the GICv2
 * fallback fail with EEXIST. */
static bool gic_version_available(struct vm *vm, int version)
{
	struct kvm_create_device test = {
		.type = version == GIC_V3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2,
		.flags = KVM_CREATE_DEVICE_TEST,
	};

	return ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &test) == 0;
}

int arch_irqchip_create(struct vm *vm, char *err, size_t err_size)
{
	enum irqchip_choice choice = vm->opts->irqchip;
	int version = choice == IRQCHIP_GICV3 ? GIC_V3 : choice == IRQCHIP_GICV2 ? GIC_V2 :
		      gic_version_available(vm, GIC_V3) ? GIC_V3 : GIC_V2;

	if (version == GIC_V2 && vm->opts->cpus > LVMM_GICV2_MAX_VCPUS) {
		snprintf(err, err_size, "%s, and GICv2 allows at most %d vCPUs; use -c %d or fewer",
			 choice == IRQCHIP_GICV2 ? "--irqchip gicv2 was asked for" : "this host has no in-kernel GICv3",
			 LVMM_GICV2_MAX_VCPUS, LVMM_GICV2_MAX_VCPUS);
		return -1;
	}
	if (gic_create_version(vm, version) == 0)
		return version == GIC_V3 && vm->opts->gic_its ? its_create(vm, err, err_size) : 0;
	if (choice != IRQCHIP_AUTO) /* the host check said yes; the creation itself failed */
		gic_unavailable(choice, errno, err, err_size);
	else if (version == GIC_V3)
		snprintf(err, err_size, "creating the in-kernel GICv3 failed: %s", strerror(errno));
	else
		/* A GICv3 without the GICv2 compatibility interface (qemu's, most servers') has
		 * neither for a guest. */
		snprintf(err, err_size, "this host can create neither an in-kernel GICv3 nor a GICv2 (%s)",
			 strerror(errno));
	return -1;
}

int arch_irqchip_finalize(struct vm *vm, char *err, size_t err_size)
{
	uint32_t nr_irqs = gic_nr_irqs(vm->opts->cpus);

	if (gic_set_attr(vm->arch->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs) ||
	    gic_set_attr(vm->arch->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
			 NULL)) {
		snprintf(err, err_size, "initialising the in-kernel GIC failed: %s", strerror(errno));
		return -1;
	}
	if (vm->arch->its_fd >= 0 &&
	    gic_set_attr(vm->arch->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL)) {
		snprintf(err, err_size, "initialising the in-kernel GICv3 ITS failed: %s", strerror(errno));
		return -1;
	}
	return arm_pmu_setup(vm, err, err_size);
}

/* Device interrupts are SPIs, numbered from 32 as the DT writes them. */
void arch_irq_line(struct vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level line = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + irq),
		.level = (uint32_t)level,
	};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0)
		log_error("raising SPI %u failed: %s", irq, strerror(errno));
}

/* KVM's default arm64 routing maps gsi n to SPI n (INTID 32 + n). */
uint32_t arch_irqfd_gsi(unsigned int irq)
{
	return irq;
}
