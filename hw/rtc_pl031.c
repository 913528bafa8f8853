#include "rtc_pl031.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/device_tree.h"
#include "vmm/mmio_bus.h"

enum {
	RTC_DR = 0x00, RTC_MR = 0x04, RTC_LR = 0x08, RTC_CR = 0x0c,
	RTC_IMSC = 0x10, RTC_RIS = 0x14, RTC_MIS = 0x18, RTC_ICR = 0x1c,
	RTC_PERIPH_ID0 = 0xfe0,
};

/* PrimeCell identification: the AMBA bus matches the driver on these. */
static const uint8_t rtc_id_bytes[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

int64_t rtc_host_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

void rtc_pl031_init(struct rtc_pl031 *rtc, int64_t (*now)(void))
{
	memset(rtc, 0, sizeof(*rtc));
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->now = now ? now : rtc_host_seconds;
}

static uint32_t rtc_counter(const struct rtc_pl031 *rtc)
{
	return (uint32_t)(rtc->now() + rtc->offset);
}

static uint32_t rtc_raw_interrupt(struct rtc_pl031 *rtc)
{
	if (rtc_counter(rtc) == rtc->match)
		rtc->alarm_seen = true;
	return rtc->alarm_seen;
}

static uint32_t rtc_read(struct rtc_pl031 *rtc, uint64_t offset)
{
	switch (offset) {
	case RTC_DR: return rtc_counter(rtc);
	case RTC_MR: return rtc->match;
	case RTC_LR: return rtc_counter(rtc);
	case RTC_CR: return 1; /* always started */
	case RTC_IMSC: return rtc->interrupt_mask;
	case RTC_RIS: return rtc_raw_interrupt(rtc);
	case RTC_MIS: return rtc_raw_interrupt(rtc) & rtc->interrupt_mask;
	default:
		if (offset >= RTC_PERIPH_ID0 && offset < RTC_PERIPH_ID0 + 32 && offset % 4 == 0)
			return rtc_id_bytes[(offset - RTC_PERIPH_ID0) / 4];
		return 0;
	}
}

static void rtc_write(struct rtc_pl031 *rtc, uint64_t offset, uint32_t value)
{
	switch (offset) {
	case RTC_MR:
		rtc->match = value;
		rtc->alarm_seen = false;
		break;
	case RTC_LR:
		rtc->offset = (int64_t)value - rtc->now();
		break;
	case RTC_IMSC:
		rtc->interrupt_mask = value & 1;
		break;
	case RTC_ICR:
		if (value & 1)
			rtc->alarm_seen = false;
		break;
	default: /* DR, CR (the RTC cannot be stopped), RIS, MIS and the IDs are read-only */
		break;
	}
}

void rtc_pl031_mmio(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct rtc_pl031 *rtc = device;

	pthread_mutex_lock(&rtc->lock);
	if (is_write)
		rtc_write(rtc, offset, (uint32_t)mmio_data_read(data, len));
	else
		mmio_data_write(data, len, rtc_read(rtc, offset));
	pthread_mutex_unlock(&rtc->lock);
}

/* The device, with the "apb_pclk" clock the AMBA bus will not probe a PrimeCell without. */

static int rtc_device_create(struct device *device, char *err, size_t err_size)
{
	if (device_alloc_state(device, sizeof(struct rtc_pl031), err, err_size))
		return -1;
	rtc_pl031_init(device->state, NULL);
	return device_map_mmio(device, rtc_pl031_mmio, device->state, err, err_size);
}

static int rtc_device_describe_clock(void *fdt)
{
	int ret;

	if ((ret = fdt_begin_node(fdt, "apb-pclk")) ||
	    (ret = fdt_property_string(fdt, "compatible", "fixed-clock")) ||
	    (ret = fdt_property_cell(fdt, "#clock-cells", 0)) ||
	    (ret = fdt_property_cell(fdt, "clock-frequency", 24000000)) ||
	    (ret = fdt_property_string(fdt, "clock-output-names", "clk24mhz")) ||
	    (ret = fdt_property_cell(fdt, "phandle", DEVICE_TREE_PHANDLE_APB_PCLK)))
		return ret;
	return fdt_end_node(fdt);
}

static int rtc_device_describe(const struct device *device, struct device_tree *tree)
{
	static const char compatible[] = "arm,pl031\0arm,primecell";
	void *fdt = tree->fdt;
	int ret;

	if ((ret = rtc_device_describe_clock(fdt)) ||
	    (ret = device_tree_begin_node(tree, "rtc", device->mmio_base)) ||
	    (ret = fdt_property(fdt, "compatible", compatible, sizeof(compatible))) ||
	    (ret = device_tree_property_reg(tree, device->mmio_base, device->mmio_size)) ||
	    (ret = device_tree_property_interrupts(tree, device->irq, 1, DEVICE_IRQ_LEVEL_HIGH)) ||
	    (ret = fdt_property_cell(fdt, "clocks", DEVICE_TREE_PHANDLE_APB_PCLK)) ||
	    (ret = fdt_property_string(fdt, "clock-names", "apb_pclk")))
		return ret;
	return fdt_end_node(fdt);
}

static void rtc_device_destroy(struct device *device)
{
	struct rtc_pl031 *rtc = device->state;

	if (!rtc)
		return;
	pthread_mutex_destroy(&rtc->lock);
	free(rtc);
	device->state = NULL;
}

const struct device_class rtc_pl031_device = {
	.name = "rtc",
	.create = rtc_device_create,
	.describe = rtc_device_describe,
	.destroy = rtc_device_destroy,
};
