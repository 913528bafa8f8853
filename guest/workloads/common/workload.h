/*
 * What the workloads share: option parsing that rejects bad input with one stderr line
 * and exit status 2, failure with errno named and exit status 1, and the clock they time with.
 * Each program defines workload_name (for messages) and workload_usage.
 */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stdint.h>

extern const char workload_name[];
extern const char workload_usage[];

/* "<name>: <what> -<option> (<usage>)" (option 0: none), exit 2. */
void __attribute__((noreturn)) usage_error(const char *what, int option);
/* After getopt(optstring) returned '?': a missing value or an unknown option, as usage_error. */
void __attribute__((noreturn)) option_error(const char *optstring);
/* A decimal in [min, max]; a sign, junk or overflow is a usage error naming the option. */
unsigned long parse_count(const char *option, const char *text, unsigned long min,
			  unsigned long max);
/* "<name>: <what>: <strerror(errno)>", exit 1. */
void __attribute__((noreturn)) die(const char *what);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

#endif
