/*
 * lvmm pause / resume: every vCPU thread held at its pause point, outside KVM_RUN. The main
 * thread asks and waits; the vCPU threads count themselves in and out under pause_lock.
 */
#include <errno.h>
#include <time.h>

#include "monotonic_clock.h"
#include "vcpu.h"
#include "vm.h"

void vm_pause_init(struct vm *vm)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&vm->pause_lock, NULL);
	/* vm_pause's deadline is on CLOCK_MONOTONIC, which a clock change cannot move. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->pause_changed, &attr);
	pthread_condattr_destroy(&attr);
}

int vm_pause(struct vm *vm, int timeout_ms)
{
	struct timespec deadline;
	int result = 0;

	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_requested = true;
	pthread_mutex_unlock(&vm->pause_lock);
	/* The kick protocol ends KVM_RUN however close to it the request comes (vcpu.c). */
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
	monotonic_deadline_after(&deadline, (unsigned int)timeout_ms);
	pthread_mutex_lock(&vm->pause_lock);
	while (vm->paused_vcpus < vm->vcpu_count && vm_stop_status(vm) == VM_RUNNING) {
		if (pthread_cond_timedwait(&vm->pause_changed, &vm->pause_lock, &deadline) == ETIMEDOUT) {
			result = vm->paused_vcpus < vm->vcpu_count ? -1 : 0;
			break;
		}
	}
	pthread_mutex_unlock(&vm->pause_lock);
	return result;
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_requested = false;
	pthread_cond_broadcast(&vm->pause_changed);
	pthread_mutex_unlock(&vm->pause_lock);
}

bool vm_paused(struct vm *vm)
{
	bool paused;

	pthread_mutex_lock(&vm->pause_lock);
	paused = vm->pause_requested;
	pthread_mutex_unlock(&vm->pause_lock);
	return paused;
}

void vm_pause_point(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	pthread_mutex_lock(&vm->pause_lock);
	if (vm->pause_requested && vm_stop_status(vm) == VM_RUNNING) {
		vm->paused_vcpus++;
		atomic_store(&vcpu->paused, true);
		pthread_cond_broadcast(&vm->pause_changed);
		while (vm->pause_requested && vm_stop_status(vm) == VM_RUNNING)
			pthread_cond_wait(&vm->pause_changed, &vm->pause_lock);
		atomic_store(&vcpu->paused, false);
		vm->paused_vcpus--;
	}
	pthread_mutex_unlock(&vm->pause_lock);
}

void vm_pause_release(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_changed);
	pthread_mutex_unlock(&vm->pause_lock);
}
