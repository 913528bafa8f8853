#include "rank_approximation.h"

#include <math.h>

#include "sample_stats.h"

int rank_compare_doubles(const void *left, const void *right)
{
	double l = *(const double *)left, r = *(const double *)right;

	return (l > r) - (l < r);
}

void rank_normal_approximation(double deviation, double variance, double *z, double *p_value)
{
	double corrected;

	if (!(variance > 0.0)) {
		*z = 0.0;
		*p_value = 1.0;
		return;
	}
	corrected = fabs(deviation) > 0.5 ? fabs(deviation) - 0.5 : 0.0;
	*z = copysign(corrected / sqrt(variance), deviation);
	*p_value = erfc(fabs(*z) / M_SQRT2);
}

void rank_interval(const double *sorted, size_t count, double variance, double confidence_percent,
		   double *low, double *high)
{
	double z_critical = standard_normal_quantile((1.0 + confidence_percent / 100.0) / 2.0);
	long order = (long)floor((double)count / 2.0 - z_critical * sqrt(variance));

	if (order < 0)
		order = 0;
	if ((size_t)order > (count - 1) / 2)
		order = (long)((count - 1) / 2);
	*low = sorted[order];
	*high = sorted[count - 1 - (size_t)order];
}
