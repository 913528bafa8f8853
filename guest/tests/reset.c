/* PSCI SYSTEM_RESET: lvmm reboots the guest, or exits 3 with --no-reboot. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	psci_system_reset();
}
