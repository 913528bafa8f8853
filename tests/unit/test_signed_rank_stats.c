#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats/sample_stats.h"
#include "bench/stats/signed_rank_stats.h"
#include "bench/stats/stats_format.h"
#include "unit_test.h"

/*
 * References: scipy 1.10 (Debian's python3-scipy), wilcoxon(d, zero_method="wilcox",
 * correction=True, method="approx") for p; W+ from rankdata(|d|) over the nonzero d; the
 * centre and its interval from numpy over all Walsh averages, with
 * C = floor(M/2 - 1.959964 sqrt(n(n+1)(2n+1)/24)).
 */
static enum sample_stats_status signed_rank(const double *d, size_t n,
					    struct signed_rank_comparison *result)
{
	double work[256];

	EXPECT_TRUE(signed_rank_work_count(n) <= sizeof(work) / sizeof(work[0]));
	return sample_signed_rank(d, n, 95.0, work, result);
}

TEST(signed_rank_mostly_positive)
{
	double d[] = { 1.5, -0.5, 2.0, 3.25, 0.75, 1.0, -1.0, 2.5, 4.0, 0.25 };
	struct signed_rank_comparison r;

	EXPECT_EQ(signed_rank(d, 10, &r), SAMPLE_STATS_OK);
	EXPECT_EQ(r.pairs, 10u);
	EXPECT_EQ(r.nonzero_pairs, 10u);
	/* |1.0| and |-1.0| tie for ranks 4 and 5: each 4.5, only the positive one counts. */
	EXPECT_TRUE(r.w_plus == 48.5);
	EXPECT_CLOSE(r.p_value, 0.03653598360552364, 1e-9);
	EXPECT_TRUE(r.z > 0.0);
	EXPECT_TRUE(r.shift == 1.375);
	EXPECT_TRUE(r.shift_low == 0.25 && r.shift_high == 2.5);
	EXPECT_TRUE(r.significant);
}

TEST(signed_rank_zeros_dropped_from_the_test_not_from_the_centre)
{
	double d[] = { 2, -2, 0, 1, 1, -1, 3, 3, 3, 0, 4, -4 };
	struct signed_rank_comparison r;

	EXPECT_EQ(signed_rank(d, 12, &r), SAMPLE_STATS_OK);
	EXPECT_EQ(r.pairs, 12u);
	EXPECT_EQ(r.nonzero_pairs, 10u);
	EXPECT_TRUE(r.w_plus == 39.0);
	EXPECT_CLOSE(r.p_value, 0.25907666070235447, 1e-9);
	EXPECT_TRUE(r.shift == 1.0);
	EXPECT_TRUE(r.shift_low == -0.5 && r.shift_high == 2.5);
	EXPECT_FALSE(r.significant);
}

TEST(signed_rank_all_positive)
{
	double d[12];
	struct signed_rank_comparison r;

	for (int i = 0; i < 12; i++)
		d[i] = 0.1 * (i + 1);
	EXPECT_EQ(signed_rank(d, 12, &r), SAMPLE_STATS_OK);
	EXPECT_TRUE(r.w_plus == 78.0);
	EXPECT_CLOSE(r.p_value, 0.002526174268502165, 1e-9);
	EXPECT_CLOSE(r.shift, 0.65, 1e-12);
	EXPECT_CLOSE(r.shift_low, 0.4, 1e-12);
	EXPECT_CLOSE(r.shift_high, 0.9, 1e-12);
}

TEST(signed_rank_every_difference_zero)
{
	double d[] = { 0, 0, 0, 0, 0 };
	struct signed_rank_comparison r;

	EXPECT_EQ(signed_rank(d, 5, &r), SAMPLE_STATS_OK);
	EXPECT_EQ(r.nonzero_pairs, 0u);
	EXPECT_TRUE(r.p_value == 1.0 && r.z == 0.0);
	EXPECT_TRUE(r.shift == 0.0 && r.shift_low == 0.0 && r.shift_high == 0.0);
	EXPECT_FALSE(r.significant);
}

TEST(signed_rank_refuses_bad_input)
{
	double one[] = { 1.0 }, with_nan[] = { 1.0, NAN, 2.0 }, fine[] = { 1.0, 2.0, 3.0 };
	double work[16];
	struct signed_rank_comparison r = { .pairs = 99 };

	EXPECT_EQ(sample_signed_rank(one, 1, 95.0, work, &r), SAMPLE_STATS_TOO_FEW);
	EXPECT_EQ(sample_signed_rank(with_nan, 3, 95.0, work, &r), SAMPLE_STATS_NOT_FINITE);
	EXPECT_EQ(sample_signed_rank(fine, 3, 100.0, work, &r), SAMPLE_STATS_BAD_CONFIDENCE);
	EXPECT_EQ(r.pairs, 99u);
}

TEST(signed_rank_report_as_ratio_and_as_difference)
{
	/* The pairs' ratios; only 0.95 is below 1, and its |ln| ranks second (after 1.05's): W+ = 36 - 2. */
	double ratios[] = { 1.1, 1.2, 1.3, 0.95, 1.25, 1.15, 1.05, 1.4 }, d[8], work[64];
	struct signed_rank_comparison test;
	struct paired_report report;
	struct sample_summary a = { .count = 2, .median = 4.0, .has_standard_deviation = true };
	struct sample_summary b = a;
	char text[2048];

	for (int i = 0; i < 8; i++)
		d[i] = log(ratios[i]);
	EXPECT_EQ(sample_signed_rank(d, 8, 95.0, work, &test), SAMPLE_STATS_OK);
	paired_report_from(&report, &test, true, 4.0);
	EXPECT_CLOSE(report.shift, exp(test.shift), 1e-15);
	EXPECT_CLOSE(report.shift_percent, (exp(test.shift) - 1.0) * 100.0, 1e-12);
	EXPECT_CLOSE(report.shift_low_percent, (exp(test.shift_low) - 1.0) * 100.0, 1e-12);
	EXPECT_TRUE(report.shift_low < report.shift && report.shift < report.shift_high);
	stats_format_paired(text, sizeof(text), &report);
	EXPECT_CONTAINS(text, "Paired, 8 pairs (line K of x with line K of +): Wilcoxon signed-rank W+ = 34 of 8 nonzero");
	EXPECT_CONTAINS(text, "median ratio + / x (Hodges-Lehmann of ln)");
	stats_format_json(text, sizeof(text), &a, &b, 95.0, NULL, NULL, &report);
	EXPECT_CONTAINS(text, "\"paired\": {\"scale\": \"ratio\", \"pairs\": 8, \"nonzero_pairs\": 8, \"w_plus\": 34, ");

	paired_report_from(&report, &test, false, 4.0);
	EXPECT_TRUE(report.shift == test.shift);
	EXPECT_CLOSE(report.shift_percent, test.shift * 25.0, 1e-12);
	stats_format_paired(text, sizeof(text), &report);
	EXPECT_CONTAINS(text, "median difference + - x (Hodges-Lehmann)");
	EXPECT_CONTAINS(text, "of the median of x");
	stats_format_json(text, sizeof(text), &a, &b, 95.0, NULL, NULL, NULL);
	EXPECT_TRUE(strstr(text, "\"paired\"") == NULL);
}
