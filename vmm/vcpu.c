#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "log.h"
#include "vcpu_exit.h"
#include "vm.h"

/*
 * Threading rules for lvmm (one place for all of them):
 * - Every thread confines itself with its seccomp filter first thing (vmm/confine.h): the main
 *   thread before the first boot, vCPU, I/O and console output threads as they start.
 * - The main thread owns the VM's life: it creates vCPUs and devices, starts the vCPU threads,
 *   runs the event loop (signals, stdin, the stop eventfd), and alone stops and joins vCPU
 *   threads and tears the VM down, after every vCPU thread is joined.
 * - A vCPU thread runs KVM_RUN and handles its exits. Device state a vCPU exit touches is
 *   guarded by that device's lock (the UART's, the doorbell's); no lock is held across I/O to
 *   the outside: guest output goes into console_output's ring, which its own thread writes.
 * - vcpu_kick() may be called from any thread, including the vCPU's own, at any time until the
 *   VM is destroyed: thread_lock makes "is there a thread to signal" and pthread_kill() one
 *   step, and vcpu_thread_join() clears thread_started under the same lock before it joins,
 *   so no signal is ever sent to a thread that was joined.
 * - A vCPU thread asks for a stop with vm_request_stop() (the stop eventfd); it never joins.
 * - Pause (lvmm pause, vm_pause.c): the main thread sets pause_requested and kicks every vCPU;
 *   each thread, back from KVM_RUN, waits at its pause point (outside KVM_RUN, holding no
 *   device lock) until resume or stop. Interrupts sent meanwhile (a KICK_CPU through its
 *   irqfd) stay pending in the in-kernel GIC and are taken on resume.
 * - The console output thread touches nothing but its ring and stdout; it is not joined when
 *   stuck on a reader, and ends with the process.
 *
 * The kick protocol, and why no kick is lost:
 *   kicker:  kick_pending = true; pthread_kill(thread, VCPU_KICK_SIGNAL)
 *   handler: (on the vCPU thread) run->immediate_exit = 1
 *   vCPU:    KVM_RUN; immediate_exit = 0; if exchange(kick_pending, false): on_kick()
 * A signal taken inside KVM_RUN ends it with EINTR. One taken in userspace before
 * immediate_exit is cleared finds kick_pending already set (it was stored before the signal was
 * sent), so the exchange that follows the clear sees it. One taken after the clear leaves
 * immediate_exit = 1, so the next KVM_RUN returns at once and the loop sees kick_pending then.
 */
static __thread struct kvm_run *kick_target_run;

static void vcpu_kick_signal_handler(int signo)
{
	(void)signo;
	if (kick_target_run)
		kick_target_run->immediate_exit = 1;
}

int vcpu_kick_signal_install(void)
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_handler = vcpu_kick_signal_handler;
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART: the point of the signal is to make KVM_RUN return. */
	return sigaction(VCPU_KICK_SIGNAL, &action, NULL);
}

void vcpu_bind_thread(struct vcpu *vcpu)
{
	sigset_t set;

	kick_target_run = vcpu->run;
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* A kick sent before this thread could take its signal must still end the first KVM_RUN. */
	if (atomic_load(&vcpu->kick_pending))
		vcpu->run->immediate_exit = 1;
}

void vcpu_thread_state_init(struct vcpu *vcpu)
{
	pthread_mutex_init(&vcpu->thread_lock, NULL);
	vcpu->thread_started = false;
}

void vcpu_thread_adopt(struct vcpu *vcpu, pthread_t thread)
{
	pthread_mutex_lock(&vcpu->thread_lock);
	vcpu->thread = thread;
	vcpu->thread_started = true;
	pthread_mutex_unlock(&vcpu->thread_lock);
}

void vcpu_kick(struct vcpu *vcpu)
{
	atomic_store(&vcpu->kick_pending, true);
	pthread_mutex_lock(&vcpu->thread_lock);
	if (vcpu->thread_started)
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
	pthread_mutex_unlock(&vcpu->thread_lock);
}

int vcpu_enter(struct vcpu *vcpu)
{
	int ret = ioctl(vcpu->fd, KVM_RUN, 0);
	int saved_errno = errno;

	vcpu->run->immediate_exit = 0;
	atomic_signal_fence(memory_order_seq_cst);
	if (atomic_exchange(&vcpu->kick_pending, false) && vcpu->on_kick)
		vcpu->on_kick(vcpu);
	errno = saved_errno;
	return ret;
}

/*
 * The VMM's start-up cost ends here (bench/: exec to first KVM_RUN). The absolute
 * CLOCK_MONOTONIC lets a launcher that noted the time of its exec() subtract.
 */
static void vcpu_log_first_entry(const struct vm *vm)
{
	struct timespec now;
	uint64_t now_ns, since_start;

	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	since_start = now_ns - vm->start_ns;
	log_info("vCPU 0 first KVM_RUN at CLOCK_MONOTONIC %llu ns, %llu.%06llu s after lvmm started",
		 (unsigned long long)now_ns, (unsigned long long)(since_start / 1000000000ULL),
		 (unsigned long long)(since_start % 1000000000ULL / 1000));
}

static void *vcpu_thread_main(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;

	/* Before the guest can reach this thread: a hostile guest meets a confined one. */
	confine_thread(CONFINE_VCPU);
	vcpu_bind_thread(vcpu);
	if (vcpu->index == 0)
		vcpu_log_first_entry(vm);
	while (vm_stop_status(vm) == VM_RUNNING) {
		vm_pause_point(vcpu);
		if (vcpu_enter(vcpu) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				atomic_fetch_add_explicit(&vcpu->exits.interrupted, 1, memory_order_relaxed);
				continue;
			}
			vcpu_exit_run_error(vcpu, errno);
			break;
		}
		vcpu_exit_handle(vcpu);
	}
	return NULL;
}

int vcpu_thread_start(struct vcpu *vcpu)
{
	const cpu_set_t *affinity = cli_vcpu_affinity(vcpu->vm->opts, vcpu->index);
	pthread_attr_t attr;
	char name[16];
	int err;

	/* --vcpu-affinity: set by pthread_create before the thread first runs (glibc pins it
	 * from here while it waits), so no guest instruction ever runs on another CPU. */
	err = pthread_attr_init(&attr);
	if (!err && affinity)
		err = pthread_attr_setaffinity_np(&attr, sizeof(*affinity), affinity);
	if (err) {
		errno = err;
		return -1;
	}
	/* Under the lock: a kick from a thread already running sees both fields or neither. */
	pthread_mutex_lock(&vcpu->thread_lock);
	err = pthread_create(&vcpu->thread, &attr, vcpu_thread_main, vcpu);
	vcpu->thread_started = err == 0;
	pthread_mutex_unlock(&vcpu->thread_lock);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	snprintf(name, sizeof(name), "lvmm-vcpu%u", vcpu->index);
	pthread_setname_np(vcpu->thread, name);
	return 0;
}

void vcpu_thread_join(struct vcpu *vcpu)
{
	bool started;

	/* Not held across the join: the thread may still kick itself on its way out. */
	pthread_mutex_lock(&vcpu->thread_lock);
	started = vcpu->thread_started;
	vcpu->thread_started = false;
	pthread_mutex_unlock(&vcpu->thread_lock);
	if (started)
		pthread_join(vcpu->thread, NULL);
}
