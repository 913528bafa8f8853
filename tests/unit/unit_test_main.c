#include <stdarg.h>
#include <stdio.h>

#include "unit_test.h"

static struct unit_test *tests;
static struct unit_test **tests_tail = &tests;
static int current_failures;

void unit_test_register(struct unit_test *test)
{
	*tests_tail = test;
	tests_tail = &test->next;
}

void unit_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("    %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	current_failures++;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct unit_test *t = tests; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		current_failures = 0;
		t->run();
		if (current_failures) {
			printf("FAIL - %s\n", t->name);
			failed++;
		} else {
			printf("ok - %s\n", t->name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
