/*
 * on-terminal foreground|raw|background TEXT -- COMMAND [ARGS...]: runs COMMAND with a new
 * pseudo-terminal as its standard input and controlling terminal (its output stays the
 * caller's), in a session of its own. foreground: COMMAND's process group is the terminal's
 * foreground one, and TEXT (\n and \xHH escapes) is typed on the terminal, then Ctrl-D. raw:
 * the same, but TEXT is typed once COMMAND has put the terminal in raw mode (non-canonical),
 * and no Ctrl-D. background: another process group of the session holds the foreground, so
 * COMMAND is in the background of its terminal, and nothing is typed. Exits with COMMAND's
 * status (128+N for signal N); in raw, 124 if raw mode never came within 60 s and 123 if
 * COMMAND left the terminal raw. The integration suite
 * runs lvmm on a terminal with it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define RAW_WAIT_MS 60000

static void die(const char *what)
{
	perror(what);
	_exit(125);
}

/* The child: a session leader whose controlling terminal is the pty's far end. */
static void run_on_terminal(const char *far_end, bool background, char **command)
{
	int terminal;

	if (setsid() < 0)
		die("setsid");
	terminal = open(far_end, O_RDWR);
	if (terminal < 0 || ioctl(terminal, TIOCSCTTY, 0) < 0)
		die("the pty's far end");
	if (background) {
		pid_t holder = fork();

		if (holder < 0)
			die("fork");
		if (holder == 0) {
			setpgid(0, 0);
			for (;;)
				pause(); /* ends with its session: SIGHUP */
		}
		if (setpgid(holder, holder) < 0 || tcsetpgrp(terminal, holder) < 0)
			die("handing the terminal's foreground to another process group");
	}
	if (dup2(terminal, STDIN_FILENO) < 0)
		die("dup2");
	close(terminal);
	execvp(command[0], command);
	die(command[0]);
}

int main(int argc, char **argv)
{
	char text[256];
	size_t length = 0;
	bool background, raw;
	int near_end, status;
	pid_t child;

	if (argc < 5 || strcmp(argv[3], "--") != 0 ||
	    (strcmp(argv[1], "foreground") != 0 && strcmp(argv[1], "raw") != 0 &&
	     strcmp(argv[1], "background") != 0)) {
		fprintf(stderr, "usage: on-terminal foreground|raw|background TEXT -- COMMAND [ARGS...]\n");
		return 2;
	}
	background = strcmp(argv[1], "background") == 0;
	raw = strcmp(argv[1], "raw") == 0;
	for (const char *p = argv[2]; *p && length < sizeof(text) - 1; p++) {
		unsigned int byte;

		if (p[0] == '\\' && p[1] == 'n') {
			text[length++] = '\n';
			p++;
		} else if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &byte) == 1) {
			text[length++] = (char)byte;
			p += 3;
		} else {
			text[length++] = *p;
		}
	}
	near_end = posix_openpt(O_RDWR | O_NOCTTY);
	if (near_end < 0 || grantpt(near_end) < 0 || unlockpt(near_end) < 0)
		die("posix_openpt");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char far_end[64];

		if (ptsname_r(near_end, far_end, sizeof(far_end)) != 0)
			die("ptsname");
		close(near_end);
		run_on_terminal(far_end, background, argv + 4);
	}
	if (raw) {
		/* Typed before, the text would be flushed as the terminal goes raw (TCSAFLUSH). */
		struct termios settings;
		struct timespec tick = { 0, 10 * 1000000L };
		int waited = 0;

		while (tcgetattr(near_end, &settings) == 0 && (settings.c_lflag & ICANON)) {
			if (waited >= RAW_WAIT_MS) {
				fprintf(stderr, "on-terminal: the terminal never went raw\n");
				kill(child, SIGKILL);
				return 124;
			}
			nanosleep(&tick, NULL);
			waited += 10;
		}
		if (write(near_end, text, length) != (ssize_t)length)
			die("typing on the terminal");
	} else if (!background) {
		struct termios settings;
		char end_of_file;

		/* Typed now, read when the command reads: the terminal keeps it (a line at a time,
		 * canonical mode), then Ctrl-D as the terminal's own end-of-file character. */
		if (tcgetattr(near_end, &settings) < 0)
			die("tcgetattr");
		end_of_file = (char)settings.c_cc[VEOF];
		if (write(near_end, text, length) != (ssize_t)length || write(near_end, &end_of_file, 1) != 1)
			die("typing on the terminal");
	}
	/* The terminal's echo stays unread: a few bytes, far from filling it. */
	while (waitpid(child, &status, 0) < 0)
		;
	if (raw) {
		struct termios settings;

		if (tcgetattr(near_end, &settings) == 0 && !(settings.c_lflag & ICANON)) {
			fprintf(stderr, "on-terminal: COMMAND left the terminal raw\n");
			return 123;
		}
	}
	close(near_end);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
