/*
 * Rings the doorbell 2000 times with a command lvmm does not know: each is a warning lvmm
 * would print, and the flood must come out as a bounded number of lines, not 2000.
 */
#include "guest.h"

static struct doorbell_ucall unknown_call __attribute__((aligned(8)));

void guest_main(uint64_t dtb)
{
	(void)dtb;
	unknown_call.command = 99;
	doorbell_publish(&unknown_call, sizeof(unknown_call));
	for (unsigned int i = 0; i < 2000; i++)
		doorbell_write(DOORBELL_REG_UCALL, (uintptr_t)&unknown_call);
	guest_done();
}
