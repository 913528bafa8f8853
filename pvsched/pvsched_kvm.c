#include "pvsched_kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lvmm/kvm_compat.h"
#include "lvmm/pvsched_abi.h"
#include "pvsched.h"
#include "vmm/arch.h"
#include "vmm/device.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* What the PV sched host ops need: the VM, and an irqfd-bound eventfd per vCPU for kicks. */
struct pvsched_kvm_host {
	struct vm *vm;
	int *kick_fds;
};

static int pvsched_vcpu_attr(struct vm *vm, unsigned int vcpu, unsigned long request,
			     uint64_t attribute, uint64_t *ipa)
{
	struct kvm_device_attr attr = {
		.group = KVM_ARM_VCPU_PV_SCHED_CTRL, .attr = attribute,
		.addr = (uint64_t)(uintptr_t)ipa,
	};

	return ioctl(vm->vcpus[vcpu].fd, request, &attr) < 0 ? -errno : 0;
}

static int pvsched_get_guest_ipa(void *host, unsigned int vcpu, uint64_t *ipa)
{
	return pvsched_vcpu_attr(((struct pvsched_kvm_host *)host)->vm, vcpu, KVM_GET_DEVICE_ATTR, KVM_ARM_VCPU_PV_SCHED_GUEST_IPA,
				 ipa);
}

static int pvsched_set_guest_ipa(void *host, unsigned int vcpu, uint64_t ipa)
{
	return pvsched_vcpu_attr(((struct pvsched_kvm_host *)host)->vm, vcpu, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PV_SCHED_GUEST_IPA,
				 &ipa);
}

/*
 * One eventfd write per kick: KVM's irqfd injects the target's edge-triggered SPI from within
 * the write (the vGIC latches it, so a kick is never lost; pvsched.md), without a second
 * syscall to lower a line.
 */
static int pvsched_kick(void *host, unsigned int vcpu)
{
	struct pvsched_kvm_host *kvm_host = host;
	uint64_t one = 1;

	return write(kvm_host->kick_fds[vcpu], &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static const struct pvsched_host_ops pvsched_kvm_ops = {
	.get_guest_ipa = pvsched_get_guest_ipa, .set_guest_ipa = pvsched_set_guest_ipa,
	.kick = pvsched_kick,
};

/* An eventfd per vCPU, bound by KVM_IRQFD to that vCPU's kick interrupt (irq_first + i). */
static int pvsched_create_kick_fds(struct vm *vm, struct pvsched_kvm_host *kvm_host,
				   unsigned int irq_first, char *err, size_t err_size)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		kvm_host->kick_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (kvm_host->kick_fds[i] < 0) {
			snprintf(err, err_size, "eventfd for vCPU %u's kick failed: %s", i,
				 strerror(errno));
			return -1;
		}
		if (vm_irqfd_attach(vm, irq_first + i, kvm_host->kick_fds[i], err, err_size))
			return -1;
	}
	return 0;
}

static int pvsched_install_filter(struct vm *vm, char *err, size_t err_size)
{
	struct kvm_smccc_filter filter = {
		.base = PV_SCHED_FUNCTION_FIRST, .nr_functions = PV_SCHED_FUNCTION_RANGE,
		.action = KVM_SMCCC_FILTER_FWD_TO_USER,
	};
	struct kvm_device_attr attr = {
		.group = KVM_ARM_VM_SMCCC_CTRL, .attr = KVM_ARM_VM_SMCCC_FILTER,
		.addr = (uint64_t)(uintptr_t)&filter,
	};

	if (ioctl(vm->vm_fd, KVM_HAS_DEVICE_ATTR, &attr) < 0) {
		snprintf(err, err_size, "--pvsched needs KVM's SMCCC filter to receive PV_SCHED hypercalls, which this host kernel lacks (Linux 6.4 or later has it); run without --pvsched");
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &attr) < 0) {
		snprintf(err, err_size, "installing the SMCCC filter for PV sched failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Probes the host, enables the capability in full mode, and says once if it runs kick-only. */
static int pvsched_enable(struct vm *vm, struct pvsched *pvsched, char *err, size_t err_size)
{
	static bool said_kick_only;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_PV_SCHED };
	struct kvm_device_attr guest_ipa = {
		.group = KVM_ARM_VCPU_PV_SCHED_CTRL, .attr = KVM_ARM_VCPU_PV_SCHED_GUEST_IPA,
	};
	long supported = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PV_SCHED);
	bool guest_ipa_known = ioctl(vm->vcpus[0].fd, KVM_HAS_DEVICE_ATTR, &guest_ipa) == 0;
	enum pvsched_mode mode;
	uint64_t flags;

	if (pvsched_choose_mode(supported, guest_ipa_known, vm->opts->pvsched_idle_preempted, &mode,
				&flags, err, err_size))
		return -1;
	if (mode == PVSCHED_FULL) {
		cap.args[0] = flags;
		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
			snprintf(err, err_size, "enabling KVM_CAP_ARM_PV_SCHED failed: %s",
				 strerror(errno));
			return -1;
		}
		pvsched->idle_preempted = flags & KVM_ARM_PV_SCHED_IDLE_PREEMPTED;
	} else if (!said_kick_only) {
		/* Once per process: a rebooting guest would otherwise repeat it at every boot. */
		said_kick_only = true;
		log_warning("the host kernel %s: PV sched runs in kick-only mode and the guest's preempted flags are not maintained",
			    supported > 0 ? "has revision 1 of KVM_CAP_ARM_PV_SCHED, which loses the flags after memslot changes and resets" :
					    "lacks KVM_CAP_ARM_PV_SCHED");
	}
	pvsched->mode = mode;
	return 0;
}

static int64_t pvsched_device_hypercall(void *pvsched, unsigned int vcpu, uint32_t function,
					uint64_t argument)
{
	return pvsched_call(pvsched, vcpu, function, argument);
}

static unsigned int pvsched_device_instances(const struct run_options *opts)
{
	return opts->pvsched ? 1 : 0;
}

/* Installs the SMCCC filter, picks full or kick-only mode, creates the state region and
 * registers every vCPU's slot; before any vCPU runs. */
static int pvsched_device_create(struct device *device, char *err, size_t err_size)
{
	struct vm *vm = device->vm;
	struct pvsched *pvsched;
	struct pvsched_kvm_host *kvm_host;
	uint64_t *mpidrs;

	if (device_alloc_state(device, sizeof(struct pvsched), err, err_size))
		return -1;
	pvsched = device->state;
	if (vm->vcpu_count * PV_SCHED_STATE_SIZE > device->mmio_size) {
		snprintf(err, err_size, "internal error: the PV sched region is too small for %u vCPUs",
			 vm->vcpu_count);
		return -1;
	}
	if (pvsched_install_filter(vm, err, err_size) ||
	    !vm_allocate_memory(vm, device->mmio_base, device->mmio_size, "PV sched state region",
				err, err_size))
		return -1;
	mpidrs = calloc(vm->vcpu_count, sizeof(*mpidrs));
	pvsched->counters = calloc(vm->vcpu_count, sizeof(*pvsched->counters));
	kvm_host = calloc(1, sizeof(*kvm_host));
	if (kvm_host)
		kvm_host->kick_fds = malloc(vm->vcpu_count * sizeof(*kvm_host->kick_fds));
	pvsched->mpidrs = mpidrs;
	pvsched->host = kvm_host;
	if (!mpidrs || !pvsched->counters || !kvm_host || !kvm_host->kick_fds) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	kvm_host->vm = vm;
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		mpidrs[i] = vm->vcpus[i].mpidr;
		kvm_host->kick_fds[i] = -1;
	}
	pvsched->vcpu_count = vm->vcpu_count;
	pvsched->memory = &vm->memory;
	pvsched->ram_base = arch_limits.ram_base;
	pvsched->ram_size = vm->opts->mem_mib << 20;
	pvsched->region_base = device->mmio_base;
	pvsched->region_size = device->mmio_size;
	pvsched->ops = &pvsched_kvm_ops;
	if (pvsched_create_kick_fds(vm, kvm_host, device->irq, err, err_size) ||
	    pvsched_enable(vm, pvsched, err, err_size))
		return -1;
	vm->hypercall = (struct hypercall_handler){
		.first_function = PV_SCHED_FUNCTION_FIRST, .function_count = PV_SCHED_FUNCTION_RANGE,
		.call = pvsched_device_hypercall, .context = pvsched,
	};
	if (pvsched->mode != PVSCHED_FULL)
		return 0;
	/*
	 * Slot i for vCPU i, as the VMM's registration: it survives vCPU resets (PSCI CPU_ON,
	 * kexec), so the guest needs no IPA_INIT to have a maintained flag.
	 */
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		uint64_t ipa = device->mmio_base + (uint64_t)i * PV_SCHED_STATE_SIZE;
		int ret = pvsched_vcpu_attr(vm, i, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PV_SCHED_IPA,
					    &ipa);

		if (ret < 0) {
			snprintf(err, err_size, "registering vCPU %u's PV sched state with KVM failed: %s",
				 i, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

static int pvsched_device_describe(const struct device *device, struct device_tree *tree)
{
	return pvsched_describe(device->state, device->mmio_base, device->mmio_size, device->irq,
				tree);
}

/* Once the vCPUs are gone, the counters are final: --pvsched-stats prints them. */
static void pvsched_device_stop(struct device *device)
{
	const struct run_options *opts = device->vm->opts;

	if (opts->pvsched_stats != STATS_NONE)
		pvsched_print_counters(device->state, stderr, opts->pvsched_stats == STATS_JSON);
}

static void pvsched_device_stats(const struct device *device, FILE *out, bool json)
{
	pvsched_write_counters(device->state, out, json);
}

static void pvsched_device_destroy(struct device *device)
{
	struct pvsched *pvsched = device->state;
	struct pvsched_kvm_host *kvm_host;

	if (!pvsched)
		return;
	if (device->vm->hypercall.context == pvsched)
		device->vm->hypercall = (struct hypercall_handler){ 0 };
	kvm_host = pvsched->host;
	if (kvm_host && kvm_host->kick_fds) {
		for (unsigned int i = 0; i < pvsched->vcpu_count; i++)
			if (kvm_host->kick_fds[i] >= 0)
				close(kvm_host->kick_fds[i]);
		free(kvm_host->kick_fds);
	}
	free(kvm_host);
	free((void *)pvsched->mpidrs);
	free(pvsched->counters);
	free(pvsched);
	device->state = NULL;
}

const struct device_class pvsched_device = {
	.name = "PV sched region",
	.instances = pvsched_device_instances,
	.create = pvsched_device_create,
	.describe = pvsched_device_describe,
	.stop = pvsched_device_stop,
	.stats = pvsched_device_stats,
	.destroy = pvsched_device_destroy,
};
