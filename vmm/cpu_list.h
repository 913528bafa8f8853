/*
 * Host CPU lists as Linux writes them (cpuset, taskset -c, /proc/PID/status): "0-3,8,10-11".
 * Used by --vcpu-affinity. Pure: no system calls.
 */
#ifndef LVMM_CPU_LIST_H
#define LVMM_CPU_LIST_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses text into set: comma-separated CPUs and ranges (N-M, N <= M), each below
 * CPU_SETSIZE, no spaces, at least one CPU. false if malformed; set is then unspecified. */
bool cpu_list_parse(const char *text, cpu_set_t *set);

/* Writes set in the same notation, ranges collapsed ("" for an empty set); truncated to
 * out_size - 1 bytes, always terminated. */
void cpu_list_format(const cpu_set_t *set, char *out, size_t out_size);

#endif
