#include "hw/rtc_pl031.h"
#include "unit_test.h"
#include "vmm/mmio_bus.h"

enum { DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0c, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1c };

static int64_t fake_now;
static struct rtc_pl031 rtc;

static int64_t fake_clock(void)
{
	return fake_now;
}

static void setup(void)
{
	fake_now = 1700000000;
	rtc_pl031_init(&rtc, fake_clock);
}

static void teardown(void)
{
	pthread_mutex_destroy(&rtc.lock);
}

static uint32_t rd(uint64_t offset)
{
	uint8_t data[4];

	memset(data, 0xee, sizeof(data));
	rtc_pl031_mmio(&rtc, offset, data, 4, false);
	return (uint32_t)mmio_data_read(data, 4);
}

static void wr(uint64_t offset, uint32_t value)
{
	uint8_t data[4];

	mmio_data_write(data, 4, value);
	rtc_pl031_mmio(&rtc, offset, data, 4, true);
}

TEST(rtc_data_register_counts_host_time)
{
	setup();
	EXPECT_EQ(rd(DR), 1700000000);
	fake_now += 61;
	EXPECT_EQ(rd(DR), 1700000061);
	wr(DR, 42); /* read-only */
	EXPECT_EQ(rd(DR), 1700000061);
	fake_now = (1LL << 32) + 5; /* the counter is 32 bits wide */
	EXPECT_EQ(rd(DR), 5);
	teardown();
}

TEST(rtc_load_register_sets_time)
{
	setup();
	wr(LR, 1000);
	EXPECT_EQ(rd(DR), 1000);
	EXPECT_EQ(rd(LR), 1000);
	fake_now += 5; /* and it keeps counting from there */
	EXPECT_EQ(rd(DR), 1005);
	wr(LR, 0xfffffffe); /* later than the host: a positive offset */
	fake_now += 3;
	EXPECT_EQ(rd(DR), 1); /* wrapped */
	wr(LR, 1700000000); /* back to host time */
	EXPECT_EQ(rd(DR), 1700000000);
	teardown();
}

TEST(rtc_default_clock_is_host_time)
{
	struct rtc_pl031 real;
	uint8_t data[4];
	int64_t before = rtc_host_seconds(), now;

	rtc_pl031_init(&real, NULL);
	rtc_pl031_mmio(&real, DR, data, 4, false);
	now = (int64_t)mmio_data_read(data, 4);
	EXPECT_TRUE(now >= (int64_t)(uint32_t)before && now <= (int64_t)(uint32_t)before + 2);
	pthread_mutex_destroy(&real.lock);
}

TEST(rtc_identification)
{
	static const uint8_t id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	uint8_t data[1];

	setup();
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(rd(0xfe0 + 4 * i), id[i]);
	rtc_pl031_mmio(&rtc, 0xff0, data, 1, false); /* PrimeCell ID0, byte access */
	EXPECT_EQ(data[0], 0x0d);
	EXPECT_EQ(rd(0xfe2), 0);  /* unaligned: not an ID register */
	EXPECT_EQ(rd(0xfdc), 0);
	EXPECT_EQ(rd(0x1000 - 4), 0xb1);
	wr(0xfe0, 0); /* read-only */
	EXPECT_EQ(rd(0xfe0), 0x31);
	teardown();
}

TEST(rtc_control_register)
{
	setup();
	EXPECT_EQ(rd(CR), 1);
	wr(CR, 0); /* the RTC cannot be stopped */
	EXPECT_EQ(rd(CR), 1);
	EXPECT_EQ(rd(0x20), 0); /* reserved */
	teardown();
}

TEST(rtc_match_and_interrupt_status)
{
	setup();
	EXPECT_EQ(rd(MR), 0);
	EXPECT_EQ(rd(IMSC), 0);
	EXPECT_EQ(rd(RIS), 0);
	wr(MR, (uint32_t)fake_now + 1);
	EXPECT_EQ(rd(MR), (uint32_t)fake_now + 1);
	EXPECT_EQ(rd(RIS), 0);
	EXPECT_EQ(rd(MIS), 0);
	fake_now++;
	EXPECT_EQ(rd(RIS), 1); /* the match is seen... */
	EXPECT_EQ(rd(MIS), 0); /* ...and masked */
	fake_now++;
	EXPECT_EQ(rd(RIS), 1); /* it stays until cleared */
	wr(IMSC, 0xff);
	EXPECT_EQ(rd(IMSC), 1); /* one bit */
	EXPECT_EQ(rd(MIS), 1);
	wr(ICR, 0);             /* writing 0 clears nothing */
	EXPECT_EQ(rd(RIS), 1);
	wr(ICR, 1);
	EXPECT_EQ(rd(RIS), 0);
	EXPECT_EQ(rd(MIS), 0);

	wr(MR, (uint32_t)fake_now); /* a match at the current second */
	EXPECT_EQ(rd(MIS), 1);
	wr(MR, (uint32_t)fake_now + 100); /* a new match value clears the status */
	EXPECT_EQ(rd(RIS), 0);
	wr(IMSC, 0);
	EXPECT_EQ(rd(IMSC), 0);
	teardown();
}
