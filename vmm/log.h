#ifndef LVMM_LOG_H
#define LVMM_LOG_H

#include <stdbool.h>
#include <stddef.h>

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

#define log_error(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
