/*
 * lvmm-stats: summarises one or two files of numbers and compares them by Student's t, in the
 * shape of FreeBSD's ministat, and by ranks (Mann-Whitney U, Hodges-Lehmann shift), for the
 * benchmark report's A/B (bench/report.py); and, for files whose lines pair up (-p), by the
 * Wilcoxon signed-rank test of the pairs.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rank_stats.h"
#include "sample_stats.h"
#include "signed_rank_stats.h"
#include "stats_format.h"

#define EXIT_BAD_INPUT 2

static const char usage_text[] =
	"usage: lvmm-stats [-c CONFIDENCE] [-j] [-m] [-n] [-p [-r]] FILE_A [FILE_B]\n"
	"  Summarises FILE_A (x) and FILE_B (+): N, min, max, median (the middle value; for an even\n"
	"  N the mean of the two middle ones), mean and sample standard deviation. With two files:\n"
	"  the difference of the means (B - A) with its confidence interval by Student's t with\n"
	"  pooled variance; and by ranks, which assume no distribution, the Mann-Whitney U test\n"
	"  (normal approximation with tie and continuity corrections, two-sided p) and the\n"
	"  Hodges-Lehmann median shift (the median of all B - A differences) with its Moses\n"
	"  confidence interval.\n"
	"  Each file holds one number per line; blank lines and lines starting with # are ignored.\n"
	"  -c CONFIDENCE  confidence level in percent, strictly between 0 and 100 (default 95)\n"
	"  -j             print the figures as one JSON object instead of the table\n"
	"  -m             reproduce ministat's figures: its critical values of t (rounded to 3\n"
	"                 decimals; the normal distribution's beyond 100 degrees of freedom) and\n"
	"                 its median (the value at index N/2 once sorted); by default t is exact\n"
	"  -n             accepted for ministat compatibility: lvmm-stats never draws a plot\n"
	"  -p             paired: line K of FILE_A and line K of FILE_B were measured together (one\n"
	"                 round); both files must hold as many numbers. Adds the Wilcoxon\n"
	"                 signed-rank test of the differences B - A (zeros dropped; normal\n"
	"                 approximation with tie and continuity corrections, two-sided p) and their\n"
	"                 Hodges-Lehmann centre (the median of the Walsh averages) with its\n"
	"                 distribution-free confidence interval\n"
	"  -r             with -p: compare the pairs as ratios B / A (the test runs on ln(B / A);\n"
	"                 the centre and its interval are given as ratios); every value must be > 0\n"
	"  -h             this text\n"
	"  Exit status: 0 on success (also when a file has too few values for a test, which the\n"
	"  output says), 2 for a bad option or input, 1 if the output cannot be written.\n";

struct sample_file {
	const char *path;
	double *values;
	double *in_file_order; /* the values as read, before sample_summarize sorts them */
	size_t count;
	size_t capacity;
	struct sample_summary summary;
};

static void fail_usage(const char *message, const char *detail)
{
	fprintf(stderr, "lvmm-stats: %s%s; run lvmm-stats -h for usage\n", message, detail);
	exit(EXIT_BAD_INPUT);
}

static double parse_confidence(const char *text)
{
	char *end;
	double confidence;

	errno = 0;
	confidence = strtod(text, &end);
	if (end == text || *end != '\0' || errno ||
	    !(confidence > 0.0 && confidence < 100.0)) {
		fprintf(stderr, "lvmm-stats: -c %s: %s (e.g. -c 95)\n", text,
			sample_stats_status_text(SAMPLE_STATS_BAD_CONFIDENCE));
		exit(EXIT_BAD_INPUT);
	}
	return confidence;
}

static void add_value(struct sample_file *file, double value)
{
	if (file->count == file->capacity) {
		size_t capacity = file->capacity ? file->capacity * 2 : 64;
		double *values = realloc(file->values, capacity * sizeof(values[0]));

		if (!values) {
			fprintf(stderr, "lvmm-stats: %s: out of memory after %zu values\n", file->path,
				file->count);
			exit(EXIT_FAILURE);
		}
		file->values = values;
		file->capacity = capacity;
	}
	file->values[file->count++] = value;
}

static void strip_trailing_space(char *line)
{
	size_t length = strlen(line);

	while (length > 0 && isspace((unsigned char)line[length - 1]))
		line[--length] = '\0';
}

/* A line holds one number, maybe surrounded by spaces; exits naming the file and line if not. */
static void parse_line(struct sample_file *file, char *line, unsigned long line_number)
{
	char *start = line, *end;
	double value;

	strip_trailing_space(line);
	while (isspace((unsigned char)*start))
		start++;
	if (*start == '\0' || *start == '#')
		return;
	value = strtod(start, &end);
	if (end == start || *end != '\0') {
		fprintf(stderr,
			"lvmm-stats: %s:%lu: \"%s\" is not a number; put one number per line "
			"(blank lines and lines starting with # are ignored)\n",
			file->path, line_number, start);
		exit(EXIT_BAD_INPUT);
	}
	if (!isfinite(value)) {
		fprintf(stderr,
			"lvmm-stats: %s:%lu: \"%s\" is not a finite number (NaN, infinite or out of "
			"range); remove or fix that run's value\n",
			file->path, line_number, start);
		exit(EXIT_BAD_INPUT);
	}
	add_value(file, value);
}

static void read_sample_file(struct sample_file *file)
{
	FILE *stream = fopen(file->path, "r");
	char *line = NULL;
	size_t line_capacity = 0;
	unsigned long line_number = 0;
	enum sample_stats_status status;

	if (!stream) {
		fprintf(stderr, "lvmm-stats: cannot open %s: %s; check the path\n", file->path,
			strerror(errno));
		exit(EXIT_BAD_INPUT);
	}
	while (getline(&line, &line_capacity, stream) != -1)
		parse_line(file, line, ++line_number);
	if (ferror(stream)) {
		fprintf(stderr, "lvmm-stats: reading %s failed after line %lu: %s\n", file->path,
			line_number, strerror(errno));
		exit(EXIT_BAD_INPUT);
	}
	free(line);
	fclose(stream);
	file->in_file_order = malloc((file->count ? file->count : 1) * sizeof(file->values[0]));
	if (!file->in_file_order) {
		fprintf(stderr, "lvmm-stats: %s: out of memory after %zu values\n", file->path,
			file->count);
		exit(EXIT_FAILURE);
	}
	if (file->count)
		memcpy(file->in_file_order, file->values, file->count * sizeof(file->values[0]));

	status = sample_summarize(file->values, file->count, &file->summary);
	if (status == SAMPLE_STATS_EMPTY) {
		fprintf(stderr, "lvmm-stats: %s holds no numbers; give it one number per line\n",
			file->path);
		exit(EXIT_BAD_INPUT);
	}
	if (status != SAMPLE_STATS_OK) {
		fprintf(stderr, "lvmm-stats: %s: %s\n", file->path, sample_stats_status_text(status));
		exit(EXIT_BAD_INPUT);
	}
}

/* The one file of the pair with fewer than 2 values, for saying why there is no test. */
static const struct sample_file *file_with_too_few(const struct sample_file *a,
						   const struct sample_file *b)
{
	return a->summary.has_standard_deviation ? b : a;
}

static void print_table(const struct sample_file *a, const struct sample_file *b,
			enum sample_stats_status compare_status,
			const struct sample_comparison *comparison,
			const struct rank_comparison *rank, const struct paired_report *paired)
{
	/* Ample: a row is at most about 100 characters, the comparison about 200. */
	char text[1024];

	printf("x %s\n", a->path);
	if (b)
		printf("+ %s\n", b->path);
	stats_format_header(text, sizeof(text));
	fputs(text, stdout);
	stats_format_row(text, sizeof(text), 'x', &a->summary);
	fputs(text, stdout);
	if (!b)
		return;
	stats_format_row(text, sizeof(text), '+', &b->summary);
	fputs(text, stdout);
	if (compare_status == SAMPLE_STATS_OK) {
		stats_format_comparison(text, sizeof(text), comparison);
		fputs(text, stdout);
		if (rank) {
			stats_format_rank(text, sizeof(text), rank);
			fputs(text, stdout);
		}
		if (paired) {
			stats_format_paired(text, sizeof(text), paired);
			fputs(text, stdout);
		}
	} else if (compare_status == SAMPLE_STATS_TOO_FEW) {
		const struct sample_file *short_file = file_with_too_few(a, b);

		printf("No comparison: %s has %zu value; Student's t needs at least 2 in each file\n",
		       short_file->path, short_file->summary.count);
	} else {
		printf("No comparison: %s\n", sample_stats_status_text(compare_status));
	}
}

/* Exits with a line naming the cause when the files cannot pair up. */
static void check_pairing(const struct sample_file *a, const struct sample_file *b)
{
	if (a->count != b->count) {
		fprintf(stderr, "lvmm-stats: -p pairs line K of %s with line K of %s, but they hold %zu "
			"and %zu numbers; give files of one round per line, both complete\n",
			a->path, b->path, a->count, b->count);
		exit(EXIT_BAD_INPUT);
	}
}

/*
 * The signed-rank test of the pairs (line K of a with line K of b): on b - a, or on ln(b / a).
 * Exits with a line naming the cause when a ratio meets a value not above 0.
 */
static bool compare_pairs(const struct sample_file *a, const struct sample_file *b, bool ratio,
			  double confidence, struct paired_report *report)
{
	struct signed_rank_comparison test;
	double *differences, *work;
	bool done;

	differences = malloc(a->count * sizeof(*differences));
	work = malloc(signed_rank_work_count(a->count) * sizeof(*work));
	if (!differences || !work) {
		fprintf(stderr, "lvmm-stats: out of memory for %zu pairs\n", a->count);
		exit(EXIT_FAILURE);
	}
	for (size_t i = 0; i < a->count; i++) {
		double before = a->in_file_order[i], after = b->in_file_order[i];

		if (ratio && !(before > 0.0 && after > 0.0)) {
			fprintf(stderr, "lvmm-stats: -r compares ratios, but pair %zu (%g, %g) holds a "
				"value that is not above 0; drop -r to compare differences\n", i + 1,
				before, after);
			exit(EXIT_BAD_INPUT);
		}
		differences[i] = ratio ? log(after / before) : after - before;
	}
	done = sample_signed_rank(differences, a->count, confidence, work, &test) == SAMPLE_STATS_OK;
	if (done)
		paired_report_from(report, &test, ratio, a->summary.median);
	free(differences);
	free(work);
	return done;
}

int main(int argc, char **argv)
{
	struct sample_file files[2] = { 0 };
	struct sample_comparison comparison = { 0 };
	struct rank_comparison rank = { 0 };
	bool ranked = false, pair = false, ratio = false, paired_done = false;
	struct paired_report paired = { 0 };
	enum sample_stats_status compare_status = SAMPLE_STATS_TOO_FEW;
	enum t_critical_rule rule = T_CRITICAL_EXACT;
	bool json = false;
	double confidence = 95.0;
	int option, file_count;

	while ((option = getopt(argc, argv, ":c:jmnprh")) != -1) {
		switch (option) {
		case 'c':
			confidence = parse_confidence(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'm':
			rule = T_CRITICAL_MINISTAT;
			break;
		case 'n':
			break;
		case 'p':
			pair = true;
			break;
		case 'r':
			ratio = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		case ':':
			fail_usage("-c needs a value, a confidence in percent such as 95", "");
			break;
		default: {
			char unknown[2] = { (char)optopt, '\0' };

			fail_usage("unknown option -", unknown);
		}
		}
	}
	file_count = argc - optind;
	if (file_count < 1 || file_count > 2)
		fail_usage(file_count < 1 ? "no input file" : "too many files",
			   " (give FILE_A and optionally FILE_B)");

	if (ratio && !pair)
		fail_usage("-r compares pairs as ratios and needs -p", "");
	if (pair && file_count != 2)
		fail_usage("-p pairs two files", " (give FILE_A and FILE_B)");
	for (int i = 0; i < file_count; i++) {
		files[i].path = argv[optind + i];
		read_sample_file(&files[i]);
	}
	if (pair)
		check_pairing(&files[0], &files[1]);
	if (rule == T_CRITICAL_MINISTAT)
		for (int i = 0; i < file_count; i++)
			files[i].summary.median = files[i].summary.upper_median;
	if (file_count == 2)
		compare_status = sample_compare(&files[0].summary, &files[1].summary, confidence,
						rule, &comparison);
	if (compare_status == SAMPLE_STATS_OK) {
		double *work = malloc(files[0].count * files[1].count * sizeof(*work));

		if (!work) {
			fprintf(stderr, "lvmm-stats: out of memory for %zu x %zu differences\n",
				files[0].count, files[1].count);
			return EXIT_FAILURE;
		}
		ranked = sample_rank_compare(files[0].values, files[0].count, files[1].values,
					     files[1].count, files[0].summary.median, confidence,
					     work, &rank) == SAMPLE_STATS_OK;
		free(work);
	}
	if (pair && compare_status == SAMPLE_STATS_OK)
		paired_done = compare_pairs(&files[0], &files[1], ratio, confidence, &paired);

	if (json) {
		char text[4096];

		stats_format_json(text, sizeof(text), &files[0].summary,
				  file_count == 2 ? &files[1].summary : NULL, confidence,
				  compare_status == SAMPLE_STATS_OK ? &comparison : NULL,
				  ranked ? &rank : NULL, paired_done ? &paired : NULL);
		fputs(text, stdout);
	} else {
		print_table(&files[0], file_count == 2 ? &files[1] : NULL, compare_status,
			    &comparison, ranked ? &rank : NULL, paired_done ? &paired : NULL);
	}
	for (int i = 0; i < file_count; i++) {
		free(files[i].values);
		free(files[i].in_file_order);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "lvmm-stats: writing the output failed: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
