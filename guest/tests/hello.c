/* The smallest guest: the doorbell works both ways and PSCI answers. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	guest_print("hello from the bare-metal guest (dtb at 0x%lx)", dtb);
	guest_report("psci_version", (uint64_t)smccc_hvc(PSCI_VERSION, 0, 0, 0).x0);
	GUEST_ASSERT_EQ(doorbell_read(DOORBELL_REG_VERSION), DOORBELL_VERSION);
	GUEST_ASSERT(dtb >= LVMM_RAM_BASE);
	guest_done();
}
