/* A failing guest assertion: lvmm prints it with both values and exits 6. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	GUEST_ASSERT_EQ(1, 2);
	guest_done();
}
