#include "sample_stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

const char *sample_stats_status_text(enum sample_stats_status status)
{
	switch (status) {
	case SAMPLE_STATS_OK:
		return "ok";
	case SAMPLE_STATS_EMPTY:
		return "no values";
	case SAMPLE_STATS_NOT_FINITE:
		return "a value is NaN or infinite, or the values are too large to summarise";
	case SAMPLE_STATS_TOO_FEW:
		return "fewer than 2 values, so no standard deviation and no t-test";
	case SAMPLE_STATS_BAD_CONFIDENCE:
		return "the confidence must be a percentage strictly between 0 and 100";
	}
	return "unknown status";
}

static int compare_doubles(const void *left, const void *right)
{
	double l = *(const double *)left, r = *(const double *)right;

	return (l > r) - (l < r);
}

enum sample_stats_status sample_summarize(double *values, size_t count,
					  struct sample_summary *summary)
{
	struct sample_summary result = { .count = count };
	double sum = 0.0, squares = 0.0;

	if (count == 0)
		return SAMPLE_STATS_EMPTY;
	for (size_t i = 0; i < count; i++)
		if (!isfinite(values[i]))
			return SAMPLE_STATS_NOT_FINITE;
	qsort(values, count, sizeof(values[0]), compare_doubles);
	result.minimum = values[0];
	result.maximum = values[count - 1];
	result.upper_median = values[count / 2];
	result.median = count % 2 ? values[count / 2] :
				    values[count / 2 - 1] / 2.0 + values[count / 2] / 2.0;

	if (result.minimum == result.maximum) {
		/* Summing could round (ten 0.1s do not add up to 1.0): identical values are exact. */
		result.mean = result.minimum;
		result.standard_deviation = 0.0;
	} else {
		/* Two passes: squares of deviations from the mean, not differences of large sums. */
		for (size_t i = 0; i < count; i++)
			sum += values[i];
		result.mean = sum / (double)count;
		for (size_t i = 0; i < count; i++)
			squares += (values[i] - result.mean) * (values[i] - result.mean);
		result.standard_deviation = count > 1 ? sqrt(squares / (double)(count - 1)) : 0.0;
		if (!isfinite(result.mean) || !isfinite(result.standard_deviation))
			return SAMPLE_STATS_NOT_FINITE;
	}
	result.has_standard_deviation = count > 1;
	if (!result.has_standard_deviation)
		result.standard_deviation = 0.0;
	*summary = result;
	return SAMPLE_STATS_OK;
}

enum sample_stats_status sample_compare(const struct sample_summary *a,
					const struct sample_summary *b,
					double confidence_percent, enum t_critical_rule rule,
					struct sample_comparison *comparison)
{
	struct sample_comparison result = { .confidence_percent = confidence_percent };
	double count_a = (double)a->count, count_b = (double)b->count;
	double pooled_variance;

	/* Written so that a NaN confidence fails too. */
	if (!(confidence_percent > 0.0 && confidence_percent < 100.0))
		return SAMPLE_STATS_BAD_CONFIDENCE;
	if (!a->has_standard_deviation || !b->has_standard_deviation)
		return SAMPLE_STATS_TOO_FEW;

	result.degrees_of_freedom = count_a + count_b - 2.0;
	pooled_variance = ((count_a - 1.0) * a->standard_deviation * a->standard_deviation +
			   (count_b - 1.0) * b->standard_deviation * b->standard_deviation) /
			  result.degrees_of_freedom;
	result.pooled_standard_deviation = sqrt(pooled_variance);
	result.t_critical = t_critical_value(confidence_percent, result.degrees_of_freedom, rule);
	result.difference = b->mean - a->mean;
	result.half_width = result.t_critical * result.pooled_standard_deviation *
			    sqrt(1.0 / count_a + 1.0 / count_b);
	if (!isfinite(result.pooled_standard_deviation) || !isfinite(result.difference) ||
	    !isfinite(result.half_width))
		return SAMPLE_STATS_NOT_FINITE;
	/* Relative to the size of mean a, so a negative mean a does not flip the signs. */
	result.has_percent = a->mean != 0.0;
	if (result.has_percent) {
		result.difference_percent = result.difference * 100.0 / fabs(a->mean);
		result.half_width_percent = result.half_width * 100.0 / fabs(a->mean);
	}
	result.significant = fabs(result.difference) > result.half_width;
	*comparison = result;
	return SAMPLE_STATS_OK;
}

/*
 * The continued fraction of I_x(a, b) (modified Lentz), without its prefactor; it converges
 * quickly for x < (a + 1) / (a + b + 2). Its terms alternate between the odd
 * -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) and the even m (b - m) x / ((a + 2m - 1)(a + 2m)).
 */
static double incomplete_beta_fraction(double x, double a, double b)
{
	/* Stands in for a zero denominator so the recurrence never divides by zero. */
	const double tiny = 1e-300;
	const double tolerance = 1e-16;
	double numerator, ratio = 1.0, denominator_inverse, fraction;

	/* Lentz's recurrence after its first terms: so far the fraction is 1 / (1 + d1). */
	denominator_inverse = 1.0 - (a + b) * x / (a + 1.0);
	if (fabs(denominator_inverse) < tiny)
		denominator_inverse = tiny;
	denominator_inverse = 1.0 / denominator_inverse;
	fraction = denominator_inverse;

	for (int m = 1; m <= 100000; m++) {
		double step = 1.0;

		for (int parity = 0; parity < 2; parity++) {
			if (parity == 0)
				numerator = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
			else
				numerator = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
			denominator_inverse = 1.0 + numerator * denominator_inverse;
			if (fabs(denominator_inverse) < tiny)
				denominator_inverse = tiny;
			denominator_inverse = 1.0 / denominator_inverse;
			ratio = 1.0 + numerator / ratio;
			if (fabs(ratio) < tiny)
				ratio = tiny;
			step = ratio * denominator_inverse;
			fraction *= step;
		}
		if (fabs(step - 1.0) < tolerance)
			break;
	}
	return fraction;
}

/*
 * I_x(a, b) given both x and y = 1 - x: callers that can compute 1 - x without cancellation
 * (the t distribution near t = 0) pass it in, keeping the small tail accurate.
 */
static double incomplete_beta_complemented(double x, double y, double a, double b)
{
	double log_prefactor;

	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	/* x^a y^b / B(a, b), in logarithms because each factor alone may underflow. */
	log_prefactor = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(log_prefactor) * incomplete_beta_fraction(x, a, b) / a;
	/* I_x(a, b) = 1 - I_y(b, a): the fraction for the mirrored arguments converges instead. */
	return 1.0 - exp(log_prefactor) * incomplete_beta_fraction(y, b, a) / b;
}

double regularized_incomplete_beta(double x, double a, double b)
{
	if (!(a > 0.0 && b > 0.0 && x >= 0.0 && x <= 1.0) || isinf(a) || isinf(b))
		return NAN;
	return incomplete_beta_complemented(x, 1.0 - x, a, b);
}

/* P(T > t) for t >= 0: half of I_{df / (df + t^2)}(df / 2, 1 / 2). */
static double student_t_upper_tail(double t, double degrees_of_freedom)
{
	double t_squared = t * t;

	if (isinf(t_squared))
		return 0.0;
	return 0.5 * incomplete_beta_complemented(degrees_of_freedom / (degrees_of_freedom + t_squared),
						  t_squared / (degrees_of_freedom + t_squared),
						  degrees_of_freedom / 2.0, 0.5);
}

static bool degrees_of_freedom_valid(double degrees_of_freedom)
{
	return degrees_of_freedom > 0.0 && isfinite(degrees_of_freedom);
}

double student_t_cdf(double t, double degrees_of_freedom)
{
	double tail;

	if (isnan(t) || !degrees_of_freedom_valid(degrees_of_freedom))
		return NAN;
	tail = student_t_upper_tail(fabs(t), degrees_of_freedom);
	return t >= 0.0 ? 1.0 - tail : tail;
}

/*
 * The x >= 0 with upper_tail_of(x, parameter) = upper_tail, for a decreasing upper tail:
 * bracket by doubling (df = 1 at 99.99% is already 6366), then bisect to ~1e-13 relative.
 */
static double solve_upper_tail(double (*upper_tail_of)(double x, double parameter),
			       double parameter, double upper_tail)
{
	double low = 0.0, high = 1.0;

	while (upper_tail_of(high, parameter) > upper_tail) {
		low = high;
		high *= 2.0;
		if (high > DBL_MAX / 4.0)
			return INFINITY;
	}
	for (int i = 0; i < 200 && high - low > 1e-13 * high; i++) {
		double middle = low + (high - low) / 2.0;

		if (upper_tail_of(middle, parameter) > upper_tail)
			low = middle;
		else
			high = middle;
	}
	return low + (high - low) / 2.0;
}

double student_t_quantile(double probability, double degrees_of_freedom)
{
	if (!(probability > 0.0 && probability < 1.0) ||
	    !degrees_of_freedom_valid(degrees_of_freedom))
		return NAN;
	if (probability == 0.5)
		return 0.0;
	/* The distribution is symmetric: solve for the upper tail, where the precision is. */
	if (probability < 0.5)
		return -student_t_quantile(1.0 - probability, degrees_of_freedom);
	return solve_upper_tail(student_t_upper_tail, degrees_of_freedom, 1.0 - probability);
}

static double standard_normal_upper_tail(double z, double unused)
{
	(void)unused;
	return 0.5 * erfc(z / M_SQRT2);
}

double standard_normal_quantile(double probability)
{
	if (!(probability > 0.0 && probability < 1.0))
		return NAN;
	if (probability == 0.5)
		return 0.0;
	if (probability < 0.5)
		return -standard_normal_quantile(1.0 - probability);
	return solve_upper_tail(standard_normal_upper_tail, 0.0, 1.0 - probability);
}

double t_critical_value(double confidence_percent, double degrees_of_freedom,
			enum t_critical_rule rule)
{
	double probability = (1.0 + confidence_percent / 100.0) / 2.0;

	if (rule == T_CRITICAL_EXACT)
		return student_t_quantile(probability, degrees_of_freedom);
	/* ministat's printed table: 3 decimals, and its infinite row past 100 degrees of freedom. */
	if (degrees_of_freedom > 100.0)
		return round(standard_normal_quantile(probability) * 1000.0) / 1000.0;
	return round(student_t_quantile(probability, degrees_of_freedom) * 1000.0) / 1000.0;
}
