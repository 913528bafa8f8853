/*
 * The KVM_CAP_ARM_PV_SCHED UAPI from the VMM's side, with raw ioctls (not lvmm): capability
 * probe, ENODEV before KVM_ENABLE_CAP, EINVAL for unaligned IPAs, ENXIO outside the memslots,
 * EEXIST when registered twice, get/clear, and the registration dropped by a vCPU reset.
 * Runs in the emulated host on the patched kernel; prints TAP lines and exits 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lvmm/pvsched_abi.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x200000ULL

static int failures;

static void check(const char *name, int ok)
{
	printf("%s - uapi: %s\n", ok ? "ok" : "not ok", name);
	failures += !ok;
}

static int vcpu_attr(int vcpu_fd, unsigned long request, uint64_t *ipa)
{
	struct kvm_device_attr attr = {
		.group = KVM_ARM_VCPU_PV_SCHED_CTRL, .attr = KVM_ARM_VCPU_PV_SCHED_IPA,
		.addr = (uint64_t)(uintptr_t)ipa,
	};

	return ioctl(vcpu_fd, request, &attr) < 0 ? errno : 0;
}

static int set_ipa(int vcpu_fd, uint64_t ipa)
{
	return vcpu_attr(vcpu_fd, KVM_SET_DEVICE_ATTR, &ipa);
}

int main(void)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_PV_SCHED };
	struct kvm_vcpu_init init;
	uint64_t ipa = 0;
	int kvm, vm, vcpu;
	void *ram;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		printf("not ok - uapi: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	check("KVM_CHECK_EXTENSION reports KVM_CAP_ARM_PV_SCHED",
	      ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PV_SCHED) == 1);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	memset(&init, 0, sizeof(init));
	ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	check("vCPU set up", vm >= 0 && vcpu >= 0 && ram != MAP_FAILED &&
			     ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) == 0);

	check("KVM_HAS_DEVICE_ATTR knows the attribute",
	      ioctl(vcpu, KVM_HAS_DEVICE_ATTR, &(struct kvm_device_attr){
			.group = KVM_ARM_VCPU_PV_SCHED_CTRL, .attr = KVM_ARM_VCPU_PV_SCHED_IPA }) == 0);
	check("registration before KVM_ENABLE_CAP is ENODEV", set_ipa(vcpu, RAM_BASE) == ENODEV);
	check("KVM_ENABLE_CAP succeeds", ioctl(vm, KVM_ENABLE_CAP, &cap) == 0);
	check("nothing registered at first", vcpu_attr(vcpu, KVM_GET_DEVICE_ATTR, &ipa) == 0 &&
					     ipa == KVM_ARM_PV_SCHED_IPA_NONE);
	check("unaligned IPA is EINVAL", set_ipa(vcpu, RAM_BASE + 1) == EINVAL);
	check("32-byte aligned IPA is EINVAL", set_ipa(vcpu, RAM_BASE + 32) == EINVAL);
	check("IPA outside every memslot is ENXIO", set_ipa(vcpu, 0x10000000) == ENXIO);
	check("IPA just past the memslot is ENXIO", set_ipa(vcpu, RAM_BASE + RAM_SIZE) == ENXIO);
	memset((uint8_t *)ram + 0x1000, 0xff, 64);
	check("a good IPA registers", set_ipa(vcpu, RAM_BASE + 0x1000) == 0);
	check("registration zeroes preempted", *(volatile uint32_t *)((uint8_t *)ram + 0x1000) == 0);
	check("KVM_GET_DEVICE_ATTR reads it back",
	      vcpu_attr(vcpu, KVM_GET_DEVICE_ATTR, &ipa) == 0 && ipa == RAM_BASE + 0x1000);
	check("registering twice is EEXIST", set_ipa(vcpu, RAM_BASE + 0x2000) == EEXIST);
	check("IPA_NONE clears it", set_ipa(vcpu, KVM_ARM_PV_SCHED_IPA_NONE) == 0 &&
				    vcpu_attr(vcpu, KVM_GET_DEVICE_ATTR, &ipa) == 0 &&
				    ipa == KVM_ARM_PV_SCHED_IPA_NONE);
	check("a new address registers after clearing", set_ipa(vcpu, RAM_BASE + 0x2000) == 0);
	check("a vCPU reset clears the registration",
	      ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) == 0 &&
	      vcpu_attr(vcpu, KVM_GET_DEVICE_ATTR, &ipa) == 0 && ipa == KVM_ARM_PV_SCHED_IPA_NONE);
	printf("# uapi test done, %d failed\n", failures);
	return failures ? 1 : 0;
}
