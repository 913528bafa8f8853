#include "rank_stats.h"

#include <math.h>
#include <stdlib.h>

static int compare_doubles(const void *left, const void *right)
{
	double l = *(const double *)left, r = *(const double *)right;

	return (l > r) - (l < r);
}

/*
 * U of b against a, and the sum over groups of tied values (both samples together) of
 * t^3 - t, which the variance of U loses to ties. One merge of the two sorted samples.
 */
static double mann_whitney_u(const double *a, size_t count_a, const double *b, size_t count_b,
			     double *tie_term)
{
	size_t i = 0, j = 0;
	double rank_sum_b = 0.0, rank = 1.0;

	*tie_term = 0.0;
	while (i < count_a || j < count_b) {
		double value = i < count_a && (j == count_b || a[i] <= b[j]) ? a[i] : b[j];
		size_t in_a = 0, in_b = 0;
		double tied, average_rank;

		while (i < count_a && a[i] == value) {
			i++;
			in_a++;
		}
		while (j < count_b && b[j] == value) {
			j++;
			in_b++;
		}
		tied = (double)(in_a + in_b);
		average_rank = rank + (tied - 1.0) / 2.0;
		rank_sum_b += average_rank * (double)in_b;
		*tie_term += tied * tied * tied - tied;
		rank += tied;
	}
	return rank_sum_b - (double)count_b * ((double)count_b + 1.0) / 2.0;
}

enum sample_stats_status sample_rank_compare(const double *a, size_t count_a, const double *b,
					     size_t count_b, double median_a,
					     double confidence_percent, double *work,
					     struct rank_comparison *comparison)
{
	struct rank_comparison result = { .confidence_percent = confidence_percent };
	double m = (double)count_a, n = (double)count_b, pairs = m * n, total = m + n;
	double tie_term, variance, deviation, z_critical;
	long order;
	size_t k = 0;

	if (!(confidence_percent > 0.0 && confidence_percent < 100.0))
		return SAMPLE_STATS_BAD_CONFIDENCE;
	if (count_a < 2 || count_b < 2)
		return SAMPLE_STATS_TOO_FEW;
	for (size_t i = 0; i < count_a; i++)
		if (!isfinite(a[i]))
			return SAMPLE_STATS_NOT_FINITE;
	for (size_t j = 0; j < count_b; j++)
		if (!isfinite(b[j]))
			return SAMPLE_STATS_NOT_FINITE;

	result.u = mann_whitney_u(a, count_a, b, count_b, &tie_term);
	result.probability_b_greater = result.u / pairs;
	variance = pairs / 12.0 * (total + 1.0 - tie_term / (total * (total - 1.0)));
	deviation = result.u - pairs / 2.0;
	if (variance > 0.0) {
		/* Continuity: half a step towards the mean, never past it. */
		double corrected = fabs(deviation) > 0.5 ? fabs(deviation) - 0.5 : 0.0;

		result.z = copysign(corrected / sqrt(variance), deviation);
		result.p_value = erfc(fabs(result.z) / M_SQRT2);
	} else {
		/* Every value equal: nothing tells the samples apart. */
		result.z = 0.0;
		result.p_value = 1.0;
	}

	for (size_t i = 0; i < count_a; i++)
		for (size_t j = 0; j < count_b; j++)
			work[k++] = b[j] - a[i];
	qsort(work, k, sizeof(work[0]), compare_doubles);
	result.shift = k % 2 ? work[k / 2] : (work[k / 2 - 1] + work[k / 2]) / 2.0;
	/*
	 * Moses: the interval runs from the (C+1)-th to the (mn-C)-th smallest difference, where
	 * C = floor(mn/2 - z sqrt(mn(m+n+1)/12)), the normal approximation of U's quantile.
	 */
	z_critical = standard_normal_quantile((1.0 + confidence_percent / 100.0) / 2.0);
	order = (long)floor(pairs / 2.0 - z_critical * sqrt(pairs * (total + 1.0) / 12.0));
	if (order < 0)
		order = 0;
	if ((size_t)order > (k - 1) / 2)
		order = (long)((k - 1) / 2);
	result.shift_low = work[order];
	result.shift_high = work[k - 1 - (size_t)order];
	result.has_percent = median_a != 0.0;
	if (result.has_percent) {
		result.shift_percent = result.shift * 100.0 / fabs(median_a);
		result.shift_low_percent = result.shift_low * 100.0 / fabs(median_a);
		result.shift_high_percent = result.shift_high * 100.0 / fabs(median_a);
	}
	result.significant = result.p_value < 1.0 - confidence_percent / 100.0;
	if (!isfinite(result.shift_low) || !isfinite(result.shift_high) || !isfinite(result.p_value))
		return SAMPLE_STATS_NOT_FINITE;
	*comparison = result;
	return SAMPLE_STATS_OK;
}
