#include "doorbell.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lvmm/doorbell.h"
#include "lvmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

uint64_t doorbell_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void doorbell_ucall(struct doorbell *doorbell, uint64_t gpa)
{
	struct doorbell_ucall call;
	const void *host;
	char line[DOORBELL_TEXT_MAX + 128];

	host = gpa % 8 == 0 ? guest_memory_translate(doorbell->memory, gpa, sizeof(call)) : NULL;
	if (!host) {
		log_limited(LOG_WARNING, "guest doorbell: ucall address 0x%llx is not an aligned struct in guest RAM; ignored",
			    (unsigned long long)gpa);
		return;
	}
	/* Copy first: other vCPUs may be changing guest memory while lvmm reads it. */
	memcpy(&call, host, sizeof(call));
	call.text[DOORBELL_TEXT_MAX - 1] = '\0';

	switch (call.command) {
	case UCALL_PRINT:
		snprintf(line, sizeof(line), "guest: %s\n", call.text);
		break;
	case UCALL_REPORT:
		snprintf(line, sizeof(line), "report %s=%llu\n", call.text,
			 (unsigned long long)call.args[0]);
		break;
	case UCALL_SYNC:
		snprintf(line, sizeof(line), "sync %llu %llu\n", (unsigned long long)call.args[0],
			 (unsigned long long)call.args[1]);
		break;
	case UCALL_ASSERT:
		snprintf(line, sizeof(line), "guest assert failed: %s (0x%llx, 0x%llx)\n", call.text,
			 (unsigned long long)call.args[0], (unsigned long long)call.args[1]);
		doorbell->output(doorbell->context, line);
		doorbell->finish(doorbell->context, EXIT_GUEST_TEST_FAIL);
		return;
	case UCALL_DONE:
		doorbell->finish(doorbell->context, EXIT_GUEST_POWEROFF);
		return;
	default:
		log_limited(LOG_WARNING, "guest doorbell: unknown command %llu; ignored",
			    (unsigned long long)call.command);
		return;
	}
	doorbell->output(doorbell->context, line);
}

void doorbell_mmio(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct doorbell *doorbell = device;
	uint64_t value;

	if (!is_write) {
		if (offset == DOORBELL_REG_VERSION)
			value = DOORBELL_VERSION;
		else if (offset == DOORBELL_REG_HOST_NS)
			value = doorbell->clock_ns();
		else
			value = 0;
		mmio_data_write(data, len, value);
		return;
	}
	value = mmio_data_read(data, len);
	if (offset == DOORBELL_REG_UCALL && len == 8) {
		doorbell_ucall(doorbell, value);
	} else if (offset == DOORBELL_REG_MARKER) {
		uint64_t elapsed = doorbell->clock_ns() - doorbell->start_ns;

		log_info("guest marker %llu at %llu.%06llu s", (unsigned long long)value,
			 (unsigned long long)(elapsed / 1000000000ULL),
			 (unsigned long long)(elapsed % 1000000000ULL / 1000));
	}
}
