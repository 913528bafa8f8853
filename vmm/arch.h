/*
 * What vmm/ asks of an architecture, in the spirit of kvmtool's kvm__arch_* hooks: everything
 * that differs between KVM ports lives behind these functions, so the core includes nothing
 * from an arch directory. arm64 implements them in arm/.
 */
#ifndef LVMM_ARCH_H
#define LVMM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run_options;
struct vm;
struct vcpu;
struct machine_device;

/* Limits the command line checks against; guest-visible, documented in lvmm(1). */
struct arch_limits {
	unsigned int max_vcpus;
	uint64_t min_ram_mib;
	uint64_t max_ram_mib;
	uint64_t ram_base;          /* guest-physical address of RAM */
};
extern const struct arch_limits arch_limits;

/* Options that only this architecture can judge (e.g. an irqchip's vCPU limit). 0, or -1 with
 * one line in err. Pure: called by the command-line parser. */
int arch_check_options(const struct run_options *opts, char *err, size_t err_size);

/* The kernel image's load offset and size (BSS included) from its header; 0, or -1 with one
 * line in err naming the fix. Pure. */
int arch_kernel_image_parse(const uint8_t *data, size_t size, uint64_t *load_offset,
			    uint64_t *load_size, char *err, size_t err_size);

/* What the options explicitly ask of the host that can be checked before any file is read
 * (an --irqchip it cannot create), so that this, not a missing kernel, is what lvmm reports
 * (as kvmtool, whose order test runners rely on). 0, or -1 with one line in err; a host that
 * cannot even make a VM is left to the boot to report. */
int arch_check_host(const struct run_options *opts, int kvm_fd, char *err, size_t err_size);
/* Capabilities lvmm cannot run without on this architecture. */
int arch_check_capabilities(int kvm_fd, char *err, size_t err_size);
/* The KVM_CREATE_VM type for a guest whose highest address is ipa_end (exclusive). */
int arch_vm_type(int kvm_fd, uint64_t ipa_end, unsigned long *type, char *err, size_t err_size);

/* Right after KVM_CREATE_VM, before guest memory and vCPUs: the architecture's own state and
 * the VM-wide choices that must precede vCPUs (on arm64, the CPU features: MTE). */
int arch_vm_init(struct vm *vm, char *err, size_t err_size);

/* Initialises a created vCPU (KVM_ARM_VCPU_INIT on arm64); secondaries start powered off. */
int arch_vcpu_init(struct vm *vm, struct vcpu *vcpu, char *err, size_t err_size);

/* The in-kernel interrupt controller: created once every vCPU exists, finalised (with what
 * hangs off it, such as PMU interrupts) before any vCPU runs. */
int arch_irqchip_create(struct vm *vm, char *err, size_t err_size);
int arch_irqchip_finalize(struct vm *vm, char *err, size_t err_size);
/* Drives a device interrupt line (a device's irq number, as the machine placed it). */
void arch_irq_line(struct vm *vm, unsigned int irq, int level);
/* The KVM_IRQFD gsi that raises a device interrupt. */
uint32_t arch_irqfd_gsi(unsigned int irq);

/* The machine's devices: each line one device class at its place (vmm/device.h). */
const struct machine_device *arch_machine_devices(unsigned int *count);
/* Places the payloads, writes the device tree (the devices exist by then) and sets the boot
 * vCPU's registers. */
int arch_machine_setup(struct vm *vm, char *err, size_t err_size);

/* A hypercall KVM forwarded to lvmm (KVM_EXIT_HYPERCALL): reads the arguments, dispatches to
 * vm_hypercall() and writes the result back. */
void arch_handle_hypercall(struct vcpu *vcpu);

/* vCPU vcpu's stolen time in ns as the host reported it to the guest (PV steal time); false
 * when the guest has none. Safe while the vCPUs run. */
bool arch_vcpu_stolen_ns(struct vm *vm, unsigned int vcpu, uint64_t *stolen_ns);

/* Frees what the architecture keeps per VM (irqchip, ...). Safe after a failed set-up. */
void arch_vm_destroy(struct vm *vm);

#endif
