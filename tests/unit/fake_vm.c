#include "fake_vm.h"

#include <string.h>

#include "vmm/arch.h"

_Atomic int fake_vm_stop_status = VM_RUNNING;
unsigned int fake_irq_raised = DEVICE_NO_IRQ;
int fake_irq_level = -1;

void vm_request_stop(struct vm *vm, int status)
{
	(void)vm;
	fake_vm_stop_status = status;
}

int vm_stop_status(const struct vm *vm)
{
	(void)vm;
	return fake_vm_stop_status;
}

void arch_irq_line(struct vm *vm, unsigned int irq, int level)
{
	(void)vm;
	fake_irq_raised = irq;
	fake_irq_level = level;
}

void fake_vm_init(struct vm *vm, struct run_options *opts)
{
	char message[256];
	char *argv[] = { "run", "-k", "Image", NULL };

	memset(vm, 0, sizeof(*vm));
	cli_parse_run(3, argv, opts, message, sizeof(message));
	vm->opts = opts;
	vm->kvm_fd = vm->vm_fd = vm->stop_event_fd = -1;
	atomic_init(&vm->stop_status, VM_RUNNING);
	fake_vm_stop_status = VM_RUNNING;
	fake_irqfd_count = 0;
}

/* KVM's eventfd bindings, as the devices ask for them: recorded, so that a test can play
 * KVM's part (write a queue's notify fd; read the interrupt fd). */
int fake_irqfd[FAKE_VM_MAX_FDS];
unsigned int fake_irqfd_irq[FAKE_VM_MAX_FDS];
unsigned int fake_irqfd_count;

int vm_irqfd_attach(struct vm *vm, unsigned int irq, int fd, char *err, size_t err_size)
{
	(void)vm;
	(void)err;
	(void)err_size;
	if (fake_irqfd_count < FAKE_VM_MAX_FDS) {
		fake_irqfd_irq[fake_irqfd_count] = irq;
		fake_irqfd[fake_irqfd_count++] = fd;
	}
	return 0;
}

int vm_ioeventfd_attach(struct vm *vm, uint64_t gpa, uint32_t value, int fd, char *err,
			size_t err_size)
{
	(void)vm;
	(void)gpa;
	(void)value;
	(void)fd;
	(void)err;
	(void)err_size;
	return 0;
}
