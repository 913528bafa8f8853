/* Runs forever without a single exit to lvmm: for signal and kick tests. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	for (;;)
		__asm__ volatile("nop");
}
