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
#include "control_client.h"
#include "monotonic_clock.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "run_guest.h"
#include "sandbox.h"

#ifndef LVMM_VERSION
#define LVMM_VERSION "unknown"
#endif

static void print_text(FILE *stream, const char *text)
{
	fputs(text, stream);
	fflush(stream);
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
	char message[4096];
	uint64_t start_ns = monotonic_ns();

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
	return run_guest(&opts, &(struct run_guest_session){ .console_fd = STDOUT_FILENO,
							    .terminal_raw = true }, start_ns);
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
	if (strcmp(argv[1], "sandbox") == 0)
		return sandbox_command(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "stop") == 0 ||
	    strcmp(argv[1], "pause") == 0 || strcmp(argv[1], "resume") == 0 ||
	    strcmp(argv[1], "stat") == 0)
		return control_command(argc - 1, argv + 1);
	if (strcmp(argv[1], "seccomp") == 0) {
		if (argc == 2)
			return command_seccomp();
		log_error("lvmm seccomp takes no arguments (see lvmm --help)");
		return EXIT_USAGE;
	}
	log_error("unknown command '%s' (see lvmm --help)", argv[1]);
	return EXIT_USAGE;
}
