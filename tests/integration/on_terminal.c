/*
 * on-terminal foreground|raw|background TEXT -- COMMAND [ARGS...]: runs COMMAND with a new
 * pseudo-terminal as its standard input and controlling terminal (its output stays the
 * caller's), in a session of its own. foreground: COMMAND's process group is the terminal's
 * foreground one, and TEXT (\n and \xHH escapes) is typed on the terminal, then Ctrl-D. raw:
 * the same, but TEXT is typed once COMMAND has put the terminal in raw mode (non-canonical),
 * and no Ctrl-D. background: another process group of the session holds the foreground, so
 * COMMAND is in the background of its terminal, and nothing is typed. Exits with COMMAND's
 * status (128+N for signal N); in raw, 124 if raw mode never came within 60 s and 123 if
 * COMMAND left the terminal raw.
 *
 * on-terminal session [--size ROWS COLUMNS] [STEP...] -- COMMAND [ARGS...]: the terminal is
 * also COMMAND's standard output and error, and what COMMAND writes on it is copied to
 * on-terminal's standard output; the terminal starts at the size given (else 24 x 80). The
 * steps, in order: "raw" waits for COMMAND to put the terminal in raw mode, "wait TEXT" for
 * TEXT in what COMMAND wrote so far, "type TEXT" types it (escapes as above), "resize ROWS
 * COLUMNS" changes the terminal's size (COMMAND gets SIGWINCH). Exits as raw does (124: a
 * step waited 60 s in vain; 123: COMMAND left the terminal raw).
 *
 * The integration suite runs lvmm on a terminal with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#define STEP_WAIT_MS 60000
#define SESSION_OUTPUT_MAX (1 << 20)

static void die(const char *what)
{
	perror(what);
	_exit(125);
}

/* The child: a session leader whose controlling terminal is the pty's far end. */
static void run_on_terminal(const char *far_end, bool background, bool whole, char **command)
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
	if (dup2(terminal, STDIN_FILENO) < 0 ||
	    (whole && (dup2(terminal, STDOUT_FILENO) < 0 || dup2(terminal, STDERR_FILENO) < 0)))
		die("dup2");
	close(terminal);
	execvp(command[0], command);
	die(command[0]);
}

/* TEXT with its \n and \xHH escapes undone, into text (size bytes); returns its length. */
static size_t unescape(const char *given, char *text, size_t size)
{
	size_t length = 0;

	for (const char *p = given; *p && length < size; p++) {
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
	return length;
}

static bool is_raw(int near_end)
{
	struct termios settings;

	return tcgetattr(near_end, &settings) == 0 && !(settings.c_lflag & ICANON);
}

/* What COMMAND wrote in session mode: all of it (to a bound), for the wait steps. */
struct session_output {
	char *bytes;
	size_t length;
	bool ended;        /* the terminal's far end is closed: no more will come */
};

/* Copies what the terminal holds now to stdout and keeps it. */
static void take_output(int near_end, struct session_output *output)
{
	char buffer[4096];
	ssize_t n;

	while ((n = read(near_end, buffer, sizeof(buffer))) > 0) {
		size_t keep = (size_t)n;

		if (write(STDOUT_FILENO, buffer, (size_t)n) < 0)
			die("copying the terminal's output");
		if (keep > SESSION_OUTPUT_MAX - output->length)
			keep = SESSION_OUTPUT_MAX - output->length;
		memcpy(output->bytes + output->length, buffer, keep);
		output->length += keep;
	}
	if (n < 0 && errno == EIO)
		output->ended = true;
}

static bool output_has(const struct session_output *output, const char *text)
{
	return memmem(output->bytes, output->length, text, strlen(text)) != NULL;
}

/* Relays the terminal for up to ms (or until the child ends); true if the child ended. */
static bool session_wait(int near_end, struct session_output *output, pid_t child, int *status,
			 int ms)
{
	struct pollfd fd = { .fd = near_end, .events = POLLIN };

	if (poll(&fd, 1, ms) > 0)
		take_output(near_end, output);
	return waitpid(child, status, WNOHANG) == child;
}

static int session(int near_end, pid_t child, char **steps)
{
	struct session_output output = { .bytes = malloc(SESSION_OUTPUT_MAX) };
	int status = 0;
	bool ended = false;

	if (!output.bytes)
		die("malloc");
	fcntl(near_end, F_SETFL, O_NONBLOCK);
	for (char **step = steps; *step && !ended; ) {
		if (strcmp(step[0], "raw") == 0 || strcmp(step[0], "wait") == 0) {
			bool wait_raw = strcmp(step[0], "raw") == 0;
			int waited = 0;

			while (!(wait_raw ? is_raw(near_end) : output_has(&output, step[1]))) {
				if (waited >= STEP_WAIT_MS) {
					fprintf(stderr, "on-terminal: %s %s: not within %d s\n", step[0],
						wait_raw ? "" : step[1], STEP_WAIT_MS / 1000);
					kill(child, SIGKILL);
					return 124;
				}
				if ((ended = session_wait(near_end, &output, child, &status, 10)))
					break;
				waited += 10;
			}
			step += wait_raw ? 1 : 2;
		} else if (strcmp(step[0], "type") == 0) {
			char text[256];
			size_t length = unescape(step[1], text, sizeof(text));

			if (write(near_end, text, length) != (ssize_t)length)
				die("typing on the terminal");
			step += 2;
		} else {
			struct winsize size = { .ws_row = (unsigned short)atoi(step[1]),
						.ws_col = (unsigned short)atoi(step[2]) };

			if (ioctl(near_end, TIOCSWINSZ, &size) < 0)
				die("resizing the terminal");
			step += 3;
		}
	}
	while (!ended)
		ended = session_wait(near_end, &output, child, &status, 100);
	/* What COMMAND wrote before it ended, to the far end's close. */
	while (!output.ended) {
		struct pollfd fd = { .fd = near_end, .events = POLLIN };

		if (poll(&fd, 1, 1000) <= 0)
			break;
		take_output(near_end, &output);
	}
	if (is_raw(near_end)) {
		fprintf(stderr, "on-terminal: COMMAND left the terminal raw\n");
		return 123;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The steps between "session" (and its --size) and "--": each whole, else NULL. */
static char **session_steps(char **argv, char ***command)
{
	char **step = argv;

	while (*step && strcmp(*step, "--") != 0) {
		int operands = strcmp(*step, "raw") == 0 ? 0 :
			       (strcmp(*step, "wait") == 0 || strcmp(*step, "type") == 0) ? 1 :
			       strcmp(*step, "resize") == 0 ? 2 : -1;

		if (operands < 0)
			return NULL;
		for (int i = 1; i <= operands; i++) {
			if (!step[i] || strcmp(step[i], "--") == 0)
				return NULL;
		}
		step += 1 + operands;
	}
	if (!*step || !step[1])
		return NULL;
	*step = NULL; /* the steps end here */
	*command = step + 1;
	return argv;
}

int main(int argc, char **argv)
{
	char text[256];
	size_t length = 0;
	bool background, raw, whole;
	int near_end, status;
	char **steps = NULL, **command = argv + 4;
	struct winsize size = { .ws_row = 24, .ws_col = 80 };
	pid_t child;

	whole = argc >= 2 && strcmp(argv[1], "session") == 0;
	if (whole) {
		char **rest = argv + 2;

		if (argc >= 5 && strcmp(argv[2], "--size") == 0) {
			size.ws_row = (unsigned short)atoi(argv[3]);
			size.ws_col = (unsigned short)atoi(argv[4]);
			rest = argv + 5;
		}
		steps = session_steps(rest, &command);
		if (!steps) {
			fprintf(stderr, "usage: on-terminal session [--size ROWS COLUMNS] [raw | wait TEXT | "
				"type TEXT | resize ROWS COLUMNS]... -- COMMAND [ARGS...]\n");
			return 2;
		}
	}

	if (!whole && (argc < 5 || strcmp(argv[3], "--") != 0 ||
	    (strcmp(argv[1], "foreground") != 0 && strcmp(argv[1], "raw") != 0 &&
	     strcmp(argv[1], "background") != 0))) {
		fprintf(stderr, "usage: on-terminal foreground|raw|background TEXT -- COMMAND [ARGS...]\n");
		return 2;
	}
	background = strcmp(argv[1], "background") == 0;
	raw = strcmp(argv[1], "raw") == 0;
	if (!whole)
		length = unescape(argv[2], text, sizeof(text) - 1);
	near_end = posix_openpt(O_RDWR | O_NOCTTY);
	if (near_end < 0 || grantpt(near_end) < 0 || unlockpt(near_end) < 0 ||
	    ioctl(near_end, TIOCSWINSZ, &size) < 0)
		die("posix_openpt");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char far_end[64];

		if (ptsname_r(near_end, far_end, sizeof(far_end)) != 0)
			die("ptsname");
		close(near_end);
		run_on_terminal(far_end, background, whole, command);
	}
	if (whole)
		return session(near_end, child, steps);
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
	if (raw && is_raw(near_end)) {
		fprintf(stderr, "on-terminal: COMMAND left the terminal raw\n");
		return 123;
	}
	close(near_end);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
