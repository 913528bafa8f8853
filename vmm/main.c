#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "confine.h"
#include "console.h"
#include "monotonic_clock.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "payload.h"
#include "vcpu.h"
#include "vm.h"

#ifndef LVMM_VERSION
#define LVMM_VERSION "unknown"
#endif

static void print_text(FILE *stream, const char *text)
{
	fputs(text, stream);
	fflush(stream);
}

/* SIGINT, SIGTERM and SIGHUP are taken through a signalfd by the main thread only: blocked
 * here, before any vCPU thread exists, so every thread inherits the block. */
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
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* lvmm seccomp: the allowed calls per kind of thread, as lvmm(1) gives them. */
static int command_seccomp(void)
{
	size_t size = confine_describe(NULL, 0, false) + 1;
	char *text = malloc(size);

	if (!text) {
		log_error("out of memory");
		return EXIT_LVMM_ERROR;
	}
	confine_describe(text, size, false);
	printf("System calls each lvmm thread may make (anything else ends lvmm with status %d):\n%s",
	       EXIT_SECCOMP_VIOLATION, text);
	free(text);
	return fflush(stdout) == 0 ? 0 : EXIT_LVMM_ERROR;
}

static int command_run(int argc, char **argv)
{
	struct run_options opts;
	struct payloads payloads;
	char message[4096];
	uint64_t start_ns = monotonic_ns();
	int signal_fd, status;

	switch (cli_parse_run(argc, argv, &opts, message, sizeof(message))) {
	case CLI_HELP:
		print_text(stdout, message);
		return 0;
	case CLI_ERROR:
		log_error("%s", message);
		return EXIT_USAGE;
	case CLI_RUN:
		break;
	}
	log_set_level(opts.loglevel);
	signal_fd = signals_setup();
	if (signal_fd < 0) {
		log_error("setting up signal handling failed: %s", strerror(errno));
		return EXIT_LVMM_ERROR;
	}
	snprintf(message, sizeof(message), "lvmm-%s", opts.name);
	prctl(PR_SET_NAME, message);
	/* lvmm never execs; should a bug make it, nothing it runs gains privileges (setuid, file
	 * capabilities). Also what a seccomp filter needs. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error("setting no_new_privs failed: %s", strerror(errno));
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	if (confine_setup(!opts.no_seccomp, opts.dump_dtb_path != NULL, message, sizeof(message))) {
		log_error("%s", message);
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	if (opts.no_seccomp)
		log_info("running without seccomp filters (--no-seccomp)");
	/* The first thread: glibc's one-time thread set-up (a signal handler of its own) happens
	 * here, unfiltered; the thread confines itself. */
	if (console_output_start(STDOUT_FILENO, CONSOLE_OUTPUT_RING_BYTES) < 0) {
		log_error("starting the console output thread failed: %s", strerror(errno));
		close(signal_fd);
		return EXIT_LVMM_ERROR;
	}
	console_terminal_raw();
	/* From here on the main thread runs under its filter, first boot and reboots alike; the
	 * threads it starts inherit it and narrow it to their own (vmm/confine.h). */
	confine_thread(CONFINE_MAIN);
	/* Every boot, reboots included, reads and checks the files afresh. */
	do {
		if (payloads_load(&opts, &payloads, message, sizeof(message))) {
			log_error("%s", message);
			status = EXIT_LVMM_ERROR;
			break;
		}
		status = vm_run_once(&opts, &payloads, start_ns, signal_fd);
		payloads_free(&payloads);
	} while (status == STOP_REBOOT);
	/* The guest's last words reach a live reader; a stuck one delays a stop by a signal at
	 * most half a second. */
	console_output_stop(status >= 128 ? 500 : 5000);
	if (console_output_dropped())
		log_warning("dropped %llu bytes of guest console output that standard output did not take",
			    (unsigned long long)console_output_dropped());
	console_terminal_restore();
	close(signal_fd);
	return status;
}

/* Started with stdin, stdout or stderr closed, lvmm's first descriptors (the stop eventfd, the
 * signalfd) would take their numbers, and guest output would go into them. /dev/null holds the
 * numbers instead, before anything else is opened. */
static int standard_fds_ensure(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* Nothing can be said: stderr itself may be what is missing. */
	if (standard_fds_ensure() < 0)
		return EXIT_LVMM_ERROR;
	if (argc < 2) {
		fprintf(stderr, "lvmm: no command given (see lvmm --help)\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_text(stdout, cli_main_usage);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("lvmm %s\n", LVMM_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return command_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "seccomp") == 0) {
		if (argc == 2)
			return command_seccomp();
		log_error("lvmm seccomp takes no arguments (see lvmm --help)");
		return EXIT_USAGE;
	}
	log_error("unknown command '%s' (see lvmm --help)", argv[1]);
	return EXIT_USAGE;
}
