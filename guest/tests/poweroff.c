/* PSCI SYSTEM_OFF: lvmm exits 0 with no doorbell involved. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	psci_system_off();
}
