#include <linux/kvm.h>

#include "arm_kvm.h"
#include "lvmm/exit_status.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

void arch_handle_hypercall(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint32_t function = (uint32_t)vcpu->run->hypercall.nr;
	int64_t result = HYPERCALL_NOT_SUPPORTED;
	uint64_t x1;

	/* KVM has already moved the PC past the hvc/smc; only x0 needs an answer. x1 is not in
	 * run->hypercall.args on arm64, so it is read from the vCPU. */
	if (vm->hypercall.call && arm_vcpu_read_x(vcpu, 1, &x1) == 0)
		result = vm_hypercall(vm, vcpu->index, function, x1);
	if (arm_vcpu_write_x(vcpu, 0, (uint64_t)result) < 0) {
		log_error("vCPU %u: cannot return the result of hypercall 0x%x", vcpu->index, function);
		vm_request_stop(vm, EXIT_LVMM_ERROR);
	}
}
