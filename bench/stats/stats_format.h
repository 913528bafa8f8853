/*
 * lvmm-stats' text: the ministat-shaped table and comparison, and the same figures as JSON for
 * bench/report.py. Each function writes into buffer as snprintf does (truncating, always
 * terminated when size > 0) and returns the length the whole text needs.
 */
#ifndef LVMM_STATS_FORMAT_H
#define LVMM_STATS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "rank_stats.h"
#include "sample_stats.h"
#include "signed_rank_stats.h"

/*
 * lvmm-stats -p: the signed-rank test of the pairs and its shift in the unit it is given in:
 * the difference b - a, or with -r the ratio b / a (the test then ran on ln(b / a), and the
 * shift and its interval are exp of its figures).
 */
struct paired_report {
	struct signed_rank_comparison test;
	bool ratio;
	double shift;
	double shift_low;
	double shift_high;
	/* In % of median a for a difference, (ratio - 1) x 100 for a ratio; only when has_percent. */
	double shift_percent;
	double shift_low_percent;
	double shift_high_percent;
	bool has_percent;
};

/* Fills report from a signed-rank test of b - a (ratio false) or of ln(b / a) (ratio true). */
void paired_report_from(struct paired_report *report, const struct signed_rank_comparison *test,
			bool ratio, double median_a);

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
 * "Paired, N pairs ...: Wilcoxon signed-rank W+ = ..., p = ...\n\tmedian ratio ... [low, high]\n":
 * the paired comparison's figures to 6 significant digits.
 */
size_t stats_format_paired(char *buffer, size_t size, const struct paired_report *paired);

/*
 * One JSON object and a newline: "a" always; with b, also "b", "confidence", the t-test's
 * figures (null when comparison is NULL: too few values for a test) and the rank comparison's
 * (null when rank is NULL); with paired, a "paired" object of its figures (no key without it).
 * A percentage is null when mean a (for the t-test) or median a (for the shift) is 0.
 */
size_t stats_format_json(char *buffer, size_t size, const struct sample_summary *a,
			 const struct sample_summary *b, double confidence_percent,
			 const struct sample_comparison *comparison,
			 const struct rank_comparison *rank, const struct paired_report *paired);

#endif
