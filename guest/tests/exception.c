/* An undefined instruction: head.S's vectors report it as a failed assertion (lvmm exits 6). */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	__asm__ volatile("udf #0");
	guest_done();
}
