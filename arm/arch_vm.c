/*
 * arm64's per-VM state (struct arch_vm): made with the VM, before its memory and vCPUs,
 * because some features can only be chosen then (MTE), and freed with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arm_kvm.h"
#include "vmm/arch.h"
#include "vmm/vm.h"

int arch_vm_init(struct vm *vm, char *err, size_t err_size)
{
	vm->arch = calloc(1, sizeof(*vm->arch));
	if (!vm->arch) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	vm->arch->gic_fd = -1;
	vm->arch->its_fd = -1;
	return arm_cpu_features_choose(vm, &vm->arch->cpu_features, err, err_size);
}

void arch_vm_destroy(struct vm *vm)
{
	if (!vm->arch)
		return;
	if (vm->arch->gic_fd >= 0)
		close(vm->arch->gic_fd);
	if (vm->arch->its_fd >= 0)
		close(vm->arch->its_fd);
	free(vm->arch);
	vm->arch = NULL;
}
