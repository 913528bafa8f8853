#include "signed_rank_stats.h"

#include <math.h>
#include <stdlib.h>

static int compare_doubles(const void *left, const void *right)
{
	double l = *(const double *)left, r = *(const double *)right;

	return (l > r) - (l < r);
}

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
	double n, walsh_count, tie_term, variance, deviation, z_critical;
	double *nonzero = work, *walsh;
	size_t k = 0;
	long order;

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
	if (variance > 0.0) {
		/* Continuity: half a step towards the mean, never past it. */
		double corrected = fabs(deviation) > 0.5 ? fabs(deviation) - 0.5 : 0.0;

		result.z = copysign(corrected / sqrt(variance), deviation);
		result.p_value = erfc(fabs(result.z) / M_SQRT2);
	} else {
		/* Every difference 0: nothing tells the pairs' sides apart. */
		result.z = 0.0;
		result.p_value = 1.0;
	}

	/* The Walsh averages of all pairs, zeros included. */
	walsh = work + count;
	for (size_t i = 0; i < count; i++)
		for (size_t j = i; j < count; j++)
			walsh[k++] = (differences[i] + differences[j]) / 2.0;
	qsort(walsh, k, sizeof(walsh[0]), compare_doubles);
	result.shift = k % 2 ? walsh[k / 2] : (walsh[k / 2 - 1] + walsh[k / 2]) / 2.0;
	/*
	 * The interval runs from the (C+1)-th to the (M-C)-th smallest Walsh average, M of them,
	 * where C = floor(M/2 - z sqrt(n(n+1)(2n+1)/24)), the normal approximation of W+'s
	 * quantile over all n pairs.
	 */
	walsh_count = (double)k;
	n = (double)count;
	z_critical = standard_normal_quantile((1.0 + confidence_percent / 100.0) / 2.0);
	order = (long)floor(walsh_count / 2.0 -
			    z_critical * sqrt(n * (n + 1.0) * (2.0 * n + 1.0) / 24.0));
	if (order < 0)
		order = 0;
	if ((size_t)order > (k - 1) / 2)
		order = (long)((k - 1) / 2);
	result.shift_low = walsh[order];
	result.shift_high = walsh[k - 1 - (size_t)order];
	result.significant = result.p_value < 1.0 - confidence_percent / 100.0;
	if (!isfinite(result.shift_low) || !isfinite(result.shift_high) || !isfinite(result.p_value))
		return SAMPLE_STATS_NOT_FINITE;
	*comparison = result;
	return SAMPLE_STATS_OK;
}
