/*
 * The rank-based comparison of two samples for the benchmark report's A/B, for distributions
 * that are not normal (bimodal workloads, outliers): the Mann-Whitney U test and the
 * Hodges-Lehmann estimate of the shift between them with its distribution-free confidence
 * interval (Moses). Pure arithmetic: no I/O, no allocation.
 */
#ifndef LVMM_RANK_STATS_H
#define LVMM_RANK_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "sample_stats.h"

struct rank_comparison {
	double confidence_percent;
	/* U of sample b: the pairs (a_i, b_j) with b_j > a_i, a tie counting one half. */
	double u;
	/* U / (count a * count b): the probability that a value of b exceeds one of a. */
	double probability_b_greater;
	/*
	 * The normal approximation of U, with the correction for ties and for continuity; the
	 * two-sided p-value from it. Good for 8 or more values per sample.
	 */
	double z;
	double p_value;
	/* Hodges-Lehmann: the median of the count a * count b differences b_j - a_i. */
	double shift;
	/* Its confidence interval: order statistics of those differences (Moses). */
	double shift_low;
	double shift_high;
	/* The three above as percentages of median a; only when has_percent (median a is not 0). */
	double shift_percent;
	double shift_low_percent;
	double shift_high_percent;
	bool has_percent;
	/* p_value below 1 - confidence, i.e. the interval of the shift excludes 0. */
	bool significant;
};

/*
 * Compares sample b with sample a. Both must be sorted ascending (sample_summarize sorts) and
 * hold at least 2 values each; work must have room for count_a * count_b doubles. median_a
 * scales the percentages. Returns SAMPLE_STATS_OK, or TOO_FEW, BAD_CONFIDENCE or NOT_FINITE,
 * leaving comparison untouched.
 */
enum sample_stats_status sample_rank_compare(const double *a, size_t count_a, const double *b,
					     size_t count_b, double median_a,
					     double confidence_percent, double *work,
					     struct rank_comparison *comparison);

#endif
