#include "unit_test.h"
#include "vmm/mmio_bus.h"

/* Each fake device records the last access it saw. */
struct fake_device {
	int calls;
	uint64_t offset;
	uint32_t len;
	bool is_write;
	uint64_t written;
};

static void handler(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct fake_device *d = device;

	d->calls++;
	d->offset = offset;
	d->len = len;
	d->is_write = is_write;
	if (is_write)
		d->written = mmio_data_read(data, len);
	else
		mmio_data_write(data, len, 0x1122334455667788ULL);
}

static struct mmio_region region(uint64_t base, uint64_t size, struct fake_device *device)
{
	return (struct mmio_region){ base, size, handler, device, "test" };
}

static int add(struct mmio_bus *bus, uint64_t base, uint64_t size, struct fake_device *device)
{
	struct mmio_region r = region(base, size, device);

	return mmio_bus_register(bus, &r);
}

TEST(mmio_bus_register_rejects_overlap)
{
	struct mmio_bus bus = { 0 };
	struct fake_device d = { 0 };

	EXPECT_EQ(add(&bus, 0x1000, 0x100, &d), 0);
	EXPECT_EQ(add(&bus, 0x10f0, 0x100, &d), -1);  /* overlaps the end */
	EXPECT_EQ(add(&bus, 0x0f00, 0x101, &d), -1);  /* overlaps the start by one byte */
	EXPECT_EQ(add(&bus, 0x1010, 0x10, &d), -1);   /* inside */
	EXPECT_EQ(add(&bus, 0x0800, 0x1000, &d), -1); /* around */
	EXPECT_EQ(add(&bus, 0x1000, 0x100, &d), -1);  /* the same */
	EXPECT_EQ(add(&bus, 0x0, 0, &d), -1);         /* empty */
	EXPECT_EQ(add(&bus, UINT64_MAX - 10, 0x100, &d), -1); /* wraps */
	EXPECT_EQ(bus.count, 1);
	EXPECT_EQ(add(&bus, 0x1100, 0x100, &d), 0);   /* adjacent above */
	EXPECT_EQ(add(&bus, 0x0f00, 0x100, &d), 0);   /* adjacent below */
	EXPECT_EQ(bus.count, 3);
}

TEST(mmio_bus_dispatch_offset_and_region)
{
	struct mmio_bus bus = { 0 };
	struct fake_device uart = { 0 }, rtc = { 0 };
	uint8_t data[8];

	EXPECT_EQ(add(&bus, 0x01010000, 0x1000, &rtc), 0);
	EXPECT_EQ(add(&bus, 0x01000000, 0x1000, &uart), 0);
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x01000005, data, 1, false));
	EXPECT_EQ(uart.calls, 1);
	EXPECT_EQ(uart.offset, 5);
	EXPECT_EQ(uart.len, 1);
	EXPECT_FALSE(uart.is_write);
	EXPECT_EQ(data[0], 0x88);
	EXPECT_EQ(rtc.calls, 0);

	mmio_data_write(data, 4, 0xcafef00d);
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x01010ffc, data, 4, true)); /* the last word */
	EXPECT_EQ(rtc.calls, 1);
	EXPECT_EQ(rtc.offset, 0xffc);
	EXPECT_TRUE(rtc.is_write);
	EXPECT_EQ(rtc.written, 0xcafef00d);
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x01010000, data, 8, false));
	EXPECT_EQ(rtc.offset, 0);
	EXPECT_EQ(mmio_data_read(data, 8), 0x1122334455667788ULL);
	EXPECT_EQ(uart.calls, 1);
}

TEST(mmio_bus_straddling_access_is_not_dispatched)
{
	struct mmio_bus bus = { 0 };
	struct fake_device a = { 0 }, b = { 0 };
	uint8_t data[8];

	EXPECT_EQ(add(&bus, 0x1000, 0x100, &a), 0);
	EXPECT_EQ(add(&bus, 0x1100, 0x100, &b), 0); /* adjacent: the access would run into it */
	memset(data, 0xff, sizeof(data));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x10fc, data, 8, false));
	EXPECT_EQ(mmio_data_read(data, 8), 0); /* reads zero */
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x10ff, data, 2, true));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x11fc, data, 8, true)); /* off the end of the last */
	EXPECT_EQ(a.calls + b.calls, 0);
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x10f8, data, 8, false)); /* exactly to the end */
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x10ff, data, 1, false));
	EXPECT_EQ(a.calls, 2);
	EXPECT_EQ(a.offset, 0xff);
}

TEST(mmio_bus_bad_lengths_and_unmapped)
{
	struct mmio_bus bus = { 0 };
	struct fake_device d = { 0 };
	uint8_t data[16];

	EXPECT_EQ(add(&bus, 0x5000, 0x100, &d), 0);
	memset(data, 0xff, sizeof(data));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x5000, data, 0, false));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x5000, data, 16, false));
	EXPECT_EQ(mmio_data_read(data, 8), 0);          /* zeroed up to the 8 bytes KVM has */
	EXPECT_EQ(data[8], 0xff);                       /* and not beyond */
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x5000, data, 9, true));
	EXPECT_EQ(d.calls, 0);

	memset(data, 0xff, sizeof(data));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x4fff, data, 4, false)); /* just below */
	EXPECT_EQ(mmio_data_read(data, 4), 0);
	EXPECT_EQ(data[4], 0xff);
	memset(data, 0xff, sizeof(data));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0x5100, data, 8, false)); /* just above */
	EXPECT_EQ(mmio_data_read(data, 8), 0);
	EXPECT_FALSE(mmio_bus_dispatch(&bus, UINT64_MAX, data, 1, false));
	EXPECT_FALSE(mmio_bus_dispatch(&bus, 0, data, 8, true)); /* writes are dropped */
	EXPECT_EQ(d.calls, 0);

	/* An empty bus. */
	{
		struct mmio_bus empty = { 0 };

		memset(data, 0xff, sizeof(data));
		EXPECT_FALSE(mmio_bus_dispatch(&empty, 0x5000, data, 2, false));
		EXPECT_EQ(mmio_data_read(data, 2), 0);
	}
}

TEST(mmio_bus_many_regions_sorted)
{
	/* Registered in a scrambled order: 7 * i mod 16 visits every slot once. */
	struct mmio_bus bus = { 0 };
	struct fake_device devices[MMIO_BUS_MAX_REGIONS] = { { 0 } };
	uint8_t data[8];

	for (unsigned int i = 0; i < MMIO_BUS_MAX_REGIONS; i++) {
		unsigned int slot = 7 * i % MMIO_BUS_MAX_REGIONS;

		EXPECT_EQ(add(&bus, 0x10000 + 0x1000ULL * slot, 0x100 + slot, &devices[slot]), 0);
	}
	EXPECT_EQ(bus.count, MMIO_BUS_MAX_REGIONS);
	for (unsigned int i = 0; i < MMIO_BUS_MAX_REGIONS; i++) {
		EXPECT_EQ(bus.regions[i].base, 0x10000 + 0x1000ULL * i);
		EXPECT_TRUE(bus.regions[i].device == &devices[i]);
	}
	EXPECT_EQ(add(&bus, 0x100000, 0x100, &devices[0]), -1); /* full */

	/* Every region gets its own accesses, first byte and last. */
	for (unsigned int i = 0; i < MMIO_BUS_MAX_REGIONS; i++) {
		uint64_t base = 0x10000 + 0x1000ULL * i;

		EXPECT_TRUE(mmio_bus_dispatch(&bus, base, data, 1, false));
		EXPECT_TRUE(mmio_bus_dispatch(&bus, base + 0x100 + i - 1, data, 1, true));
		EXPECT_FALSE(mmio_bus_dispatch(&bus, base + 0x100 + i, data, 1, false));
		EXPECT_FALSE(mmio_bus_dispatch(&bus, base - 1, data, 1, false));
	}
	for (unsigned int i = 0; i < MMIO_BUS_MAX_REGIONS; i++) {
		EXPECT_EQ(devices[i].calls, 2);
		EXPECT_EQ(devices[i].offset, 0x100 + i - 1);
	}
}

TEST(mmio_data_little_endian)
{
	uint8_t data[8];

	memset(data, 0xee, sizeof(data));
	mmio_data_write(data, 2, 0x12345678);
	EXPECT_EQ(data[0], 0x78);
	EXPECT_EQ(data[1], 0x56);
	EXPECT_EQ(data[2], 0xee);
	EXPECT_EQ(mmio_data_read(data, 2), 0x5678);
	mmio_data_write(data, 8, 0x0102030405060708ULL);
	EXPECT_EQ(data[0], 0x08);
	EXPECT_EQ(data[7], 0x01);
	EXPECT_EQ(mmio_data_read(data, 8), 0x0102030405060708ULL);
	EXPECT_EQ(mmio_data_read(data, 4), 0x05060708);
	EXPECT_EQ(mmio_data_read(data, 1), 0x08);
}
