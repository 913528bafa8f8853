#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "event_loop.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "vcpu.h"

int vm_stop_status(const struct vm *vm)
{
	return atomic_load(&((struct vm *)vm)->stop_status);
}

void vm_request_stop(struct vm *vm, int status)
{
	int running = VM_RUNNING;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->stop_status, &running, status))
		if (write(vm->stop_event_fd, &one, sizeof(one)) < 0)
			log_error("waking the main thread failed: %s", strerror(errno));
}

/* Process-wide: read after the VM is gone (lvmm sandbox's status), and lvmm runs one VM. */
static char host_stop_reason[32];

const char *vm_host_stop_reason(void)
{
	return host_stop_reason[0] ? host_stop_reason : NULL;
}

void vm_request_host_stop(struct vm *vm, int status, const char *reason)
{
	int rebooting = STOP_REBOOT;

	if (!host_stop_reason[0])
		snprintf(host_stop_reason, sizeof(host_stop_reason), "%s", reason);

	/* A reboot only restarts the guest: a stop from the host's side that comes while one is
	 * under way (a SIGTERM read in the same pass as the guest's reset) must end lvmm, or the
	 * signal, already taken from the signalfd, would be lost and the guest would go on
	 * rebooting. Once out of VM_RUNNING the status changes only here, from STOP_REBOOT, and
	 * the main thread is already leaving that boot: it needs no second wake-up. Guest-caused
	 * stops keep first-come order. */
	vm_request_stop(vm, status);
	atomic_compare_exchange_strong(&vm->stop_status, &rebooting, status);
}

int64_t vm_hypercall(struct vm *vm, unsigned int vcpu, uint32_t function, uint64_t argument)
{
	const struct hypercall_handler *handler = &vm->hypercall;

	if (!handler->call || function < handler->first_function ||
	    function - handler->first_function >= handler->function_count)
		return HYPERCALL_NOT_SUPPORTED;
	return handler->call(handler->context, vcpu, function, argument);
}

int vm_irqfd_attach(struct vm *vm, unsigned int irq, int fd, char *err, size_t err_size)
{
	struct kvm_irqfd irqfd = { .fd = (uint32_t)fd, .gsi = arch_irqfd_gsi(irq) };

	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
		snprintf(err, err_size, "binding interrupt %u to an eventfd with KVM_IRQFD failed: %s",
			 irq, strerror(errno));
		return -1;
	}
	return 0;
}

int vm_ioeventfd_attach(struct vm *vm, uint64_t gpa, uint32_t value, int fd, char *err,
			size_t err_size)
{
	struct kvm_ioeventfd ioeventfd = {
		.datamatch = value, .addr = gpa, .len = 4, .fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioeventfd) < 0) {
		snprintf(err, err_size, "registering a KVM_IOEVENTFD at 0x%llx failed: %s",
			 (unsigned long long)gpa, strerror(errno));
		return -1;
	}
	return 0;
}

int vm_add_memory(struct vm *vm, uint64_t gpa, uint64_t size, void *host, char *err,
		  size_t err_size)
{
	uint32_t slot = vm->memory.count;
	struct kvm_userspace_memory_region region = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (guest_memory_add(&vm->memory, gpa, size, host, slot) < 0) {
		snprintf(err, err_size, "internal error: guest memory at 0x%llx overlaps other memory or there are too many regions",
			 (unsigned long long)gpa);
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(err, err_size, "registering guest memory at 0x%llx with KVM failed: %s",
			 (unsigned long long)gpa, strerror(errno));
		/* Withdrawn, so that the caller, who still owns host, may unmap it without the
		 * VM unmapping it again at its end. */
		vm->memory.count--;
		return -1;
	}
	return 0;
}

void *vm_allocate_memory(struct vm *vm, uint64_t gpa, uint64_t size, const char *what, char *err,
			 size_t err_size)
{
	void *host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (host == MAP_FAILED) {
		snprintf(err, err_size, "cannot allocate the %s: %s", what, strerror(errno));
		return NULL;
	}
	if (vm_add_memory(vm, gpa, size, host, err, err_size)) {
		munmap(host, size);
		return NULL;
	}
	return host;
}

/* Guest RAM: anonymous memory aligned to 2 MiB and marked for transparent huge pages (where the
 * host has them; madvise fails harmlessly where not). KVM then maps it to the guest in 2 MiB
 * blocks, and a guest touching fresh memory (unpacking its initrd, filling its page cache)
 * takes one stage-2 fault per 2 MiB instead of one per 4 KiB: under nested virtualisation
 * each fault is a trip through the host's KVM. kvmtool does the same. */
#define RAM_HUGE_PAGE_BYTES (2ULL << 20)

static void *vm_map_ram(uint64_t size)
{
	uint64_t reserved = size + RAM_HUGE_PAGE_BYTES;
	uint8_t *start = mmap(NULL, reserved, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *ram;

	if (start == MAP_FAILED)
		return MAP_FAILED;
	ram = (uint8_t *)(((uintptr_t)start + RAM_HUGE_PAGE_BYTES - 1) &
			  ~(uintptr_t)(RAM_HUGE_PAGE_BYTES - 1));
	if (ram > start)
		munmap(start, (size_t)(ram - start));
	if (ram + size < start + reserved)
		munmap(ram + size, (size_t)(start + reserved - (ram + size)));
	madvise(ram, size, MADV_HUGEPAGE);
	return ram;
}

static int vm_open_kvm(struct vm *vm, char *err, size_t err_size)
{
	int version;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			snprintf(err, err_size, "/dev/kvm does not exist: this host has no KVM (load the kvm module, or enable virtualization)");
		else if (errno == EACCES || errno == EPERM)
			snprintf(err, err_size, "no permission to open /dev/kvm: add your user to the 'kvm' group or run as root");
		else
			snprintf(err, err_size, "cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version < 0) { /* ENOTTY: whatever /dev/kvm is, it does not take KVM's ioctls */
		snprintf(err, err_size, "/dev/kvm is not a KVM device (KVM_GET_API_VERSION: %s): check what /dev/kvm is on this host",
			 strerror(errno));
		return -1;
	}
	if (version != KVM_API_VERSION) {
		snprintf(err, err_size, "/dev/kvm speaks KVM API version %d, lvmm needs %d", version,
			 KVM_API_VERSION);
		return -1;
	}
	return arch_check_capabilities(vm->kvm_fd, err, err_size);
}

static int vm_create(struct vm *vm, char *err, size_t err_size)
{
	uint64_t ram_size = vm->opts->mem_mib << 20;
	unsigned long type;
	int max_vcpus;
	void *ram;

	max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max_vcpus > 0 && vm->opts->cpus > (unsigned int)max_vcpus) {
		snprintf(err, err_size, "-c %u is more vCPUs than this host's KVM allows (%d); use -c %d or fewer",
			 vm->opts->cpus, max_vcpus, max_vcpus);
		return -1;
	}
	if (arch_vm_type(vm->kvm_fd, arch_limits.ram_base + ram_size, &type, err, err_size))
		return -1;
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, type);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		snprintf(err, err_size, "KVM_CREATE_VM failed: %s", strerror(errno));
		return -1;
	}
	if (arch_vm_init(vm, err, err_size))
		return -1;
	ram = vm_map_ram(ram_size);
	if (ram == MAP_FAILED) {
		snprintf(err, err_size, "cannot allocate %llu MiB of guest RAM: %s; lower -m",
			 (unsigned long long)vm->opts->mem_mib, strerror(errno));
		return -1;
	}
	if (vm_add_memory(vm, arch_limits.ram_base, ram_size, ram, err, err_size)) {
		munmap(ram, ram_size);
		return -1;
	}
	return 0;
}

static int vm_create_vcpus(struct vm *vm, char *err, size_t err_size)
{
	int mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (mmap_size <= 0) {
		snprintf(err, err_size, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
		return -1;
	}
	vm->vcpu_mmap_size = (size_t)mmap_size;
	vm->vcpus = calloc(vm->opts->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < vm->opts->cpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		void *run;

		vcpu->vm = vm;
		vcpu->index = i;
		vcpu_thread_state_init(vcpu);
		vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (vcpu->fd < 0) {
			snprintf(err, err_size, "creating vCPU %u failed: %s%s", i, strerror(errno),
				 errno == EINVAL ? "; use fewer -c" : "");
			return -1;
		}
		vm->vcpu_count++;
		run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
		if (run == MAP_FAILED) {
			snprintf(err, err_size, "mapping vCPU %u's run structure failed: %s", i,
				 strerror(errno));
			return -1;
		}
		vcpu->run = run;
		if (arch_vcpu_init(vm, vcpu, err, err_size))
			return -1;
	}
	return 0;
}

static int vm_create_devices(struct vm *vm, char *err, size_t err_size)
{
	unsigned int count;
	const struct machine_device *list = arch_machine_devices(&count);

	return devices_create(&vm->devices, vm, list, count, err, err_size);
}

static int vm_start_vcpus(struct vm *vm, char *err, size_t err_size)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		if (vcpu_thread_start(&vm->vcpus[i])) {
			snprintf(err, err_size, "starting the thread of vCPU %u failed: %s", i,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void vm_stop_vcpus(struct vm *vm)
{
	/* The stop status is set: held vCPUs leave their pause point and see it. */
	vm_pause_release(vm);
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vcpu_thread_join(&vm->vcpus[i]);
}

static void vm_destroy(struct vm *vm)
{
	devices_destroy(&vm->devices);
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->vcpu_mmap_size);
		close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	for (unsigned int i = 0; i < vm->memory.count; i++)
		munmap(vm->memory.regions[i].host, vm->memory.regions[i].size);
	arch_vm_destroy(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_event_fd >= 0)
		close(vm->stop_event_fd);
}

int vm_run_once(const struct run_options *opts, struct payloads *payloads,
		uint64_t start_ns, int signal_fd)
{
	struct vm vm = {
		.opts = opts, .payloads = payloads, .start_ns = start_ns,
		.kvm_fd = -1, .vm_fd = -1,
	};
	char err[512];
	int status;

	atomic_init(&vm.stop_status, VM_RUNNING);
	vm_pause_init(&vm);
	vm.stop_event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm.stop_event_fd < 0) {
		snprintf(err, sizeof(err), "eventfd failed: %s", strerror(errno));
		goto fail;
	}
	if (vm_open_kvm(&vm, err, sizeof(err)) || vm_create(&vm, err, sizeof(err)) ||
	    vm_create_vcpus(&vm, err, sizeof(err)) || arch_irqchip_create(&vm, err, sizeof(err)) ||
	    arch_irqchip_finalize(&vm, err, sizeof(err)) || vm_create_devices(&vm, err, sizeof(err)) ||
	    arch_machine_setup(&vm, err, sizeof(err)))
		goto fail;
	log_info("booting %u vCPU%s, %llu MiB RAM, %s", vm.vcpu_count,
		 vm.vcpu_count == 1 ? "" : "s", (unsigned long long)opts->mem_mib, vm.irqchip_name);
	if (devices_start(&vm.devices, err, sizeof(err)) || vm_start_vcpus(&vm, err, sizeof(err))) {
		log_error("%s", err);
		vm_request_stop(&vm, EXIT_LVMM_ERROR);
	} else {
		event_loop_run(&vm, signal_fd);
	}
	vm_stop_vcpus(&vm);
	/* Devices stop (and report) only once no vCPU can reach them any more. */
	devices_stop(&vm.devices);
	status = vm_stop_status(&vm);
	vm_destroy(&vm);
	return status;
fail:
	log_error("%s", err);
	vm_destroy(&vm);
	return EXIT_LVMM_ERROR;
}
