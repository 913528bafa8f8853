#ifndef LVMM_LOG_H
#define LVMM_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
/* Messages go to stderr as "lvmm: <text>"; the guest console owns stdout. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Copies text to out (out_size > 0, always terminated) with every control byte (below 0x20, and
 * 0x7f) written as \xNN: a file name, an argument or guest data in a message can then neither
 * break its line nor send the terminal an escape sequence. Bytes from 0x80 up stay, so UTF-8
 * names read as typed. Returns the length written; the text is cut to fit.
 */
size_t log_escape(const char *text, char *out, size_t out_size);

/*
 * A limit on a message a guest can cause at will (a bad doorbell call, a refused PV sched
 * address): at most LOG_LIMIT_BURST lines per LOG_LIMIT_WINDOW_NS from one call site, so a
 * flooding guest cannot fill a CI runner's disk through stderr. The first line after a
 * window in which some were held back says how many.
 */
#define LOG_LIMIT_BURST 10
#define LOG_LIMIT_WINDOW_NS (10ULL * 1000000000ULL)
struct log_limit {
	pthread_mutex_t lock;
	uint64_t window_start_ns;
	unsigned int in_window;
	uint64_t suppressed; /* held back since the last line that was let through */
};
#define LOG_LIMIT_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* true: print now (*suppressed_before: lines held back before this one, to be said). */
bool log_limit_allow(struct log_limit *limit, uint64_t now_ns, uint64_t *suppressed_before);
uint64_t log_now_ns(void);

#define log_limited(level, ...)                                                          \
	do {                                                                              \
		static struct log_limit limit_ = LOG_LIMIT_INIT;                          \
		uint64_t suppressed_;                                                     \
		if (log_enabled(level) && log_limit_allow(&limit_, log_now_ns(), &suppressed_)) { \
			if (suppressed_)                                                  \
				log_msg(level, "%llu more like the next were not shown",  \
					(unsigned long long)suppressed_);                 \
			log_msg(level, __VA_ARGS__);                                      \
		}                                                                         \
	} while (0)

#define log_error(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
