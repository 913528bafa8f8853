#include "sandbox.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "log.h"
#include "monotonic_clock.h"

/* "clock": lvmm's CLOCK_REALTIME in ns, for init to set the guest's clock from (its RTC has
 * whole seconds, docs/sandbox.md). */
static void answer_clock(const struct console_reply *reply)
{
	struct timespec now;
	char answer[64];
	int length;

	if (!reply)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	length = snprintf(answer, sizeof(answer), "clock %lld\n",
			  (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
	if (length > 0 && (size_t)length < sizeof(answer))
		reply->send(reply->context, (const uint8_t *)answer, (size_t)length);
}

static void report_line(struct sandbox_report *report, const char *line,
			const struct console_reply *reply)
{
	int value;
	char extra;

	if (report->finished)
		return;
	if (strcmp(line, "clock") == 0) {
		answer_clock(reply);
		return;
	}
	if (strcmp(line, "input") == 0) {
		atomic_store(&report->input_wanted, true);
		return;
	}
	if (strcmp(line, "input-closed") == 0) {
		atomic_store(&report->input_refused, true);
		return;
	}
	if (sscanf(line, "exit %d%c", &value, &extra) == 1 && value >= 0 && value <= 255) {
		report->status = value;
		report->finished = true;
	} else if (sscanf(line, "signal %d%c", &value, &extra) == 1 && value > 0 && value < 128) {
		report->status = 128 + value;
		report->finished = true;
	}
	if (report->finished) {
		/* With launch-timed's exec and exit times: how long the guest took to the status,
		 * and lvmm's stop after it (bench/: where the sandbox's time goes). */
		log_debug("sandbox: the command's status arrived at CLOCK_MONOTONIC %llu ns",
			  (unsigned long long)monotonic_ns());
	} else if (strncmp(line, "error ", 6) == 0 && !report->error[0]) {
		snprintf(report->error, sizeof(report->error), "%s", line + 6);
	} else if (strncmp(line, "warning ", 8) == 0) {
		log_warning("sandbox: %s", line + 8);
	} else if (strncmp(line, "trace ", 6) == 0) {
		/* init's steps (lvmm.sandbox_trace, set by --loglevel debug): with lvmm's clock
		 * beside the guest's, where the time to the status goes. */
		log_debug("sandbox: guest init: %s, at CLOCK_MONOTONIC %llu ns", line + 6,
			  (unsigned long long)monotonic_ns());
	}
}

bool sandbox_report_receive(void *context, const uint8_t *bytes, size_t count,
			    const struct console_reply *reply)
{
	struct sandbox_report *report = context;

	for (size_t i = 0; i < count; i++) {
		if (bytes[i] == '\n') {
			report->line[report->length] = '\0';
			report_line(report, report->line, reply);
			report->length = 0;
		} else if (report->length < sizeof(report->line) - 1 && bytes[i] != '\r') {
			report->line[report->length++] = (char)bytes[i];
		}
	}
	return report->finished && !report->wait_for_power_off;
}

bool sandbox_report_output_closed(void *context)
{
	struct sandbox_report *report = context;

	report->output_closed = true;
	return true;
}
