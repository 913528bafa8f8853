#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void usage_error(const char *what, int option)
{
	if (option)
		fprintf(stderr, "%s: %s -%c (%s)\n", workload_name, what, option, workload_usage);
	else
		fprintf(stderr, "%s: %s (%s)\n", workload_name, what, workload_usage);
	exit(2);
}

void option_error(const char *optstring)
{
	const char *known = optopt && optopt != ':' ? strchr(optstring, optopt) : NULL;

	usage_error(known && known[1] == ':' ? "a value is missing after" : "unknown option", optopt);
}

unsigned long parse_count(const char *option, const char *text, unsigned long min,
			  unsigned long max)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value < min ||
	    value > max) {
		fprintf(stderr, "%s: %s wants a number from %lu to %lu, not '%s'\n", workload_name,
			option, min, max, text);
		exit(2);
	}
	return value;
}

void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", workload_name, what, strerror(errno));
	exit(1);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
