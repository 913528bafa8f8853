/* Prints without end, through the test device: for a stdout nobody reads, where lvmm must
 * drop output rather than block a vCPU, and still stop on SIGTERM. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	for (unsigned int line = 0;; line++)
		guest_print("flood line %u: the reader of lvmm's stdout is not reading", line);
}
