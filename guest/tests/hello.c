/* The smallest guest: the doorbell works both ways, PSCI answers, the DTB describes the RAM. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	uint64_t ram_base, ram_size;

	guest_print("hello from the bare-metal guest");
	guest_report("psci_version", psci_version());
	GUEST_ASSERT_EQ(doorbell_read(DOORBELL_REG_VERSION), DOORBELL_VERSION);
	GUEST_ASSERT(fdt_memory_range(dtb, &ram_base, &ram_size));
	GUEST_ASSERT_EQ(ram_base, LVMM_RAM_BASE);
	/* The DTB is inside RAM: lvmm puts it in the last 2 MiB. */
	GUEST_ASSERT(dtb >= ram_base && dtb - ram_base < ram_size);
	guest_report("ram_mib", ram_size >> 20);
	guest_done();
}
