#include "pvsched_kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lvmm/arm_memory_map.h"
#include "lvmm/kvm_compat.h"
#include "lvmm/pvsched_abi.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PVSCHED_REGION_SLOT 1

static int pvsched_vcpu_attr(struct vm *vm, unsigned int vcpu, unsigned long request,
			     uint64_t *ipa)
{
	struct kvm_device_attr attr = {
		.group = KVM_ARM_VCPU_PV_SCHED_CTRL, .attr = KVM_ARM_VCPU_PV_SCHED_IPA,
		.addr = (uint64_t)(uintptr_t)ipa,
	};

	return ioctl(vm->vcpus[vcpu].fd, request, &attr) < 0 ? -errno : 0;
}

static int pvsched_get_ipa(void *host, unsigned int vcpu, uint64_t *ipa)
{
	return pvsched_vcpu_attr(host, vcpu, KVM_GET_DEVICE_ATTR, ipa);
}

static int pvsched_set_ipa(void *host, unsigned int vcpu, uint64_t ipa)
{
	return pvsched_vcpu_attr(host, vcpu, KVM_SET_DEVICE_ATTR, &ipa);
}

/* An edge on the target's own SPI: the vGIC latches it, so a kick is never lost (pvsched.md). */
static int pvsched_kick(void *host, unsigned int vcpu)
{
	struct vm *vm = host;
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) |
		       (32 + LVMM_PVSCHED_KICK_SPI_BASE + vcpu),
		.level = 1,
	};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	irq.level = 0;
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

/* Whether the target's thread sleeps ('S') in the kernel: in KVM_RUN that means WFI. */
static bool pvsched_vcpu_blocked(void *host, unsigned int vcpu)
{
	struct vm *vm = host;
	char path[64], stat[256], *state;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)vm->vcpus[vcpu].tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	state = strrchr(stat, ')');
	return state && state[1] == ' ' && state[2] == 'S';
}

static const struct pvsched_host_ops pvsched_kvm_ops = {
	.get_ipa = pvsched_get_ipa, .set_ipa = pvsched_set_ipa, .kick = pvsched_kick,
};

static const struct pvsched_host_ops pvsched_kvm_ops_with_blocked = {
	.get_ipa = pvsched_get_ipa, .set_ipa = pvsched_set_ipa, .kick = pvsched_kick,
	.vcpu_blocked = pvsched_vcpu_blocked,
};

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

static enum pvsched_mode pvsched_choose_mode(struct vm *vm)
{
	static bool said_kick_only;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_PV_SCHED };

	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PV_SCHED) > 0) {
		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) == 0)
			return PVSCHED_FULL;
		log_warning("enabling KVM_CAP_ARM_PV_SCHED failed (%s)", strerror(errno));
	}
	/* Once per process: a rebooting guest would otherwise repeat it at every boot. */
	if (!said_kick_only) {
		said_kick_only = true;
		log_warning("the host kernel lacks KVM_CAP_ARM_PV_SCHED: PV sched runs in kick-only mode and the guest's preempted flags are not maintained");
	}
	return PVSCHED_KICK_ONLY;
}

static int pvsched_create_region(struct vm *vm, char *err, size_t err_size)
{
	void *region = mmap(NULL, LVMM_PVSCHED_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region slot = {
		.slot = PVSCHED_REGION_SLOT, .guest_phys_addr = LVMM_PVSCHED_BASE,
		.memory_size = LVMM_PVSCHED_SIZE, .userspace_addr = (uint64_t)(uintptr_t)region,
	};

	if (region == MAP_FAILED) {
		snprintf(err, err_size, "cannot allocate the PV sched state region: %s", strerror(errno));
		return -1;
	}
	if (guest_memory_add(&vm->memory, LVMM_PVSCHED_BASE, LVMM_PVSCHED_SIZE, region,
			     PVSCHED_REGION_SLOT) < 0) {
		munmap(region, LVMM_PVSCHED_SIZE);
		snprintf(err, err_size, "internal error: the PV sched region overlaps guest memory");
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0) {
		snprintf(err, err_size, "registering the PV sched state region with KVM failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int pvsched_kvm_setup(struct vm *vm, char *err, size_t err_size)
{
	struct pvsched *pvsched = &vm->pvsched;
	uint64_t *mpidrs;

	if (!vm->opts->pvsched)
		return 0;
	if (vm->opts->cpus * PV_SCHED_STATE_SIZE > LVMM_PVSCHED_SIZE) {
		snprintf(err, err_size, "internal error: the PV sched region is too small for %u vCPUs",
			 vm->opts->cpus);
		return -1;
	}
	if (pvsched_install_filter(vm, err, err_size) || pvsched_create_region(vm, err, err_size))
		return -1;
	mpidrs = calloc(vm->vcpu_count, sizeof(*mpidrs));
	pvsched->counters = calloc(vm->vcpu_count, sizeof(*pvsched->counters));
	if (!mpidrs || !pvsched->counters) {
		free(mpidrs);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		mpidrs[i] = vm->vcpus[i].mpidr;
	pvsched->mpidrs = mpidrs;
	pvsched->vcpu_count = vm->vcpu_count;
	pvsched->memory = &vm->memory;
	pvsched->host = vm;
	pvsched->ops = vm->opts->pvsched_stats != STATS_NONE ? &pvsched_kvm_ops_with_blocked :
							       &pvsched_kvm_ops;
	pvsched->mode = pvsched_choose_mode(vm);
	if (pvsched->mode != PVSCHED_FULL)
		return 0;
	/* Slot i for vCPU i, before the vCPU first runs: the flag is right from the start. */
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		int ret = pvsched_set_ipa(vm, i, LVMM_PVSCHED_BASE + (uint64_t)i * PV_SCHED_STATE_SIZE);

		if (ret < 0) {
			snprintf(err, err_size, "registering vCPU %u's PV sched state with KVM failed: %s",
				 i, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

void pvsched_kvm_teardown(struct vm *vm)
{
	free((void *)vm->pvsched.mpidrs);
	free(vm->pvsched.counters);
	memset(&vm->pvsched, 0, sizeof(vm->pvsched));
}
