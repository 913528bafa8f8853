#include "log.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level current_level = LOG_WARNING;

void log_set_level(enum log_level level)
{
	current_level = level;
}

bool log_enabled(enum log_level level)
{
	return level <= current_level;
}

size_t log_escape(const char *text, char *out, size_t out_size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *text; text++) {
		unsigned char byte = (unsigned char)*text;
		bool control = byte < 0x20 || byte == 0x7f;

		if (n + (control ? 4 : 1) >= out_size)
			break;
		if (control) {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[byte >> 4];
			out[n++] = hex[byte & 15];
		} else {
			out[n++] = (char)byte;
		}
	}
	out[n] = '\0';
	return n;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	struct pollfd pfd = { .fd = STDERR_FILENO, .events = POLLOUT };
	char text[1024], line[1024];
	va_list ap;
	int n;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "lvmm: %s", level == LOG_WARNING ? "warning: " : "");
	log_escape(text, line + n, sizeof(line) - (size_t)n - 1);
	/* One write per line so lines from several vCPU threads never interleave. A stderr that
	 * nobody reads costs a line, never more than 200 ms: a line (< PIPE_BUF) written once
	 * poll says writable does not block. */
	n = (int)strlen(line);
	line[n++] = '\n';
	if (poll(&pfd, 1, 200) != 1 || !(pfd.revents & POLLOUT))
		return;
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
