#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/stats/sample_stats.h"
#include "bench/stats/stats_format.h"
#include "unit_test.h"

/* EXPECT_CLOSE is relative; the references below are to 20 digits (mpmath), far beyond what we
 * claim. */

/* Seed 000: ops/sec without and with the patch, ten runs each. */
static const double seed_base[10] = { 33452, 33541, 33365, 33455, 33449,
				      33616, 33479, 33594, 33458, 33704 };
static const double seed_patched[10] = { 36485, 39405, 36858, 38047, 37866,
					 34922, 34388, 37203, 35363, 35180 };

static struct sample_summary summarize_copy(const double *values, size_t count)
{
	double copy[16];
	struct sample_summary summary = { 0 };

	memcpy(copy, values, count * sizeof(copy[0]));
	EXPECT_EQ(sample_summarize(copy, count, &summary), SAMPLE_STATS_OK);
	return summary;
}

static enum sample_stats_status compare_exact(const struct sample_summary *a,
					     const struct sample_summary *b, double confidence_percent,
					     struct sample_comparison *comparison)
{
	return sample_compare(a, b, confidence_percent, T_CRITICAL_EXACT, comparison);
}

TEST(stats_t_quantile_matches_published_values)
{
	/* Published two-sided 95% critical values: 12.7062047, 2.26215716, 2.10092204,
	 * 2.04227246, 1.96233908. */
	EXPECT_CLOSE(student_t_quantile(0.975, 1), 12.706204736174704646, 1e-10);
	EXPECT_CLOSE(student_t_quantile(0.975, 9), 2.2621571627982055426, 1e-10);
	EXPECT_CLOSE(student_t_quantile(0.975, 18), 2.1009220402410384881, 1e-10);
	EXPECT_CLOSE(student_t_quantile(0.975, 30), 2.04227245630123831, 1e-10);
	EXPECT_CLOSE(student_t_quantile(0.975, 1000), 1.962339080826408485, 1e-10);
	EXPECT_CLOSE(student_t_quantile(0.975, 2), 4.3026527297494638523, 1e-10);
	/* Far in the tail, and one-sided 95%. */
	EXPECT_CLOSE(student_t_quantile(0.9995, 1), 636.61924876871961621, 1e-10);
	EXPECT_CLOSE(student_t_quantile(0.95, 18), 1.7340636066175387536, 1e-10);
	/* Towards the normal distribution's 1.95996398. */
	EXPECT_CLOSE(student_t_quantile(0.975, 1e6), 1.9599663568141070353, 1e-8);
}

TEST(stats_t_quantile_symmetry_and_bad_arguments)
{
	EXPECT_TRUE(student_t_quantile(0.5, 9) == 0.0);
	EXPECT_CLOSE(student_t_quantile(0.025, 9), -2.2621571627982055426, 1e-10);
	EXPECT_CLOSE(student_t_cdf(student_t_quantile(0.8, 7), 7), 0.8, 1e-12);
	EXPECT_TRUE(isnan(student_t_quantile(0.0, 9)));
	EXPECT_TRUE(isnan(student_t_quantile(1.0, 9)));
	EXPECT_TRUE(isnan(student_t_quantile(NAN, 9)));
	EXPECT_TRUE(isnan(student_t_quantile(0.975, 0)));
	EXPECT_TRUE(isnan(student_t_quantile(0.975, -1)));
	EXPECT_TRUE(isnan(student_t_quantile(0.975, INFINITY)));
}

TEST(stats_t_cdf_matches_closed_forms)
{
	/* df = 1 is Cauchy; df = 2 has 1/2 + t / (2 sqrt(2 + t^2)). */
	for (double t = -50.0; t <= 50.0; t += 2.5) {
		EXPECT_CLOSE(student_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-12);
		EXPECT_CLOSE(student_t_cdf(t, 2), 0.5 + t / (2.0 * sqrt(2.0 + t * t)), 1e-12);
	}
	EXPECT_TRUE(student_t_cdf(0.0, 5) == 0.5);
	EXPECT_TRUE(isnan(student_t_cdf(NAN, 5)));
}

TEST(stats_incomplete_beta_matches_references)
{
	EXPECT_CLOSE(regularized_incomplete_beta(0.3, 1, 1), 0.3, 1e-14);
	EXPECT_CLOSE(regularized_incomplete_beta(0.3, 4, 1), 0.3 * 0.3 * 0.3 * 0.3, 1e-13);
	EXPECT_CLOSE(regularized_incomplete_beta(0.5, 7.5, 7.5), 0.5, 1e-13);
	EXPECT_CLOSE(regularized_incomplete_beta(0.3, 2.5, 3.5), 0.29675298929566639864, 1e-12);
	EXPECT_CLOSE(regularized_incomplete_beta(0.99, 500, 0.5), 0.0015273578790529965014, 1e-9);
	EXPECT_TRUE(regularized_incomplete_beta(0.0, 2, 3) == 0.0);
	EXPECT_TRUE(regularized_incomplete_beta(1.0, 2, 3) == 1.0);
	EXPECT_TRUE(isnan(regularized_incomplete_beta(1.5, 2, 3)));
	EXPECT_TRUE(isnan(regularized_incomplete_beta(0.5, 0, 3)));
}

TEST(stats_seed_summaries)
{
	struct sample_summary base = summarize_copy(seed_base, 10);
	struct sample_summary patched = summarize_copy(seed_patched, 10);

	EXPECT_EQ(base.count, 10);
	EXPECT_TRUE(base.minimum == 33365 && base.maximum == 33704);
	/* The average of the 5th and 6th smallest; ministat's median is the 6th (index 5). */
	EXPECT_TRUE(base.median == 33468.5);
	EXPECT_TRUE(base.upper_median == 33479);
	EXPECT_CLOSE(base.mean, 33511.3, 1e-15);
	EXPECT_CLOSE(base.standard_deviation, 100.92466937715916, 1e-14);
	EXPECT_TRUE(base.has_standard_deviation);
	EXPECT_TRUE(patched.minimum == 34388 && patched.maximum == 39405);
	EXPECT_TRUE(patched.median == 36671.5);
	EXPECT_TRUE(patched.upper_median == 36858);
	EXPECT_CLOSE(patched.mean, 36571.7, 1e-15);
	EXPECT_CLOSE(patched.standard_deviation, 1607.4540290644568, 1e-14);
}

TEST(stats_seed_table_is_reproduced_exactly)
{
	struct sample_summary base = summarize_copy(seed_base, 10);
	struct sample_summary patched = summarize_copy(seed_patched, 10);
	struct sample_comparison comparison;
	char text[512];

	/* ministat's median, as lvmm-stats -m prints it. */
	base.median = base.upper_median;
	patched.median = patched.upper_median;
	stats_format_header(text, sizeof(text));
	EXPECT_STR_EQ(text, "    N           Min           Max        Median           Avg        Stddev\n");
	stats_format_row(text, sizeof(text), 'x', &base);
	EXPECT_STR_EQ(text, "x  10         33365         33704         33479       33511.3     100.92467\n");
	stats_format_row(text, sizeof(text), '+', &patched);
	EXPECT_STR_EQ(text, "+  10         34388         39405         36858       36571.7      1607.454\n");

	/* The seed's interval came from ministat's table value 2.101 ... */
	EXPECT_EQ(sample_compare(&base, &patched, 95.0, T_CRITICAL_MINISTAT, &comparison),
		  SAMPLE_STATS_OK);
	EXPECT_TRUE(comparison.significant);
	EXPECT_TRUE(comparison.degrees_of_freedom == 18);
	EXPECT_TRUE(comparison.t_critical == 2.101);
	stats_format_comparison(text, sizeof(text), &comparison);
	EXPECT_STR_EQ(text, "Difference at 95.0% confidence\n"
			    "\t3060.4 +/- 1070.09\n"
			    "\t9.13244% +/- 3.19321%\n"
			    "\t(Student's t, pooled s = 1138.88)\n");

	/* ... and the exact 2.10092204 gives an interval narrower by 0.04. */
	EXPECT_EQ(compare_exact(&base, &patched, 95.0, &comparison),
		  SAMPLE_STATS_OK);
	EXPECT_CLOSE(comparison.t_critical, 2.1009220402410384881, 1e-10);
	stats_format_comparison(text, sizeof(text), &comparison);
	EXPECT_STR_EQ(text, "Difference at 95.0% confidence\n"
			    "\t3060.4 +/- 1070.05\n"
			    "\t9.13244% +/- 3.19309%\n"
			    "\t(Student's t, pooled s = 1138.88)\n");
}

TEST(stats_ministat_critical_values)
{
	/* Entries of ministat's printed table (80, 90, 95, 98 and 99%; df 1, 10, 100, infinity). */
	static const struct {
		double degrees_of_freedom, confidence, value;
	} table[] = {
		{ 1, 80, 3.078 },   { 1, 90, 6.314 },   { 1, 95, 12.706 },   { 1, 98, 31.821 },
		{ 1, 99, 63.657 },  { 10, 80, 1.372 },  { 10, 90, 1.812 },   { 10, 95, 2.228 },
		{ 10, 98, 2.764 },  { 10, 99, 3.169 },  { 100, 80, 1.290 },  { 100, 90, 1.660 },
		{ 100, 95, 1.984 }, { 100, 98, 2.364 }, { 100, 99, 2.626 },  { 101, 80, 1.282 },
		{ 5000, 90, 1.645 }, { 101, 95, 1.960 }, { 101, 98, 2.326 }, { 101, 99, 2.576 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double value = t_critical_value(table[i].confidence, table[i].degrees_of_freedom,
						T_CRITICAL_MINISTAT);

		if (value != table[i].value)
			unit_test_fail(__FILE__, __LINE__, "df %g at %g%%: %.17g, expected %g",
				       table[i].degrees_of_freedom, table[i].confidence, value,
				       table[i].value);
	}
	EXPECT_CLOSE(t_critical_value(95, 101, T_CRITICAL_EXACT), 1.983731002955606193, 1e-10);
	EXPECT_CLOSE(standard_normal_quantile(0.975), 1.959963984540054, 1e-12);
	EXPECT_CLOSE(standard_normal_quantile(0.01), -2.3263478740408408, 1e-12);
	EXPECT_TRUE(isnan(standard_normal_quantile(1.0)));
}

/* The number after the first "key": in text, or NaN if the key is missing or not a number. */
static double json_number(const char *text, const char *key)
{
	char quoted[64];
	const char *found, *start;
	char *end;
	double value;

	snprintf(quoted, sizeof(quoted), "\"%s\": ", key);
	found = strstr(text, quoted);
	if (!found)
		return NAN;
	start = found + strlen(quoted);
	value = strtod(start, &end);
	return end == start ? NAN : value;
}

TEST(stats_seed_json)
{
	struct sample_summary base = summarize_copy(seed_base, 10);
	struct sample_summary patched = summarize_copy(seed_patched, 10);
	struct sample_comparison comparison;
	char text[1024];

	EXPECT_EQ(compare_exact(&base, &patched, 95.0, &comparison), SAMPLE_STATS_OK);
	stats_format_json(text, sizeof(text), &base, &patched, 95.0, &comparison, NULL, NULL);
	EXPECT_CONTAINS(text, "{\"a\": {\"n\": 10, \"min\": 33365, \"max\": 33704, \"median\": 33468.5, "
			      "\"mean\": 33511.3, \"stddev\": 100.9246693771591");
	EXPECT_CONTAINS(text, "}, \"b\": {\"n\": 10, \"min\": 34388, \"max\": 39405, \"median\": 36671.5, "
			      "\"mean\": 36571.7, \"stddev\": 1607.454029064456");
	EXPECT_CONTAINS(text, "}, \"confidence\": 95, \"difference\": ");
	/* Full precision, for the report generator to round as it likes. */
	EXPECT_CLOSE(json_number(text, "difference"), 3060.4, 1e-14);
	EXPECT_CLOSE(json_number(text, "half_width"), 1070.0468976814377, 1e-10);
	EXPECT_CLOSE(json_number(text, "difference_percent"), 9.132441892734672, 1e-13);
	EXPECT_CLOSE(json_number(text, "half_width_percent"), 3.193092770741378, 1e-10);
	EXPECT_CLOSE(json_number(text, "pooled_s"), 1138.879766359128, 1e-13);
	EXPECT_CONTAINS(text, ", \"significant\": true, \"mann_whitney_u\": null, ");

	/* One file: only "a". */
	stats_format_json(text, sizeof(text), &base, NULL, 95.0, NULL, NULL, NULL);
	EXPECT_STR_EQ(strstr(text, "}"), "}}\n");
	EXPECT_TRUE(strstr(text, "\"b\"") == NULL && strstr(text, "confidence") == NULL);
}

TEST(stats_clearly_not_significant)
{
	static const double a[] = { 10, 12, 11, 13, 9, 11 };
	static const double b[] = { 11, 10, 12, 13, 10, 10 };
	struct sample_summary summary_a = summarize_copy(a, 6), summary_b = summarize_copy(b, 6);
	struct sample_comparison comparison;
	char text[256];

	EXPECT_EQ(compare_exact(&summary_a, &summary_b, 95.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_TRUE(comparison.difference == 0.0);
	EXPECT_FALSE(comparison.significant);
	EXPECT_TRUE(comparison.half_width > 1.0);
	stats_format_comparison(text, sizeof(text), &comparison);
	EXPECT_STR_EQ(text, "No difference proven at 95.0% confidence\n");
	/* Other confidences print as given. */
	EXPECT_EQ(compare_exact(&summary_a, &summary_b, 99.95, &comparison), SAMPLE_STATS_OK);
	stats_format_comparison(text, sizeof(text), &comparison);
	EXPECT_STR_EQ(text, "No difference proven at 99.95% confidence\n");
}

TEST(stats_confidence_changes_the_verdict)
{
	/* Means 1 apart, pooled s 1.054, 10 + 10 values: t = 2.121, just above the critical 2.101
	 * at 95%, below 2.878 at 99%. */
	static const double a[] = { 9, 11, 9, 11, 9, 11, 9, 11, 9, 11 };
	static const double b[] = { 10, 12, 10, 12, 10, 12, 10, 12, 10, 12 };
	struct sample_summary summary_a = summarize_copy(a, 10), summary_b = summarize_copy(b, 10);
	struct sample_comparison comparison;

	EXPECT_EQ(compare_exact(&summary_a, &summary_b, 95.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_TRUE(comparison.significant);
	EXPECT_EQ(compare_exact(&summary_a, &summary_b, 99.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_FALSE(comparison.significant);
}

TEST(stats_single_value_has_no_deviation_and_no_test)
{
	double one[] = { 42.5 };
	struct sample_summary single = { 0 }, base = summarize_copy(seed_base, 10);
	struct sample_comparison comparison = { .difference = 123.0 };
	char text[1024];

	EXPECT_EQ(sample_summarize(one, 1, &single), SAMPLE_STATS_OK);
	EXPECT_EQ(single.count, 1);
	EXPECT_TRUE(single.minimum == 42.5 && single.maximum == 42.5 && single.median == 42.5);
	EXPECT_TRUE(single.mean == 42.5);
	EXPECT_FALSE(single.has_standard_deviation);
	EXPECT_EQ(compare_exact(&base, &single, 95.0, &comparison), SAMPLE_STATS_TOO_FEW);
	EXPECT_EQ(compare_exact(&single, &base, 95.0, &comparison), SAMPLE_STATS_TOO_FEW);
	EXPECT_TRUE(comparison.difference == 123.0); /* untouched */
	stats_format_row(text, sizeof(text), '+', &single);
	EXPECT_STR_EQ(text, "+   1          42.5          42.5          42.5          42.5             -\n");
	stats_format_json(text, sizeof(text), &base, &single, 95.0, NULL, NULL, NULL);
	EXPECT_CONTAINS(text, "\"b\": {\"n\": 1, \"min\": 42.5, \"max\": 42.5, \"median\": 42.5, "
			      "\"mean\": 42.5, \"stddev\": null}");
	EXPECT_CONTAINS(text, "\"difference\": null, \"half_width\": null, \"difference_percent\": null, "
			      "\"half_width_percent\": null, \"pooled_s\": null, \"significant\": null, \"mann_whitney_u\": null");
}

TEST(stats_identical_values_have_zero_deviation)
{
	/* Ten 0.1s sum to 0.9999999999999999: the mean must still be exactly 0.1. */
	static const double tenths[10] = { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 };
	static const double fives[3] = { 5, 5, 5 }, sixes[3] = { 6, 6, 6 };
	struct sample_summary summary = summarize_copy(tenths, 10);
	struct sample_summary five = summarize_copy(fives, 3), six = summarize_copy(sixes, 3);
	struct sample_comparison comparison;

	EXPECT_TRUE(summary.mean == 0.1);
	EXPECT_TRUE(summary.has_standard_deviation);
	EXPECT_TRUE(summary.standard_deviation == 0.0);

	/* No spread at all: any difference is significant, none is not. */
	EXPECT_EQ(compare_exact(&five, &six, 95.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_TRUE(comparison.pooled_standard_deviation == 0.0 && comparison.half_width == 0.0);
	EXPECT_TRUE(comparison.significant);
	EXPECT_CLOSE(comparison.difference_percent, 20.0, 1e-15);
	EXPECT_EQ(compare_exact(&five, &five, 95.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_FALSE(comparison.significant);
}

TEST(stats_rejects_empty_and_non_finite_input)
{
	double with_nan[] = { 1, NAN, 3 }, with_infinity[] = { 1, 2, -INFINITY };
	double huge[] = { 1e308, 1.5e308, 1.7e308 };
	struct sample_summary summary = { .count = 77 };

	EXPECT_EQ(sample_summarize(with_nan, 0, &summary), SAMPLE_STATS_EMPTY);
	EXPECT_EQ(sample_summarize(with_nan, 3, &summary), SAMPLE_STATS_NOT_FINITE);
	EXPECT_EQ(sample_summarize(with_infinity, 3, &summary), SAMPLE_STATS_NOT_FINITE);
	/* Each is finite but their sum is not. */
	EXPECT_EQ(sample_summarize(huge, 3, &summary), SAMPLE_STATS_NOT_FINITE);
	EXPECT_EQ(summary.count, 77); /* untouched */
	EXPECT_CONTAINS(sample_stats_status_text(SAMPLE_STATS_NOT_FINITE), "NaN");
}

TEST(stats_rejects_bad_confidence)
{
	struct sample_summary base = summarize_copy(seed_base, 10);
	struct sample_comparison comparison;

	EXPECT_EQ(compare_exact(&base, &base, 0.0, &comparison), SAMPLE_STATS_BAD_CONFIDENCE);
	EXPECT_EQ(compare_exact(&base, &base, 100.0, &comparison), SAMPLE_STATS_BAD_CONFIDENCE);
	EXPECT_EQ(compare_exact(&base, &base, -5.0, &comparison), SAMPLE_STATS_BAD_CONFIDENCE);
	EXPECT_EQ(compare_exact(&base, &base, NAN, &comparison), SAMPLE_STATS_BAD_CONFIDENCE);
}

TEST(stats_median_is_the_middle_and_values_get_sorted)
{
	double odd[] = { 5, 1, 4, 2, 3 }, even[] = { 4, 3, 2, 1 };
	struct sample_summary summary;

	EXPECT_EQ(sample_summarize(odd, 5, &summary), SAMPLE_STATS_OK);
	EXPECT_TRUE(summary.median == 3 && summary.upper_median == 3);
	EXPECT_TRUE(odd[0] == 1 && odd[4] == 5);
	EXPECT_EQ(sample_summarize(even, 4, &summary), SAMPLE_STATS_OK);
	EXPECT_TRUE(summary.median == 2.5);       /* the mean of 2 and 3 */
	EXPECT_TRUE(summary.upper_median == 3);   /* ministat's: index 4 / 2 */
}

TEST(stats_negative_mean_keeps_percent_signs_and_zero_mean_has_none)
{
	static const double minus_ten[] = { -11, -10, -9 }, minus_five[] = { -6, -5, -4 };
	static const double around_zero[] = { -1, 0, 1 };
	struct sample_summary a = summarize_copy(minus_ten, 3), b = summarize_copy(minus_five, 3);
	struct sample_summary zero = summarize_copy(around_zero, 3);
	struct sample_comparison comparison;
	char text[512];

	EXPECT_EQ(compare_exact(&a, &b, 95.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_TRUE(comparison.has_percent);
	EXPECT_CLOSE(comparison.difference_percent, 50.0, 1e-15);
	EXPECT_TRUE(comparison.half_width_percent > 0.0);
	EXPECT_EQ(compare_exact(&zero, &b, 95.0, &comparison), SAMPLE_STATS_OK);
	EXPECT_FALSE(comparison.has_percent);
	stats_format_comparison(text, sizeof(text), &comparison);
	EXPECT_FALSE(strchr(text, '%') != strrchr(text, '%')); /* only the heading's */
	EXPECT_CONTAINS(text, "pooled s = 1)");
	stats_format_json(text, sizeof(text), &zero, &b, 95.0, &comparison, NULL, NULL);
	EXPECT_CONTAINS(text, "\"difference_percent\": null, \"half_width_percent\": null");
}

TEST(stats_format_truncates_like_snprintf)
{
	struct sample_summary base = summarize_copy(seed_base, 10);
	char text[8];
	size_t needed;

	needed = stats_format_row(text, sizeof(text), 'x', &base);
	EXPECT_EQ(needed, 76);
	EXPECT_STR_EQ(text, "x  10  ");
	EXPECT_EQ(stats_format_header(NULL, 0), 76);
}
