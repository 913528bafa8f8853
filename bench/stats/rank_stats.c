#include "rank_stats.h"

#include <math.h>
#include <stdlib.h>

#include "rank_approximation.h"

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
	double tie_term, variance, deviation;
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
	rank_normal_approximation(deviation, variance, &result.z, &result.p_value);

	for (size_t i = 0; i < count_a; i++)
		for (size_t j = 0; j < count_b; j++)
			work[k++] = b[j] - a[i];
	qsort(work, k, sizeof(work[0]), rank_compare_doubles);
	result.shift = k % 2 ? work[k / 2] : (work[k / 2 - 1] + work[k / 2]) / 2.0;
	/* Moses: U's variance without ties, m n (m + n + 1) / 12, over all m n differences. */
	rank_interval(work, k, pairs * (total + 1.0) / 12.0, confidence_percent, &result.shift_low,
		      &result.shift_high);
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
