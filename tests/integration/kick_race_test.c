/*
 * Proves that vcpu_kick() is never lost, against the real KVM of the (emulated) arm64 host.
 * The guest spins forever without exits, so KVM_RUN can only end because of a kick: a lost
 * kick shows up as a vcpu_enter() that does not return. Three parts:
 *  1. self: the kick lands at the last moment before KVM_RUN, on the vCPU's own thread;
 *  2. cross: another thread kicks at jittered times, each kick must be consumed promptly;
 *  3. control: with the signal handler pointed elsewhere (as if immediate_exit were not used)
 *     the same self-kick IS lost, showing the test can see a loss.
 * Prints "KICK-RACE PASS" or "KICK-RACE FAIL: <why>". Exit status 0 only on pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arm/arm_kvm.h"
#include "vmm/arch.h"
#include "lvmm/arm_memory_map.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ROUNDS 10000
#define CROSS_TIMEOUT_NS 2000000000ULL

static atomic_uint kicks_consumed;
static atomic_bool vcpu_thread_done;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void fail(const char *why)
{
	printf("KICK-RACE FAIL: %s\n", why);
	exit(1);
}

static void count_kick(struct vcpu *vcpu)
{
	(void)vcpu;
	atomic_fetch_add(&kicks_consumed, 1);
}

static const struct run_options default_options;

static void setup(struct vm *vm, struct vcpu *vcpu)
{
	static const uint32_t spin_forever = 0x14000000; /* b . */
	char err[256];
	size_t ram_size = 2 << 20;
	uint8_t *ram;
	int mmap_size;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		fail("cannot open /dev/kvm");
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->vm_fd < 0 || ram == MAP_FAILED)
		fail("cannot create the VM");
	vm->opts = &default_options; /* the vCPU features asked for: what KVM offers */
	if (arch_vm_init(vm, err, sizeof(err))) /* the arch state arch_vcpu_init reads */
		fail(err);
	memcpy(ram, &spin_forever, sizeof(spin_forever));
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = LVMM_RAM_BASE, .memory_size = ram_size,
		.userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		fail("cannot register RAM");
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vcpu->vm = vm;
	vcpu_thread_state_init(vcpu);
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	vcpu->run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->fd < 0 || vcpu->run == MAP_FAILED)
		fail("cannot create the vCPU");
	if (arch_vcpu_init(vm, vcpu, err, sizeof(err)) ||
	    arm_vcpu_set_boot_registers(vcpu, LVMM_RAM_BASE, 0, err, sizeof(err)))
		fail(err);
	vcpu->on_kick = count_kick;
}

/* Part 1: the signal arrives on the vCPU thread itself, right before KVM_RUN. */
static void test_self_kick(struct vcpu *vcpu)
{
	vcpu_thread_adopt(vcpu, pthread_self());
	vcpu_bind_thread(vcpu);
	for (unsigned int i = 0; i < ROUNDS; i++) {
		unsigned int before = atomic_load(&kicks_consumed);

		alarm(5); /* a lost kick leaves KVM_RUN spinning in the guest: SIGALRM kills us */
		vcpu_kick(vcpu);
		if (vcpu_enter(vcpu) == 0 && vcpu->run->exit_reason != KVM_EXIT_INTR)
			fail("self: KVM_RUN returned for something other than the kick");
		if (atomic_load(&kicks_consumed) != before + 1)
			fail("self: the kick was not consumed exactly once");
	}
	alarm(0);
	printf("kick-race: self %u/%u kicks ended KVM_RUN at once\n", ROUNDS, ROUNDS);
}

static void *vcpu_loop(void *arg)
{
	struct vcpu *vcpu = arg;

	vcpu_bind_thread(vcpu);
	while (!atomic_load(&vcpu_thread_done))
		vcpu_enter(vcpu);
	return NULL;
}

static void jitter(unsigned int round)
{
	volatile unsigned int spin = (round * 2654435761u) % 5000;

	while (spin)
		spin--;
}

/* Part 2: kicks from another thread at varied offsets from the vCPU's entry and exit. */
static void test_cross_kick(struct vcpu *vcpu)
{
	uint64_t worst = 0;
	pthread_t thread;

	atomic_store(&kicks_consumed, 0);
	if (pthread_create(&thread, NULL, vcpu_loop, vcpu))
		fail("cannot start the vCPU thread");
	vcpu_thread_adopt(vcpu, thread);
	for (unsigned int i = 0; i < ROUNDS; i++) {
		uint64_t start = now_ns(), waited;

		vcpu_kick(vcpu);
		while (atomic_load(&kicks_consumed) < i + 1) {
			if (now_ns() - start > CROSS_TIMEOUT_NS)
				fail("cross: a kick was not consumed within 2 s (lost)");
		}
		waited = now_ns() - start;
		if (waited > worst)
			worst = waited;
		jitter(i);
	}
	atomic_store(&vcpu_thread_done, true);
	vcpu_kick(vcpu);
	vcpu_thread_join(vcpu);
	printf("kick-race: cross %u/%u kicks consumed, slowest %llu us\n", ROUNDS, ROUNDS,
	       (unsigned long long)(worst / 1000));
}

static void *rescue(void *arg)
{
	usleep(300000);
	pthread_kill(*(pthread_t *)arg, VCPU_KICK_SIGNAL);
	return NULL;
}

/* Part 3: the same self-kick with the handler bound to another run structure is lost. */
static void test_control(struct vcpu *vcpu)
{
	struct vcpu decoy = { .run = calloc(1, sizeof(struct kvm_run)) };
	pthread_t self = pthread_self(), rescuer;
	uint64_t start, took;

	vcpu_bind_thread(&decoy);
	vcpu_thread_adopt(vcpu, self);
	pthread_create(&rescuer, NULL, rescue, &self);
	start = now_ns();
	vcpu_kick(vcpu);
	vcpu_enter(vcpu);
	took = now_ns() - start;
	pthread_join(rescuer, NULL);
	free(decoy.run);
	if (took < 200000000ULL)
		fail("control: a kick without immediate_exit was not lost; the test cannot see losses");
	printf("kick-race: control without immediate_exit lost the kick (%llu ms until rescued)\n",
	       (unsigned long long)(took / 1000000));
}

int main(void)
{
	struct vm vm;
	struct vcpu vcpu;

	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (vcpu_kick_signal_install() < 0)
		fail("cannot install the kick signal");
	setup(&vm, &vcpu);
	test_self_kick(&vcpu);
	test_cross_kick(&vcpu);
	test_control(&vcpu);
	printf("KICK-RACE PASS\n");
	return 0;
}
