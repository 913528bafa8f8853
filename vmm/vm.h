#ifndef LVMM_VM_H
#define LVMM_VM_H

#include <stdatomic.h>
#include <stdint.h>

#include "cli.h"
#include "guest_memory.h"
#include "mmio_bus.h"
#include "payload.h"
#include "hw/doorbell.h"
#include "hw/pvpanic.h"
#include "hw/rtc_pl031.h"
#include "hw/uart_8250.h"
#include "pvsched/pvsched.h"

struct vcpu;

/* vm.stop_status while the guest runs; any other value is the exit status (or STOP_REBOOT). */
#define VM_RUNNING  (-1)
#define STOP_REBOOT (-2)

struct vm {
	const struct run_options *opts;
	struct payloads *payloads;
	int kvm_fd;
	int vm_fd;
	int stop_event_fd;            /* written once when stop_status leaves VM_RUNNING */
	int gic_fd;
	int gic_version;
	size_t vcpu_mmap_size;
	uint64_t start_ns;
	atomic_int stop_status;
	struct guest_memory memory;
	struct mmio_bus bus;
	struct vcpu *vcpus;
	unsigned int vcpu_count;      /* vCPUs created so far */
	struct uart_8250 uart;
	struct rtc_pl031 rtc;
	struct pvpanic pvpanic;
	struct doorbell doorbell;
	struct pvsched pvsched;       /* mode PVSCHED_OFF without --pvsched */
};

/*
 * Boots the guest once: creates the VM, runs it until it stops, tears everything down.
 * Returns the exit status, or STOP_REBOOT when the guest asked for a reset.
 */
int vm_run_once(const struct run_options *opts, struct payloads *payloads,
		uint64_t start_ns, int signal_fd);

/* Ends the guest with status (first caller wins) and wakes the main thread. */
void vm_request_stop(struct vm *vm, int status);
int vm_stop_status(const struct vm *vm);

/* Raises or lowers an SPI (number relative to 32) on the in-kernel GIC. */
void vm_set_spi(struct vm *vm, unsigned int spi, int level);

#endif
