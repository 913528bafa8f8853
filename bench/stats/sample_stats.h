/*
 * Summaries of benchmark samples and Student's t comparison of two of them, for the benchmark
 * report's A/B (bench/stats/lvmm_stats.c). Pure arithmetic: no I/O, no allocation.
 */
#ifndef LVMM_SAMPLE_STATS_H
#define LVMM_SAMPLE_STATS_H

#include <stdbool.h>
#include <stddef.h>

enum sample_stats_status {
	SAMPLE_STATS_OK = 0,
	SAMPLE_STATS_EMPTY,		/* no values at all */
	SAMPLE_STATS_NOT_FINITE,	/* a NaN or an infinity among the values */
	SAMPLE_STATS_TOO_FEW,		/* a sample of fewer than 2 values: no spread, so no test */
	SAMPLE_STATS_BAD_CONFIDENCE,	/* confidence not strictly between 0 and 100 percent */
};

/* One line for a status, for error messages. */
const char *sample_stats_status_text(enum sample_stats_status status);

struct sample_summary {
	size_t count;
	double minimum;
	double maximum;
	/* The middle value once sorted; for an even count, the mean of the two middle values. */
	double median;
	/* The value at index count / 2 once sorted (the upper middle for even counts), as ministat. */
	double upper_median;
	double mean;
	/* The sample standard deviation (divisor count - 1); only when has_standard_deviation. */
	double standard_deviation;
	bool has_standard_deviation;
};

/*
 * Summarises count values, sorting them in place (the median needs them sorted and the caller
 * rarely needs the original order, so no copy is made). A single value gives a summary without
 * a standard deviation; no values, or a value that is not finite, give an error and leave
 * summary untouched.
 */
enum sample_stats_status sample_summarize(double *values, size_t count,
					  struct sample_summary *summary);

/* Sample b against sample a, by Student's t with pooled variance. */
struct sample_comparison {
	double confidence_percent;	/* e.g. 95.0 */
	double degrees_of_freedom;	/* count a + count b - 2 */
	double t_critical;		/* the two-sided critical value at that confidence */
	double difference;		/* mean b - mean a */
	double half_width;		/* the confidence interval is difference +/- half_width */
	/* Both of the above as percentages of mean a; only when has_percent (mean a is not 0). */
	double difference_percent;
	double half_width_percent;
	bool has_percent;
	double pooled_standard_deviation;
	/* The interval excludes 0: |difference| > half_width. */
	bool significant;
};

/* Where the critical value of t comes from. */
enum t_critical_rule {
	/* The quantile itself, to about 1e-10. */
	T_CRITICAL_EXACT,
	/*
	 * As ministat's printed table: the quantile rounded to 3 decimals, and the normal
	 * distribution's (rounded likewise) beyond 100 degrees of freedom. Reproduces figures
	 * ministat printed (seed 000's half-width is 1070.09 with 2.101, 1070.05 with 2.10092)
	 * at its 80, 90, 95, 98 and 99% levels; its 99.5% column holds the 99.8% values.
	 */
	T_CRITICAL_MINISTAT,
};

/* The two-sided critical value at confidence_percent for degrees_of_freedom. */
double t_critical_value(double confidence_percent, double degrees_of_freedom,
			enum t_critical_rule rule);

/*
 * Compares two summaries at confidence_percent (0 < confidence_percent < 100). Each sample
 * needs at least 2 values (SAMPLE_STATS_TOO_FEW otherwise); comparison is untouched on error.
 */
enum sample_stats_status sample_compare(const struct sample_summary *a,
					const struct sample_summary *b,
					double confidence_percent, enum t_critical_rule rule,
					struct sample_comparison *comparison);

/*
 * The regularized incomplete beta function I_x(a, b), for a > 0, b > 0 and 0 <= x <= 1;
 * NaN outside that domain.
 */
double regularized_incomplete_beta(double x, double a, double b);

/* P(T <= t) for Student's t with degrees_of_freedom > 0; NaN for bad arguments. */
double student_t_cdf(double t, double degrees_of_freedom);

/*
 * The t with P(T <= t) = probability, for 0 < probability < 1 and degrees_of_freedom > 0,
 * to about 1e-10 relative; NaN for bad arguments. The two-sided critical value at confidence
 * c is student_t_quantile((1 + c) / 2, df).
 */
double student_t_quantile(double probability, double degrees_of_freedom);

/* The z with P(Z <= z) = probability for the standard normal distribution; NaN outside (0, 1). */
double standard_normal_quantile(double probability);

#endif
