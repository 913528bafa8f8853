/* lvmm's process exit statuses. Documented in README.md, docs/exit-status.md and lvmm(1). */
#ifndef LVMM_EXIT_STATUS_H
#define LVMM_EXIT_STATUS_H

enum lvmm_exit_status {
	EXIT_GUEST_POWEROFF  = 0,   /* PSCI SYSTEM_OFF, or doorbell DONE */
	EXIT_LVMM_ERROR      = 1,   /* lvmm or KVM failed: bad input file, no /dev/kvm, ioctl error */
	EXIT_USAGE           = 2,   /* bad command line */
	EXIT_GUEST_RESET     = 3,   /* PSCI SYSTEM_RESET with --no-reboot */
	EXIT_GUEST_PANIC     = 4,   /* guest reported a panic through pvpanic */
	EXIT_GUEST_CRASH     = 5,   /* guest crashed in a way KVM reports (crash event, bad MMIO) */
	EXIT_GUEST_TEST_FAIL = 6,   /* doorbell UCALL_ASSERT */
	EXIT_SECCOMP_VIOLATION = 7, /* a thread made a call its seccomp filter forbids (vmm/confine.h) */
	/* 128 + signal number: lvmm was stopped by SIGINT/SIGTERM/SIGHUP (orderly shutdown) */
};

#endif
