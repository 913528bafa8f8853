#include "hw/pvpanic.h"
#include "unit_test.h"

static int panics;

static void count_panic(void *context)
{
	(void)context;
	panics++;
}

TEST(pvpanic_events)
{
	struct pvpanic pvpanic = { count_panic, NULL };
	uint8_t data[1] = { 0 };

	pvpanic_mmio(&pvpanic, 0, data, 1, false);
	EXPECT_EQ(data[0], PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	data[0] = PVPANIC_CRASH_LOADED;
	pvpanic_mmio(&pvpanic, 0, data, 1, true);
	EXPECT_EQ(panics, 0);
	data[0] = PVPANIC_PANICKED;
	pvpanic_mmio(&pvpanic, 1, data, 1, true);
	EXPECT_EQ(panics, 0);
	pvpanic_mmio(&pvpanic, 0, data, 1, true);
	EXPECT_EQ(panics, 1);
}
