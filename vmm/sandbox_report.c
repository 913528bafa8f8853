#include "sandbox.h"

#include <stdio.h>
#include <string.h>

static void report_line(struct sandbox_report *report, const char *line)
{
	int value;
	char extra;

	if (report->finished)
		return;
	if (sscanf(line, "exit %d%c", &value, &extra) == 1 && value >= 0 && value <= 255) {
		report->status = value;
		report->finished = true;
	} else if (sscanf(line, "signal %d%c", &value, &extra) == 1 && value > 0 && value < 128) {
		report->status = 128 + value;
		report->finished = true;
	} else if (strncmp(line, "error ", 6) == 0 && !report->error[0]) {
		snprintf(report->error, sizeof(report->error), "%s", line + 6);
	}
}

bool sandbox_report_receive(void *context, const uint8_t *bytes, size_t count)
{
	struct sandbox_report *report = context;

	for (size_t i = 0; i < count; i++) {
		if (bytes[i] == '\n') {
			report->line[report->length] = '\0';
			report_line(report, report->line);
			report->length = 0;
		} else if (report->length < sizeof(report->line) - 1 && bytes[i] != '\r') {
			report->line[report->length++] = (char)bytes[i];
		}
	}
	return report->finished && !report->wait_for_power_off;
}

