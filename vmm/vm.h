#ifndef LVMM_VM_H
#define LVMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "device.h"
#include "guest_memory.h"
#include "mmio_bus.h"
#include "payload.h"

struct vcpu;
struct arch_vm;

/* vm.stop_status while the guest runs; any other value is the exit status (or STOP_REBOOT). */
#define VM_RUNNING  (-1)
#define STOP_REBOOT (-2)

/* Where lvmm's standard input goes: the device that is the guest's console, or lvmm sandbox's
 * control port. */
struct console_input {
	size_t (*space)(void *context);   /* bytes the device can take now */
	void (*receive)(void *context, const uint8_t *bytes, size_t count);
	void (*end)(void *context);       /* optional: standard input ended */
	bool (*done)(void *context);      /* optional: true once no more is taken, for good */
	void (*resized)(void *context);   /* optional: the terminal on stdin changed size */
	/* An eventfd the device makes readable when space may have grown (the guest took input,
	 * or the port's owner started taking it); -1: the event loop looks again every 10 ms. */
	int room_fd;
	void *context;
};

/* Hypercalls KVM forwards to lvmm (one handler: PV sched's range). */
struct hypercall_handler {
	uint32_t first_function;
	uint32_t function_count;
	int64_t (*call)(void *context, unsigned int vcpu, uint32_t function, uint64_t argument);
	void *context;
};

/* What the SMCCC says a caller gets for a function nobody implements. */
#define HYPERCALL_NOT_SUPPORTED (-1)

struct vm {
	const struct run_options *opts;
	struct payloads *payloads;
	int kvm_fd;
	int vm_fd;
	int stop_event_fd;            /* written once when stop_status leaves VM_RUNNING */
	size_t vcpu_mmap_size;
	uint64_t start_ns;
	atomic_int stop_status;
	struct guest_memory memory;
	struct mmio_bus bus;
	struct vcpu *vcpus;
	unsigned int vcpu_count;      /* vCPUs created so far */
	const char *irqchip_name;     /* for the boot line, set by the architecture */
	struct arch_vm *arch;         /* the architecture's own state (irqchip, ...) */
	struct device_set devices;
	struct console_input console_input; /* receive == NULL: no device takes input */
	struct hypercall_handler hypercall;  /* call == NULL: every hypercall is unsupported */
	/* Pause (vm_pause.c): pause_requested and paused_vcpus under pause_lock. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_changed;
	bool pause_requested;
	unsigned int paused_vcpus;
};

/* Before any vCPU thread exists. */
void vm_pause_init(struct vm *vm);
/* Holds every vCPU outside KVM_RUN (main thread): 0 once all are held, -1 if one was not
 * within timeout_ms (the pause stays requested; vm_resume undoes it). */
int vm_pause(struct vm *vm, int timeout_ms);
void vm_resume(struct vm *vm);
bool vm_paused(struct vm *vm);
/* The vCPU thread's side: waits here while a pause is requested and the VM runs. */
void vm_pause_point(struct vcpu *vcpu);
/* Releases every held vCPU for good (the VM is stopping). */
void vm_pause_release(struct vm *vm);

/*
 * Boots the guest once: creates the VM, runs it until it stops, tears everything down.
 * Returns the exit status, or STOP_REBOOT when the guest asked for a reset.
 */
int vm_run_once(const struct run_options *opts, struct payloads *payloads,
		uint64_t start_ns, int signal_fd);

/* Ends the guest with status (first caller wins) and wakes the main thread. */
void vm_request_stop(struct vm *vm, int status);
/* The same for a stop asked by the host (a signal, the control socket): it also overrides a
 * reboot under way, so that it is never lost between two boots. reason names the asker for
 * users ("SIGTERM", "Ctrl-A x", "lvmm stop"). */
void vm_request_host_stop(struct vm *vm, int status, const char *reason);
/* The first host stop's reason in this process, or NULL: kept after the VM is gone. */
const char *vm_host_stop_reason(void);
int vm_stop_status(const struct vm *vm);

/* Answers a forwarded hypercall through the registered handler. */
int64_t vm_hypercall(struct vm *vm, unsigned int vcpu, uint32_t function, uint64_t argument);

/* Binds eventfd fd so that writing it raises device interrupt irq inside KVM (KVM_IRQFD). */
int vm_irqfd_attach(struct vm *vm, unsigned int irq, int fd, char *err, size_t err_size);
/* Makes a 4-byte guest write of value to gpa signal fd inside KVM, without an exit to lvmm
 * (KVM_IOEVENTFD with a data match). It lasts as long as the VM: KVM holds its own reference
 * to fd's eventfd, so fd may be closed once no vCPU runs, and the VM's end releases it. */
int vm_ioeventfd_attach(struct vm *vm, uint64_t gpa, uint32_t value, int fd, char *err,
			size_t err_size);

/* Adds host memory as guest memory at gpa (a KVM memslot of its own). On success the VM owns
 * host and unmaps it at its end; on failure the caller still owns it. */
int vm_add_memory(struct vm *vm, uint64_t gpa, uint64_t size, void *host, char *err,
		  size_t err_size);
/* Zeroed anonymous memory of the VM's own at gpa (a memslot: a region lvmm and KVM share with
 * the guest, such as PV records), unmapped with the VM; NULL with err set ("cannot allocate
 * the WHAT: ...") on failure. */
void *vm_allocate_memory(struct vm *vm, uint64_t gpa, uint64_t size, const char *what, char *err,
			 size_t err_size);

#endif
