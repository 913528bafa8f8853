#include <math.h>
#include <stdlib.h>

#include "bench/stats/rank_stats.h"
#include "bench/stats/sample_stats.h"
#include "bench/stats/stats_format.h"
#include "unit_test.h"

/*
 * References: scipy 1.10 (Debian's python3-scipy), mannwhitneyu(b, a, alternative="two-sided",
 * method="asymptotic", use_continuity=True); the shift and its interval from numpy over all
 * b_j - a_i, with C = floor(mn/2 - 1.959964 sqrt(mn(m+n+1)/12)).
 */
static enum sample_stats_status rank(double *a, size_t m, double *b, size_t n,
				     struct rank_comparison *result)
{
	struct sample_summary summary_a, summary_b;
	double work[256];

	EXPECT_EQ(sample_summarize(a, m, &summary_a), SAMPLE_STATS_OK);
	EXPECT_EQ(sample_summarize(b, n, &summary_b), SAMPLE_STATS_OK);
	return sample_rank_compare(a, m, b, n, summary_a.median, 95.0, work, result);
}

TEST(rank_separated_samples)
{
	double a[] = { 33365, 33479, 33391, 33460, 33541, 33704, 33417, 33599, 33365, 33500 };
	double b[] = { 36858, 35000, 34388, 39405, 36900, 37000, 36858, 35500, 36100, 38000 };
	struct rank_comparison r;

	EXPECT_EQ(rank(a, 10, b, 10, &r), SAMPLE_STATS_OK);
	EXPECT_TRUE(r.u == 100.0);
	EXPECT_TRUE(r.probability_b_greater == 1.0);
	EXPECT_CLOSE(r.p_value, 0.000180634720808, 1e-9);
	EXPECT_TRUE(r.z > 0.0);
	EXPECT_TRUE(r.shift == 3358.0);
	EXPECT_TRUE(r.shift_low == 2021.0 && r.shift_high == 3540.0);
	EXPECT_TRUE(r.significant);
	EXPECT_TRUE(r.has_percent);
	/* Of the median of a: (33460 + 33479) / 2. */
	EXPECT_CLOSE(r.shift_percent, 3358.0 * 100.0 / 33469.5, 1e-14);
}

TEST(rank_ties_and_overlap)
{
	double a[] = { 1, 2, 2, 3, 4, 5, 5, 5, 6, 7 };
	double b[] = { 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9 };
	struct rank_comparison r;

	EXPECT_EQ(rank(a, 10, b, 11, &r), SAMPLE_STATS_OK);
	EXPECT_TRUE(r.u == 76.5);
	EXPECT_CLOSE(r.p_value, 0.135980752726, 1e-9);
	EXPECT_TRUE(r.shift == 2.0);
	EXPECT_TRUE(r.shift_low == -1.0 && r.shift_high == 4.0);
	EXPECT_FALSE(r.significant);
}

TEST(rank_symmetric_and_equal)
{
	double a[] = { 10.5, 11.0, 9.5, 12.0, 10.0, 10.25, 11.5, 9.75 };
	double b[] = { 10.0, 11.25, 9.0, 10.5, 12.5, 10.75, 9.25, 11.0 };
	double same_a[] = { 4, 4, 4 }, same_b[] = { 4, 4 };
	struct rank_comparison r;

	EXPECT_EQ(rank(a, 8, b, 8, &r), SAMPLE_STATS_OK);
	EXPECT_TRUE(r.u == 31.5);
	EXPECT_CLOSE(r.p_value, 1.0, 1e-12);
	EXPECT_TRUE(r.shift == 0.0 && r.shift_low == -1.0 && r.shift_high == 1.0);
	/* Nothing to rank apart: no variance, p = 1, no shift. */
	EXPECT_EQ(rank(same_a, 3, same_b, 2, &r), SAMPLE_STATS_OK);
	EXPECT_TRUE(r.p_value == 1.0 && r.z == 0.0 && r.shift == 0.0);
	EXPECT_FALSE(r.significant);
}

TEST(rank_bad_input)
{
	double a[] = { 1, 2, 3 }, b[] = { 1, NAN }, work[16];
	struct rank_comparison r = { .u = -7 };

	EXPECT_EQ(sample_rank_compare(a, 3, b, 1, 2.0, 95.0, work, &r), SAMPLE_STATS_TOO_FEW);
	EXPECT_EQ(sample_rank_compare(a, 3, a, 3, 2.0, 100.0, work, &r), SAMPLE_STATS_BAD_CONFIDENCE);
	EXPECT_EQ(sample_rank_compare(a, 3, b, 2, 2.0, 95.0, work, &r), SAMPLE_STATS_NOT_FINITE);
	EXPECT_TRUE(r.u == -7); /* untouched on error */
}

TEST(rank_text_and_json)
{
	double a[] = { 1, 2, 2, 3, 4, 5, 5, 5, 6, 7 };
	double b[] = { 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9 };
	struct sample_summary summary_a, summary_b;
	struct rank_comparison r;
	char text[2048];

	EXPECT_EQ(rank(a, 10, b, 11, &r), SAMPLE_STATS_OK);
	stats_format_rank(text, sizeof(text), &r);
	EXPECT_CONTAINS(text, "Mann-Whitney U = 76.5");
	EXPECT_CONTAINS(text, "no difference proven at 95.0% confidence");
	EXPECT_CONTAINS(text, "median shift (Hodges-Lehmann) 2, interval [-1, 4]");
	EXPECT_CONTAINS(text, "44.4444%, interval [-22.2222%, 88.8889%] of the median of x");
	sample_summarize(a, 10, &summary_a);
	sample_summarize(b, 11, &summary_b);
	stats_format_json(text, sizeof(text), &summary_a, &summary_b, 95.0, NULL, &r, NULL);
	EXPECT_CONTAINS(text, "\"mann_whitney_u\": 76.5, ");
	EXPECT_CONTAINS(text, "\"shift\": 2, \"shift_low\": -1, \"shift_high\": 4, \"shift_percent\": 44.44444444444444, ");
	EXPECT_CONTAINS(text, "\"rank_significant\": false}");
	stats_format_json(text, sizeof(text), &summary_a, &summary_b, 95.0, NULL, NULL, NULL);
	EXPECT_CONTAINS(text, "\"mann_whitney_u\": null, ");
	EXPECT_CONTAINS(text, "\"rank_significant\": null}");
}
