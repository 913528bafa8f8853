#include "hw/rtc_pl031.h"
#include "unit_test.h"
#include "vmm/mmio_bus.h"

static int64_t fake_now = 1700000000;

static int64_t fake_clock(void)
{
	return fake_now;
}

static uint32_t rtc_read(struct rtc_pl031 *rtc, uint64_t offset)
{
	uint8_t data[4];

	rtc_pl031_mmio(rtc, offset, data, 4, false);
	return (uint32_t)mmio_data_read(data, 4);
}

static void rtc_write(struct rtc_pl031 *rtc, uint64_t offset, uint32_t value)
{
	uint8_t data[4];

	mmio_data_write(data, 4, value);
	rtc_pl031_mmio(rtc, offset, data, 4, true);
}

TEST(rtc_counts_host_time_and_can_be_set)
{
	struct rtc_pl031 rtc;

	rtc_pl031_init(&rtc, fake_clock);
	EXPECT_EQ(rtc_read(&rtc, 0x00), 1700000000);
	EXPECT_EQ(rtc_read(&rtc, 0x0c), 1);
	rtc_write(&rtc, 0x08, 1000);
	EXPECT_EQ(rtc_read(&rtc, 0x00), 1000);
	fake_now += 5;
	EXPECT_EQ(rtc_read(&rtc, 0x00), 1005);
	rtc_write(&rtc, 0x00, 42); /* DR is read-only */
	EXPECT_EQ(rtc_read(&rtc, 0x00), 1005);
}

TEST(rtc_identification)
{
	static const uint8_t id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	struct rtc_pl031 rtc;

	rtc_pl031_init(&rtc, fake_clock);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(rtc_read(&rtc, 0xfe0 + 4 * i), id[i]);
}

TEST(rtc_match_status)
{
	struct rtc_pl031 rtc;

	rtc_pl031_init(&rtc, fake_clock);
	rtc_write(&rtc, 0x04, (uint32_t)fake_now + 1);
	EXPECT_EQ(rtc_read(&rtc, 0x14), 0);
	fake_now++;
	EXPECT_EQ(rtc_read(&rtc, 0x14), 1);
	EXPECT_EQ(rtc_read(&rtc, 0x18), 0); /* masked */
	rtc_write(&rtc, 0x10, 1);
	EXPECT_EQ(rtc_read(&rtc, 0x18), 1);
	rtc_write(&rtc, 0x1c, 1);
	fake_now++;
	EXPECT_EQ(rtc_read(&rtc, 0x14), 0);
}
