#ifndef LVMM_VCPU_H
#define LVMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <sys/types.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;

/* What ended each KVM_RUN, counted by the vCPU's thread, read live by lvmm stat. */
struct vcpu_exit_counts {
	atomic_ulong mmio;
	atomic_ulong hypercall;
	atomic_ulong system_event;
	atomic_ulong interrupted;     /* a kick or a signal (EINTR, KVM_EXIT_INTR) */
	atomic_ulong other;
};

struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	/* Guards thread and thread_started against a kick racing the join (see vcpu.c). */
	pthread_mutex_t thread_lock;
	bool thread_started;
	uint64_t mpidr;
	/* Set by vcpu_kick() before its signal; consumed by the vCPU's own thread. */
	atomic_bool kick_pending;
	/* Called on the vCPU thread for each consumed kick (NULL: nothing to do but return). */
	void (*on_kick)(struct vcpu *vcpu);
	struct vcpu_exit_counts exits;
	atomic_bool paused;           /* held at the pause point (vm_pause) */
};

/*
 * The kick: makes the vCPU's thread leave KVM_RUN (or not enter it) and run on_kick, however
 * close to KVM_RUN it arrives. Safe from any thread and from the vCPU's own.
 */
void vcpu_kick(struct vcpu *vcpu);

/* Prepares the fields the kick and the join share; before any other use of the vcpu. */
void vcpu_thread_state_init(struct vcpu *vcpu);
/* Marks the calling thread as vcpu's (tests that run a vCPU on a thread of their own). */
void vcpu_thread_adopt(struct vcpu *vcpu, pthread_t thread);

/* Installs the kick signal's handler; once per process, before any vCPU thread starts. */
int vcpu_kick_signal_install(void);

/*
 * One KVM_RUN, bracketed by the kick protocol. Returns KVM_RUN's result (-1 with errno EINTR
 * when a kick or signal ended it). Must run on the vCPU's own thread.
 */
int vcpu_enter(struct vcpu *vcpu);

/* Binds the calling thread to vcpu for the kick signal handler (done by the vCPU thread). */
void vcpu_bind_thread(struct vcpu *vcpu);

/* The vCPU thread: enters the guest and handles exits until the VM stops. */
int vcpu_thread_start(struct vcpu *vcpu);
void vcpu_thread_join(struct vcpu *vcpu);

#define VCPU_KICK_SIGNAL SIGUSR1

#endif
