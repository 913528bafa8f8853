#include "signed_rank_stats.h"

#include <math.h>
#include <stdlib.h>

#include "rank_approximation.h"

static int compare_magnitudes(const void *left, const void *right)
{
	double l = fabs(*(const double *)left), r = fabs(*(const double *)right);

	return (l > r) - (l < r);
}

size_t signed_rank_work_count(size_t count)
{
	return count * (count + 1) / 2 + count;
}

/*
 * W+ over the nonzero differences, sorted in place by magnitude, and the sum over groups of
 * tied magnitudes of t^3 - t, which the variance of W+ loses to ties.
 */
static double positive_rank_sum(double *nonzero, size_t count, double *tie_term)
{
	double w_plus = 0.0;

	qsort(nonzero, count, sizeof(nonzero[0]), compare_magnitudes);
	*tie_term = 0.0;
	for (size_t i = 0; i < count;) {
		size_t j = i;
		double tied, average_rank;

		while (j < count && fabs(nonzero[j]) == fabs(nonzero[i]))
			j++;
		tied = (double)(j - i);
		average_rank = (double)i + 1.0 + (tied - 1.0) / 2.0;
		for (size_t k = i; k < j; k++)
			if (nonzero[k] > 0.0)
				w_plus += average_rank;
		*tie_term += tied * tied * tied - tied;
		i = j;
	}
	return w_plus;
}

enum sample_stats_status sample_signed_rank(const double *differences, size_t count,
					    double confidence_percent, double *work,
					    struct signed_rank_comparison *comparison)
{
	struct signed_rank_comparison result = { .confidence_percent = confidence_percent,
						 .pairs = count };
	double n, tie_term, variance, deviation;
	double *nonzero = work, *walsh;
	size_t k = 0;

	if (!(confidence_percent > 0.0 && confidence_percent < 100.0))
		return SAMPLE_STATS_BAD_CONFIDENCE;
	if (count < 2)
		return SAMPLE_STATS_TOO_FEW;
	for (size_t i = 0; i < count; i++)
		if (!isfinite(differences[i]))
			return SAMPLE_STATS_NOT_FINITE;

	for (size_t i = 0; i < count; i++)
		if (differences[i] != 0.0)
			nonzero[result.nonzero_pairs++] = differences[i];
	n = (double)result.nonzero_pairs;
	result.w_plus = positive_rank_sum(nonzero, result.nonzero_pairs, &tie_term);
	variance = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_term / 48.0;
	deviation = result.w_plus - n * (n + 1.0) / 4.0;
	rank_normal_approximation(deviation, variance, &result.z, &result.p_value);

	/* The Walsh averages of all pairs, zeros included. */
	walsh = work + count;
	for (size_t i = 0; i < count; i++)
		for (size_t j = i; j < count; j++)
			walsh[k++] = (differences[i] + differences[j]) / 2.0;
	qsort(walsh, k, sizeof(walsh[0]), rank_compare_doubles);
	result.shift = k % 2 ? walsh[k / 2] : (walsh[k / 2 - 1] + walsh[k / 2]) / 2.0;
	/* Tukey: W+'s variance without ties, n (n + 1) (2n + 1) / 24, over all n pairs. */
	n = (double)count;
	rank_interval(walsh, k, n * (n + 1.0) * (2.0 * n + 1.0) / 24.0, confidence_percent,
		      &result.shift_low, &result.shift_high);
	result.significant = result.p_value < 1.0 - confidence_percent / 100.0;
	if (!isfinite(result.shift_low) || !isfinite(result.shift_high) || !isfinite(result.p_value))
		return SAMPLE_STATS_NOT_FINITE;
	*comparison = result;
	return SAMPLE_STATS_OK;
}
