#include "vcpu_exit.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdatomic.h>
#include <string.h>

#include "arch.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "monotonic_clock.h"
#include "vcpu.h"
#include "vm.h"

static void vcpu_exit_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	static atomic_uint unhandled_reports;

	if (mmio_bus_dispatch(&vcpu->vm->bus, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			      run->mmio.is_write))
		return;
	/* A guest probing absent devices is normal; say so a few times, not at every access. */
	if (atomic_fetch_add(&unhandled_reports, 1) < 8)
		log_info("vCPU %u: %s of %u bytes at 0x%llx: no device there (%s)", vcpu->index,
			 run->mmio.is_write ? "write" : "read", run->mmio.len,
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.is_write ? "ignored" : "reads as 0");
}

static void vcpu_exit_system_event(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		log_info("guest powered off");
		/* With launch-timed's exec and exit times: how long the guest ran, and the stop. */
		log_debug("guest power-off at CLOCK_MONOTONIC %llu ns",
			  (unsigned long long)monotonic_ns());
		vm_request_stop(vm, EXIT_GUEST_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		if (vm->opts->no_reboot) {
			log_info("guest reset; exiting (--no-reboot)");
			vm_request_stop(vm, EXIT_GUEST_RESET);
		} else {
			log_info("guest reset; rebooting");
			vm_request_stop(vm, STOP_REBOOT);
		}
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		log_error("guest crashed (KVM system event CRASH on vCPU %u)", vcpu->index);
		vm_request_stop(vm, EXIT_GUEST_CRASH);
		break;
	default:
		log_debug("vCPU %u: system event %u ignored", vcpu->index,
			  vcpu->run->system_event.type);
		break;
	}
}

void vcpu_exit_handle(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		atomic_fetch_add_explicit(&vcpu->exits.mmio, 1, memory_order_relaxed);
		vcpu_exit_mmio(vcpu);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		atomic_fetch_add_explicit(&vcpu->exits.system_event, 1, memory_order_relaxed);
		vcpu_exit_system_event(vcpu);
		break;
	case KVM_EXIT_HYPERCALL:
		atomic_fetch_add_explicit(&vcpu->exits.hypercall, 1, memory_order_relaxed);
		arch_handle_hypercall(vcpu);
		break;
	case KVM_EXIT_INTR:
		atomic_fetch_add_explicit(&vcpu->exits.interrupted, 1, memory_order_relaxed);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		atomic_fetch_add_explicit(&vcpu->exits.other, 1, memory_order_relaxed);
		log_error("vCPU %u: KVM could not enter the guest (hardware reason 0x%llx)", vcpu->index,
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vm_request_stop(vcpu->vm, EXIT_LVMM_ERROR);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		atomic_fetch_add_explicit(&vcpu->exits.other, 1, memory_order_relaxed);
		log_error("vCPU %u: KVM internal error (suberror %u)", vcpu->index,
			  run->internal.suberror);
		vm_request_stop(vcpu->vm, EXIT_LVMM_ERROR);
		break;
	default:
		atomic_fetch_add_explicit(&vcpu->exits.other, 1, memory_order_relaxed);
		log_error("vCPU %u: unexpected KVM exit reason %u", vcpu->index, run->exit_reason);
		vm_request_stop(vcpu->vm, EXIT_LVMM_ERROR);
		break;
	}
}

void vcpu_exit_run_error(struct vcpu *vcpu, int err)
{
	if (err == ENOSYS || err == EFAULT) {
		/* KVM reports an access it cannot emulate (no valid syndrome, or outside any
		 * memslot and MMIO) this way: the guest's fault, not lvmm's. */
		log_error("vCPU %u: the guest made a memory access KVM cannot emulate (%s)",
			  vcpu->index, strerror(err));
		vm_request_stop(vcpu->vm, EXIT_GUEST_CRASH);
		return;
	}
	log_error("vCPU %u: KVM_RUN failed: %s", vcpu->index, strerror(err));
	vm_request_stop(vcpu->vm, EXIT_LVMM_ERROR);
}
