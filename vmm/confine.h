/*
 * Confinement: a seccomp filter (built with libseccomp) per kind of lvmm thread. The policy
 * (which calls each kind may make) is data, in vmm/confine.c and the architecture's
 * arch_confine_rules; lvmm(1), SECCOMP, lists it, and a unit test checks the page against it.
 *
 * The main thread installs its filter once, before the first boot: it allows everything lvmm
 * needs, set-up and reboot included (each reboot opens /dev/kvm, the payloads and the disks
 * again and starts new threads), and it is the ceiling of every thread started after it, which
 * inherit it. vCPU and I/O threads, which run the device models a guest talks to, are started
 * afresh at every boot and narrow it at once with their own filter. The console output thread
 * is started just before the main thread's filter (so that glibc's one-time set-up of a first
 * thread, which installs a signal handler, runs unfiltered) and confines itself with its own.
 * A call outside a thread's list raises SIGSYS: one line on stderr naming the call, and lvmm
 * exits with EXIT_SECCOMP_VIOLATION.
 */
#ifndef LVMM_CONFINE_H
#define LVMM_CONFINE_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum confine_kind {
	CONFINE_MAIN,
	CONFINE_VCPU,
	CONFINE_IO,             /* a virtio device's I/O thread */
	CONFINE_FILE_SERVER,    /* the I/O thread of a virtio-9p share: serves host files */
	CONFINE_CONSOLE_OUTPUT,
	CONFINE_KINDS,
};

#define CONFINE_FOR(kind) (1u << (kind))
#define CONFINE_EVERY     ((1u << CONFINE_KINDS) - 1)

enum confine_op {
	CONFINE_ANY = 0,        /* no condition */
	CONFINE_EQ,             /* argument == value */
	CONFINE_MASKED_EQ,      /* (argument & mask) == value */
	CONFINE_EQ_OWN_PID,     /* argument == lvmm's own process id */
	CONFINE_EQ_CONTROL_DIRECTORY, /* argument == the control socket's directory fd (the rule
				       * is left out when there is none) */
};

struct confine_cond {
	uint8_t arg;            /* 0 to 5 */
	uint8_t op;             /* enum confine_op */
	uint64_t mask;
	uint64_t value;
};

/* One allowed call, for the kinds of thread in kinds (CONFINE_FOR bits). The main thread's
 * filter holds every rule, whatever its kinds: later threads inherit it. */
struct confine_rule {
	unsigned int kinds;
	const char *syscall;
	const char *what;             /* the condition in words for lvmm(1); NULL: any arguments */
	struct confine_cond cond[2];
	int fail_errno;               /* not 0: the call fails with this errno (not allowed, not fatal) */
	bool only_with_dump_dtb;      /* in the filters only when --dump-dtb is given */
};

/* What a run needs beyond the basics, for confine_setup/build/allows (a bit mask). The
 * main thread's filter is every thread's ceiling, so a call only one kind of thread makes is in
 * it only when that thread can exist. */
enum confine_option {
	CONFINE_WITH_DUMP_DTB = 1,    /* --dump-dtb: the main thread creates that one file */
	CONFINE_WITH_SHARES = 2,      /* --9p (and the sandbox's root): 9p server threads exist */
};

/* The architecture's own rules (arm/confine_rules.c): its KVM requests. */
extern const struct confine_rule arch_confine_rules[];
extern const unsigned int arch_confine_rule_count;

/*
 * Once per process, before any thread but the main one exists. With enable, builds every
 * kind's filter (options: enum confine_option) and installs the SIGSYS
 * handler that reports a violation. Also reads LVMM_SECCOMP_TEST_VIOLATION (lvmm(1),
 * ENVIRONMENT), with or without enable. 0, or -1 with one line in err.
 */
int confine_setup(bool enable, unsigned int options, char *err, size_t err_size);
/* The descriptor of the control socket's directory (-1: none), before confine_setup: the main
 * thread may remove a file there and nowhere else. */
void confine_set_control_directory(int fd);

/*
 * Confines the calling thread as kind (no-op without confine_setup(true, ...)). A thread that
 * cannot confine itself (a kernel without CONFIG_SECCOMP_FILTER) never runs unconfined: lvmm
 * says why in one line and exits with EXIT_LVMM_ERROR.
 */
void confine_thread(enum confine_kind kind);

const char *confine_kind_name(enum confine_kind kind);

/* The BPF program of kind's filter for this process (pure but for getpid()); free
 * prog->filter. 0, or -1 with one line in err. */
int confine_build(enum confine_kind kind, unsigned int options, struct sock_fprog *prog, char *err,
		  size_t err_size);

/* Whether kind's filter allows syscall in some form (any rule names it, errno rules excluded). */
bool confine_allows(enum confine_kind kind, const char *syscall, unsigned int options);

/* Every rule, the core's then the architecture's: index 0 to confine_rule_total() - 1. */
unsigned int confine_rule_total(void);
const struct confine_rule *confine_rule_at(unsigned int index);

/*
 * The allowed calls per kind of thread, as lvmm(1) gives them: roff (the lines between the
 * page's seccomp-lists markers) or plain text (lvmm seccomp). Returns the length it needed
 * (as snprintf).
 */
size_t confine_describe(char *out, size_t size, bool roff);

/* The violation line (async-signal-safe): "lvmm: seccomp: the THREAD thread made ...\n". */
size_t confine_violation_message(char *out, size_t size, const char *thread, long number,
				 const char *name);

#endif
