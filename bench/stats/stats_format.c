#include "stats_format.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* snprintf's contract over several appends: length counts what the whole text needs. */
struct text {
	char *buffer;
	size_t size;
	size_t length;
};

static struct text text_start(char *buffer, size_t size)
{
	if (size > 0)
		buffer[0] = '\0';
	return (struct text){ buffer, size, 0 };
}

static void append(struct text *text, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void append(struct text *text, const char *format, ...)
{
	char *end = text->length < text->size ? text->buffer + text->length : NULL;
	size_t room = end ? text->size - text->length : 0;
	va_list ap;
	int written;

	va_start(ap, format);
	written = vsnprintf(end, room, format, ap);
	va_end(ap);
	if (written > 0)
		text->length += (size_t)written;
}

/* "95.0" as ministat prints it; a confidence with more decimals keeps them all ("99.95"). */
static void append_confidence(struct text *text, double confidence_percent)
{
	double tenths = confidence_percent * 10.0;

	if (fabs(tenths - round(tenths)) < 1e-9)
		append(text, "%.1f", confidence_percent);
	else
		append(text, "%.10g", confidence_percent);
}

size_t stats_format_header(char *buffer, size_t size)
{
	struct text text = text_start(buffer, size);

	append(&text, "    N %13s %13s %13s %13s %13s\n", "Min", "Max", "Median", "Avg", "Stddev");
	return text.length;
}

/*
 * Every figure of the table to 8 significant digits (ministat's rule): integers of up to 8
 * digits print whole, and means and deviations keep what their data justifies and no more.
 */
size_t stats_format_row(char *buffer, size_t size, char symbol,
			const struct sample_summary *summary)
{
	struct text text = text_start(buffer, size);

	append(&text, "%c %3zu %13.8g %13.8g %13.8g %13.8g", symbol, summary->count,
	       summary->minimum, summary->maximum, summary->median, summary->mean);
	if (summary->has_standard_deviation)
		append(&text, " %13.8g\n", summary->standard_deviation);
	else
		append(&text, " %13s\n", "-");
	return text.length;
}

/* The comparison's figures to %g's 6 significant digits, as ministat prints them. */
size_t stats_format_comparison(char *buffer, size_t size,
			       const struct sample_comparison *comparison)
{
	struct text text = text_start(buffer, size);

	if (!comparison->significant) {
		append(&text, "No difference proven at ");
		append_confidence(&text, comparison->confidence_percent);
		append(&text, "%% confidence\n");
		return text.length;
	}
	append(&text, "Difference at ");
	append_confidence(&text, comparison->confidence_percent);
	append(&text, "%% confidence\n");
	append(&text, "\t%g +/- %g\n", comparison->difference, comparison->half_width);
	if (comparison->has_percent)
		append(&text, "\t%g%% +/- %g%%\n", comparison->difference_percent,
		       comparison->half_width_percent);
	append(&text, "\t(Student's t, pooled s = %g)\n", comparison->pooled_standard_deviation);
	return text.length;
}

/* The shortest of 15, 16 or 17 significant digits that reads back as the same double. */
static void append_json_number(struct text *text, double value)
{
	char digits[40];

	if (!isfinite(value)) {
		append(text, "null");
		return;
	}
	for (int precision = 15; precision <= 17; precision++) {
		snprintf(digits, sizeof(digits), "%.*g", precision, value);
		if (strtod(digits, NULL) == value)
			break;
	}
	append(text, "%s", digits);
}

static void append_json_optional(struct text *text, bool present, double value)
{
	if (present)
		append_json_number(text, value);
	else
		append(text, "null");
}

static void append_json_summary(struct text *text, const struct sample_summary *summary)
{
	append(text, "{\"n\": %zu, \"min\": ", summary->count);
	append_json_number(text, summary->minimum);
	append(text, ", \"max\": ");
	append_json_number(text, summary->maximum);
	append(text, ", \"median\": ");
	append_json_number(text, summary->median);
	append(text, ", \"mean\": ");
	append_json_number(text, summary->mean);
	append(text, ", \"stddev\": ");
	append_json_optional(text, summary->has_standard_deviation, summary->standard_deviation);
	append(text, "}");
}

size_t stats_format_rank(char *buffer, size_t size, const struct rank_comparison *rank)
{
	struct text text = text_start(buffer, size);

	append(&text, "Mann-Whitney U = %g (P(+ > x) = %g), z = %g, two-sided p = %g: %s at ",
	       rank->u, rank->probability_b_greater, rank->z, rank->p_value,
	       rank->significant ? "difference" : "no difference proven");
	append_confidence(&text, rank->confidence_percent);
	append(&text, "%% confidence\n");
	append(&text, "\tmedian shift (Hodges-Lehmann) %g, interval [%g, %g]\n", rank->shift,
	       rank->shift_low, rank->shift_high);
	if (rank->has_percent)
		append(&text, "\t%g%%, interval [%g%%, %g%%] of the median of x\n", rank->shift_percent,
		       rank->shift_low_percent, rank->shift_high_percent);
	return text.length;
}

void paired_report_from(struct paired_report *report, const struct signed_rank_comparison *test,
			bool ratio, double median_a)
{
	*report = (struct paired_report){ .test = *test, .ratio = ratio };
	if (ratio) {
		report->shift = exp(test->shift);
		report->shift_low = exp(test->shift_low);
		report->shift_high = exp(test->shift_high);
		report->shift_percent = (report->shift - 1.0) * 100.0;
		report->shift_low_percent = (report->shift_low - 1.0) * 100.0;
		report->shift_high_percent = (report->shift_high - 1.0) * 100.0;
		report->has_percent = true;
		return;
	}
	report->shift = test->shift;
	report->shift_low = test->shift_low;
	report->shift_high = test->shift_high;
	report->has_percent = median_a != 0.0;
	if (report->has_percent) {
		report->shift_percent = test->shift * 100.0 / fabs(median_a);
		report->shift_low_percent = test->shift_low * 100.0 / fabs(median_a);
		report->shift_high_percent = test->shift_high * 100.0 / fabs(median_a);
	}
}

size_t stats_format_paired(char *buffer, size_t size, const struct paired_report *paired)
{
	struct text text = text_start(buffer, size);
	const struct signed_rank_comparison *test = &paired->test;

	append(&text, "Paired, %zu pairs (line K of x with line K of +): Wilcoxon signed-rank W+ = %g "
	       "of %zu nonzero, z = %g, two-sided p = %g: %s at ", test->pairs, test->w_plus,
	       test->nonzero_pairs, test->z, test->p_value,
	       test->significant ? "difference" : "no difference proven");
	append_confidence(&text, test->confidence_percent);
	append(&text, "%% confidence\n");
	append(&text, "\tmedian %s (Hodges-Lehmann%s) %g, interval [%g, %g]\n",
	       paired->ratio ? "ratio + / x" : "difference + - x", paired->ratio ? " of ln" : "",
	       paired->shift, paired->shift_low, paired->shift_high);
	if (paired->has_percent)
		append(&text, "\t%+g%%, interval [%+g%%, %+g%%]%s\n", paired->shift_percent,
		       paired->shift_low_percent, paired->shift_high_percent,
		       paired->ratio ? "" : " of the median of x");
	return text.length;
}

static void append_json_paired(struct text *text, const struct paired_report *paired)
{
	const struct signed_rank_comparison *test = &paired->test;
	const struct { const char *name; double value; bool present; } fields[] = {
		{ "w_plus", test->w_plus, true },
		{ "z", test->z, true },
		{ "p_value", test->p_value, true },
		{ "shift", paired->shift, true },
		{ "shift_low", paired->shift_low, true },
		{ "shift_high", paired->shift_high, true },
		{ "shift_percent", paired->shift_percent, paired->has_percent },
		{ "shift_low_percent", paired->shift_low_percent, paired->has_percent },
		{ "shift_high_percent", paired->shift_high_percent, paired->has_percent },
	};

	append(text, ", \"paired\": {\"scale\": \"%s\", \"pairs\": %zu, \"nonzero_pairs\": %zu",
	       paired->ratio ? "ratio" : "difference", test->pairs, test->nonzero_pairs);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		append(text, ", \"%s\": ", fields[i].name);
		append_json_optional(text, fields[i].present, fields[i].value);
	}
	append(text, ", \"significant\": %s}", test->significant ? "true" : "false");
}

static void append_json_rank(struct text *text, const struct rank_comparison *rank)
{
	const struct rank_comparison none = { 0 };
	const struct rank_comparison *r = rank ? rank : &none;
	bool ranked = rank != NULL, has_percent = ranked && rank->has_percent;
	const struct { const char *name; double value; bool present; } fields[] = {
		{ "mann_whitney_u", r->u, ranked },
		{ "probability_b_greater", r->probability_b_greater, ranked },
		{ "z", r->z, ranked },
		{ "p_value", r->p_value, ranked },
		{ "shift", r->shift, ranked },
		{ "shift_low", r->shift_low, ranked },
		{ "shift_high", r->shift_high, ranked },
		{ "shift_percent", r->shift_percent, has_percent },
		{ "shift_low_percent", r->shift_low_percent, has_percent },
		{ "shift_high_percent", r->shift_high_percent, has_percent },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		append(text, ", \"%s\": ", fields[i].name);
		append_json_optional(text, fields[i].present, fields[i].value);
	}
	append(text, ", \"rank_significant\": %s",
	       !ranked ? "null" : rank->significant ? "true" : "false");
}

size_t stats_format_json(char *buffer, size_t size, const struct sample_summary *a,
			 const struct sample_summary *b, double confidence_percent,
			 const struct sample_comparison *comparison,
			 const struct rank_comparison *rank, const struct paired_report *paired)
{
	struct text text = text_start(buffer, size);
	bool compared = comparison != NULL;
	bool has_percent = compared && comparison->has_percent;

	append(&text, "{\"a\": ");
	append_json_summary(&text, a);
	if (b) {
		append(&text, ", \"b\": ");
		append_json_summary(&text, b);
		append(&text, ", \"confidence\": ");
		append_json_number(&text, confidence_percent);
		append(&text, ", \"difference\": ");
		append_json_optional(&text, compared, compared ? comparison->difference : 0.0);
		append(&text, ", \"half_width\": ");
		append_json_optional(&text, compared, compared ? comparison->half_width : 0.0);
		append(&text, ", \"difference_percent\": ");
		append_json_optional(&text, has_percent, has_percent ? comparison->difference_percent : 0.0);
		append(&text, ", \"half_width_percent\": ");
		append_json_optional(&text, has_percent, has_percent ? comparison->half_width_percent : 0.0);
		append(&text, ", \"pooled_s\": ");
		append_json_optional(&text, compared,
				     compared ? comparison->pooled_standard_deviation : 0.0);
		append(&text, ", \"significant\": %s",
		       !compared ? "null" : comparison->significant ? "true" : "false");
		append_json_rank(&text, rank);
		if (paired)
			append_json_paired(&text, paired);
	}
	append(&text, "}\n");
	return text.length;
}
