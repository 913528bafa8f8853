#include "hw/pvpanic.h"
#include "unit_test.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

static int panics;
static void *seen_context;
static int context_token;

static void count_panic(void *context)
{
	seen_context = context;
	panics++;
}

static struct pvpanic pvpanic = { count_panic, &context_token };

static void wr(uint64_t offset, uint32_t len, uint64_t value)
{
	uint8_t data[8];

	mmio_data_write(data, len, value);
	pvpanic_mmio(&pvpanic, offset, data, len, true);
}

static uint64_t rd(uint64_t offset, uint32_t len)
{
	uint8_t data[8];

	memset(data, 0xee, sizeof(data));
	pvpanic_mmio(&pvpanic, offset, data, len, false);
	return mmio_data_read(data, len);
}

TEST(pvpanic_read_gives_supported_events)
{
	EXPECT_EQ(rd(0, 1), PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	EXPECT_EQ(rd(0, 1), 3);
	EXPECT_EQ(rd(0, 2), 3);
	EXPECT_EQ(rd(1, 1), 0);
}

TEST(pvpanic_panicked_calls_the_callback)
{
	panics = 0;
	seen_context = NULL;
	wr(0, 1, PVPANIC_PANICKED);
	EXPECT_EQ(panics, 1);
	EXPECT_TRUE(seen_context == &context_token);
	wr(0, 2, PVPANIC_PANICKED); /* any width */
	EXPECT_EQ(panics, 2);
	wr(0, 1, PVPANIC_PANICKED | 0xf0); /* unknown bits beside it */
	EXPECT_EQ(panics, 3);
}

TEST(pvpanic_crash_loaded_does_not)
{
	log_set_level(LOG_ERROR); /* it logs at info only, but keep stderr quiet regardless */
	panics = 0;
	wr(0, 1, PVPANIC_CRASH_LOADED);
	EXPECT_EQ(panics, 0);
	/* Both bits: a crash kernel will take over, so this is not lvmm's panic either. */
	wr(0, 1, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	EXPECT_EQ(panics, 0);
	wr(0, 1, 0);
	wr(0, 1, 0xfc);
	EXPECT_EQ(panics, 0);
	wr(1, 1, PVPANIC_PANICKED); /* not the event register */
	EXPECT_EQ(panics, 0);
	log_set_level(LOG_WARNING);
}
