/* The C end of head.S's vectors: every exception a test guest takes is a test failure. */
#include <stdbool.h>
#include <stdint.h>

#include "doorbell.h"
#include "format.h"
#include "limits.h"
#include "smp.h"

void unexpected_exception(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far);

/* FAR_EL1 holds an address only for aborts (unless ESR.FnV says otherwise) and PC alignment. */
static bool far_is_valid(uint64_t ec, uint64_t esr)
{
	if (ec == 0x22)
		return true;
	return (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) && !(esr & (1ULL << 10));
}

void unexpected_exception(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far)
{
	static const char *const kinds[] = { "synchronous", "IRQ", "FIQ", "SError" };
	static const char *const origins[] = { "EL1t", "EL1h", "EL0 AArch64", "EL0 AArch32" };
	static volatile uint64_t reporting[GUEST_MAX_CPUS];
	uint64_t ec = esr >> 26 & 0x3f;
	char text[DOORBELL_TEXT_MAX];
	size_t n;

	/* A fault while reporting one would recurse until the stack ran into another CPU's. */
	if (reporting[this_cpu()])
		for (;;)
			__asm__ volatile("wfi");
	reporting[this_cpu()] = 1;
	n = format(text, sizeof(text), "unexpected %s exception from %s: EC 0x%lx ESR 0x%lx ELR 0x%lx",
		   kinds[vector % 4], origins[vector / 4 % 4], ec, esr, elr);
	if (vector % 4 == 0 && far_is_valid(ec, esr))
		format(text + n, sizeof(text) - n, " FAR 0x%lx", far);
	guest_assert_failed(text, esr, elr);
}
