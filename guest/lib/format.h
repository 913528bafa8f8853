/*
 * A tiny vsnprintf for guest_print and the exception report: %d %i %u %x %c %s %% with
 * optional l/ll (all 64-bit here), %p, and a zero-padded or space-padded width (%08x, %4u).
 * Always NUL-terminates; output that does not fit is cut.
 */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

size_t format_text(char *buf, size_t size, const char *fmt, va_list ap);
size_t format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
