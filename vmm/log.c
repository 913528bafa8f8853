#include "log.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

uint64_t log_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

bool log_limit_allow(struct log_limit *limit, uint64_t now_ns, uint64_t *suppressed_before)
{
	bool allow;

	pthread_mutex_lock(&limit->lock);
	if (limit->in_window == 0 || now_ns - limit->window_start_ns >= LOG_LIMIT_WINDOW_NS) {
		limit->window_start_ns = now_ns;
		limit->in_window = 0;
	}
	allow = limit->in_window < LOG_LIMIT_BURST;
	*suppressed_before = 0;
	if (allow) {
		limit->in_window++;
		*suppressed_before = limit->suppressed;
		limit->suppressed = 0;
	} else {
		limit->suppressed++;
	}
	pthread_mutex_unlock(&limit->lock);
	return allow;
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
