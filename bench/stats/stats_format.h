/*
 * lvmm-stats' text: the ministat-shaped table and comparison, and the same figures as JSON for
 * bench/report.py. Each function writes into buffer as snprintf does (truncating, always
 * terminated when size > 0) and returns the length the whole text needs.
 */
#ifndef LVMM_STATS_FORMAT_H
#define LVMM_STATS_FORMAT_H

#include <stddef.h>

#include "sample_stats.h"

/* "    N           Min ...        Stddev\n" */
size_t stats_format_header(char *buffer, size_t size);

/* One table row, e.g. "x  10         33365 ...     100.92467\n"; "-" for a missing stddev. */
size_t stats_format_row(char *buffer, size_t size, char symbol,
			const struct sample_summary *summary);

/* "Difference at 95.0% confidence\n\t..." or "No difference proven at 95.0% confidence\n". */
size_t stats_format_comparison(char *buffer, size_t size,
			       const struct sample_comparison *comparison);

/*
 * One JSON object and a newline: "a" always; with b, also "b", "confidence" and the
 * comparison's figures, which are null when comparison is NULL (too few values for a test).
 * A percentage is null when mean a is 0.
 */
size_t stats_format_json(char *buffer, size_t size, const struct sample_summary *a,
			 const struct sample_summary *b, double confidence_percent,
			 const struct sample_comparison *comparison);

#endif
