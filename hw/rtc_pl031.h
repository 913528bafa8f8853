#ifndef LVMM_HW_RTC_PL031_H
#define LVMM_HW_RTC_PL031_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/device.h"

/*
 * An ARM PL031 real-time clock counting host wall-clock seconds. The guest may set it (LR);
 * lvmm keeps the offset from host time. The alarm match register is stored and its raw
 * interrupt status computed on read, but no interrupt is raised (docs/memory-map.md).
 */
struct rtc_pl031 {
	pthread_mutex_t lock;
	int64_t offset;       /* guest seconds - host seconds */
	uint32_t match;
	uint32_t interrupt_mask;
	bool alarm_seen;
	int64_t (*now)(void); /* host wall-clock seconds; replaceable for tests */
};

void rtc_pl031_init(struct rtc_pl031 *rtc, int64_t (*now)(void));
void rtc_pl031_mmio(void *rtc, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
int64_t rtc_host_seconds(void);

extern const struct device_class rtc_pl031_device;

#endif
