/*
 * The init of the sandbox benchmark's timeline baseline (bench/in-host.sh, sandbox): reads the
 * kernel's log (klogctl, no file system needed), prints the kernel's timestamp of "Run /init"
 * as one line, and powers off. The sandbox's own init logs its steps on the same clock
 * (lvmm.sandbox_trace), so the two boots' kernel start-up can be set side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/reboot.h>
#include <unistd.h>

#define SYSLOG_ACTION_READ_ALL 3

static char log_text[1 << 20];

int main(void)
{
	int size = klogctl(SYSLOG_ACTION_READ_ALL, log_text, sizeof(log_text) - 1);
	const char *found, *stamp;

	if (size > 0) {
		log_text[size] = '\0';
		found = strstr(log_text, "] Run /init as init process");
		/* The line's "[    0.797306]" precedes what was found. */
		for (stamp = found; stamp && stamp > log_text && stamp[-1] != '['; stamp--)
			;
		if (found && stamp > log_text)
			printf("LVMM-BOOT-PROBE run_init_s=%.6f\n", strtod(stamp, NULL));
		else
			printf("LVMM-BOOT-PROBE no 'Run /init' line in the kernel's log\n");
	} else {
		printf("LVMM-BOOT-PROBE cannot read the kernel's log\n");
	}
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 1;
}
