/*
 * The paired comparison of two samples for the benchmark report, when line K of one file and
 * line K of the other were measured together (one round of an interleaved design, sharing
 * the emulated host's speed at that moment): the Wilcoxon signed-rank test on the per-pair
 * differences, and the Hodges-Lehmann estimate of their centre (the median of the Walsh
 * averages) with its distribution-free confidence interval. A pairing that holds removes the
 * round-to-round drift from both; the two-sample tests (rank_stats.h) cannot. Pure
 * arithmetic: no I/O, no allocation.
 */
#ifndef LVMM_SIGNED_RANK_STATS_H
#define LVMM_SIGNED_RANK_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "sample_stats.h"

struct signed_rank_comparison {
	double confidence_percent;
	size_t pairs;
	/* Pairs whose difference is not 0: Wilcoxon drops the zeros from the test. */
	size_t nonzero_pairs;
	/* The sum of the ranks of |d| (ties averaged) over the positive differences. */
	double w_plus;
	/*
	 * The normal approximation of W+, with the correction for tied |d| and for continuity;
	 * the two-sided p-value from it. Good for 8 or more pairs.
	 */
	double z;
	double p_value;
	/* Hodges-Lehmann: the median of the n(n+1)/2 Walsh averages (d_i + d_j) / 2, i <= j. */
	double shift;
	/* Its confidence interval: order statistics of the Walsh averages (Tukey). */
	double shift_low;
	double shift_high;
	/* p_value below 1 - confidence. */
	bool significant;
};

/* The room sample_signed_rank needs in work for count differences: count (count + 3) / 2. */
size_t signed_rank_work_count(size_t count);

/*
 * Tests the differences against a centre of 0. They need not be sorted; at least 2 are
 * needed. work must have room for signed_rank_work_count(count) doubles. Returns
 * SAMPLE_STATS_OK, or TOO_FEW, BAD_CONFIDENCE or NOT_FINITE, leaving comparison untouched.
 */
enum sample_stats_status sample_signed_rank(const double *differences, size_t count,
					    double confidence_percent, double *work,
					    struct signed_rank_comparison *comparison);

#endif
