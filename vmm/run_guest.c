#include "run_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "arch.h"
#include "confine.h"
#include "console.h"
#include "control_socket.h"
#include "cpu_list.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "vcpu.h"
#include "vm.h"

/* SIGINT, SIGTERM and SIGHUP are taken through a signalfd by the main thread only: blocked
 * here, before any vCPU thread exists, so every thread inherits the block. SIGWINCH too, for
 * a console that tells the guest its terminal's size (lvmm sandbox -t); it stops nothing. */
static int signals_setup(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	if (vcpu_kick_signal_install() < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The stop signal waiting in the signalfd, or 0. They are blocked in every thread, so one sent
 * while the main thread is busy (reading or decompressing a payload) stays pending. */
static int pending_stop_signal(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	if (sigismember(&pending, SIGTERM))
		return SIGTERM;
	if (sigismember(&pending, SIGINT))
		return SIGINT;
	return sigismember(&pending, SIGHUP) ? SIGHUP : 0;
}

static bool stop_signal_pending(void)
{
	return pending_stop_signal() != 0;
}

/* Each vCPU's --vcpu-affinity must name a CPU lvmm itself may run on (online, and in its own
 * affinity: a taskset or cgroup around lvmm narrows it). */
static int vcpu_affinity_check(const struct run_options *opts, char *err, size_t err_size)
{
	cpu_set_t allowed, usable;
	char wanted_text[256], allowed_text[256];

	if (!opts->vcpu_affinity_count)
		return 0;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
		snprintf(err, err_size, "reading lvmm's own CPU affinity failed: %s", strerror(errno));
		return -1;
	}
	for (unsigned int vcpu = 0; vcpu < opts->cpus; vcpu++) {
		const cpu_set_t *wanted = cli_vcpu_affinity(opts, vcpu);

		if (!wanted)
			continue;
		CPU_AND(&usable, wanted, &allowed);
		if (CPU_COUNT(&usable))
			continue;
		cpu_list_format(wanted, wanted_text, sizeof(wanted_text));
		cpu_list_format(&allowed, allowed_text, sizeof(allowed_text));
		snprintf(err, err_size, "--vcpu-affinity gives vCPU %u host CPUs %s, none of which lvmm may run on (it may use %s); name CPUs from that list",
			 vcpu, wanted_text, allowed_text);
		return -1;
	}
	return 0;
}

/* Once, before the first boot: what the options ask of the host (vmm/arch.h). No /dev/kvm
 * here is the boot's to report, with its own words. */
static int host_check(const struct run_options *opts, char *err, size_t err_size)
{
	int kvm_fd;
	int result;

	if (vcpu_affinity_check(opts, err, err_size))
		return -1;
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return 0;
	result = arch_check_host(opts, kvm_fd, err, err_size);
	close(kvm_fd);
	return result;
}

int run_guest(const struct run_options *opts, const struct run_guest_session *session,
	      uint64_t start_ns)
{
	struct payloads payloads;
	char message[4096];
	int signal_fd, status;

	log_set_level(opts->loglevel);
	signal_fd = signals_setup();
	if (signal_fd < 0) {
		log_error("setting up signal handling failed: %s", strerror(errno));
		return EXIT_LVMM_ERROR;
	}
	snprintf(message, sizeof(message), "lvmm-%s", opts->name);
	prctl(PR_SET_NAME, message);
	/* lvmm never execs; should a bug make it, nothing it runs gains privileges (setuid, file
	 * capabilities). Also what a seccomp filter needs. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error("setting no_new_privs failed: %s", strerror(errno));
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	/* Before the filters: they allow removing the socket only in its own directory. */
	if (control_socket_open(opts, message, sizeof(message))) {
		log_error("%s", message);
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	confine_set_control_directory(control_socket_directory_fd());
	if (confine_setup(!opts->no_seccomp,
			  (opts->dump_dtb_path ? CONFINE_WITH_DUMP_DTB : 0) |
			  (opts->share_count ? CONFINE_WITH_SHARES : 0), message, sizeof(message))) {
		log_error("%s", message);
		control_socket_close();
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	if (opts->no_seccomp)
		log_info("running without seccomp filters (--no-seccomp)");
	/* The first thread: glibc's one-time thread set-up (a signal handler of its own) happens
	 * here, unfiltered; the thread confines itself. */
	if (console_output_start(session->console_fd, CONSOLE_OUTPUT_RING_BYTES) < 0) {
		log_error("starting the console output thread failed: %s", strerror(errno));
		control_socket_close();
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	if (session->terminal_raw)
		console_terminal_raw();
	/* From here on the main thread runs under its filter, first boot and reboots alike; the
	 * threads it starts inherit it and narrow it to their own (vmm/confine.h). */
	confine_thread(CONFINE_MAIN);
	if (host_check(opts, message, sizeof(message))) {
		log_error("%s", message);
		status = EXIT_LVMM_ERROR;
		goto out;
	}
	payload_set_interrupt_check(stop_signal_pending);
	/* Every boot, reboots included, reads and checks the files afresh. */
	do {
		if (payloads_load(opts, &payloads, message, sizeof(message)) ||
		    (session->prepare_payloads &&
		     session->prepare_payloads(session->context, &payloads, message, sizeof(message)))) {
			int signo = pending_stop_signal();

			payloads_free(&payloads);
			if (signo) { /* the signal, not the file, ended the load: its status */
				log_info("received %s while loading the payloads; stopping", strsignal(signo));
				status = 128 + signo;
				break;
			}
			log_error("%s", message);
			status = EXIT_LVMM_ERROR;
			break;
		}
		status = vm_run_once(opts, &payloads, start_ns, signal_fd);
		payloads_free(&payloads);
	} while (status == STOP_REBOOT);
out:
	control_socket_close();
	/* The guest's last words reach a live reader; a stuck one delays a stop by a signal at
	 * most half a second. */
	console_output_stop(status >= 128 ? 500 : 5000);
	if (console_output_dropped())
		log_warning("dropped %llu bytes of guest console output that standard output did not take",
			    (unsigned long long)console_output_dropped());
	if (session->terminal_raw)
		console_terminal_restore();
	close(signal_fd);
	return status;
}
