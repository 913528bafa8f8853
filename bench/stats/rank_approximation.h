/*
 * What the rank tests (rank_stats.h, signed_rank_stats.h) share: the normal approximation of a
 * rank statistic, and the distribution-free interval read off sorted pairwise estimates (all
 * differences for Mann-Whitney, the Walsh averages for the signed-rank test). Pure arithmetic.
 */
#ifndef LVMM_RANK_APPROXIMATION_H
#define LVMM_RANK_APPROXIMATION_H

#include <stddef.h>

/* qsort's comparison for doubles, ascending. */
int rank_compare_doubles(const void *left, const void *right);

/*
 * The z of a statistic deviation away from its mean under the null hypothesis, with the given
 * variance, corrected for continuity (half a step towards the mean, never past it), and its
 * two-sided p. A variance of 0 (every value tied) gives z = 0 and p = 1.
 */
void rank_normal_approximation(double deviation, double variance, double *z, double *p_value);

/*
 * The interval from the (C+1)-th to the (count-C)-th of sorted (count >= 1), where
 * C = floor(count / 2 - z sqrt(variance)) for the confidence's two-sided z: the normal
 * approximation of the statistic's quantile. C is clamped to the ends, where the interval's
 * confidence falls short of the one asked for.
 */
void rank_interval(const double *sorted, size_t count, double variance, double confidence_percent,
		   double *low, double *high);

#endif
