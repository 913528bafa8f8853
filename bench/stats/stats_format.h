/*
 * lvmm-stats' text: the ministat-shaped table and comparison, and the same figures as JSON for
 * bench/report.py. Each function writes into buffer as snprintf does (truncating, always
 * terminated when size > 0) and returns the length the whole text needs.
 */
#ifndef LVMM_STATS_FORMAT_H
#define LVMM_STATS_FORMAT_H

#include <stddef.h>

#include "rank_stats.h"
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
 * "Mann-Whitney U = ..., p = ...\n\tmedian shift (Hodges-Lehmann) ... [low, high]\n": the rank
 * comparison's figures to 6 significant digits.
 */
size_t stats_format_rank(char *buffer, size_t size, const struct rank_comparison *rank);

/*
 * One JSON object and a newline: "a" always; with b, also "b", "confidence", the t-test's
 * figures (null when comparison is NULL: too few values for a test) and the rank comparison's
 * (null when rank is NULL). A percentage is null when mean a (for the t-test) or median a
 * (for the shift) is 0.
 */
size_t stats_format_json(char *buffer, size_t size, const struct sample_summary *a,
			 const struct sample_summary *b, double confidence_percent,
			 const struct sample_comparison *comparison,
			 const struct rank_comparison *rank);

#endif
