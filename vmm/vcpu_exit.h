#ifndef LVMM_VCPU_EXIT_H
#define LVMM_VCPU_EXIT_H

struct vcpu;

/* Handles the exit KVM_RUN just reported in vcpu->run. */
void vcpu_exit_handle(struct vcpu *vcpu);
/* KVM_RUN failed with errno err (not EINTR): stops the VM with the matching status. */
void vcpu_exit_run_error(struct vcpu *vcpu, int err);

#endif
