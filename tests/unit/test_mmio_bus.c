#include "unit_test.h"
#include "vmm/mmio_bus.h"

static uint64_t last_offset;
static int calls;

static void handler(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)device;
	last_offset = offset;
	calls++;
	if (!is_write)
		mmio_data_write(data, len, 0x1122334455667788ULL);
}

static struct mmio_region region(uint64_t base, uint64_t size)
{
	return (struct mmio_region){ base, size, handler, NULL, "test" };
}

TEST(mmio_bus_register_rejects_overlap)
{
	struct mmio_bus bus = { 0 };
	struct mmio_region r;

	r = region(0x1000, 0x100);
	EXPECT_EQ(mmio_bus_register(&bus, &r), 0);
	r = region(0x10f0, 0x100);
	EXPECT_EQ(mmio_bus_register(&bus, &r), (unsigned long long)-1);
	r = region(0x0f00, 0x101);
	EXPECT_EQ(mmio_bus_register(&bus, &r), (unsigned long long)-1);
	r = region(0x0, 0);
	EXPECT_EQ(mmio_bus_register(&bus, &r), (unsigned long long)-1);
	r = region(UINT64_MAX - 10, 0x100);
	EXPECT_EQ(mmio_bus_register(&bus, &r), (unsigned long long)-1);
	r = region(0x1100, 0x100);
	EXPECT_EQ(mmio_bus_register(&bus, &r), 0);
}

TEST(mmio_bus_dispatch)
{
	struct mmio_bus bus = { 0 };
	struct mmio_region r;
	uint8_t data[8];

	for (uint64_t base = 0x9000; base > 0; base -= 0x1000) { /* registered out of order */
		r = region(base, 0x100);
		EXPECT_EQ(mmio_bus_register(&bus, &r), 0);
	}
	calls = 0;
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x5008, data, 4, false));
	EXPECT_EQ(last_offset, 8);
	EXPECT_EQ(mmio_data_read(data, 4), 0x55667788);
	EXPECT_TRUE(mmio_bus_dispatch(&bus, 0x90f8, data, 8, true));
	EXPECT_EQ(last_offset, 0xf8);
	memset(data, 0xff, sizeof(data));
	EXPECT_TRUE(!mmio_bus_dispatch(&bus, 0x50fc, data, 8, false)); /* straddles the end */
	EXPECT_EQ(mmio_data_read(data, 8), 0);
	EXPECT_TRUE(!mmio_bus_dispatch(&bus, 0x5200, data, 4, false)); /* unmapped */
	EXPECT_TRUE(!mmio_bus_dispatch(&bus, 0x5000, data, 0, false));
	EXPECT_TRUE(!mmio_bus_dispatch(&bus, 0x5000, data, 16, false));
	EXPECT_EQ(calls, 2);
}
