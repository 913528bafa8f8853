#include "doorbell.h"

#include <stdarg.h>

#include "format.h"
#include "limits.h"
#include "smp.h"

/* One per CPU: a call never has to wait for, or clobber, another CPU's call. */
static struct doorbell_ucall ucalls[GUEST_MAX_CPUS];

uint64_t doorbell_read(uint64_t offset)
{
	return *(volatile uint64_t *)(LVMM_DOORBELL_BASE + offset);
}

void doorbell_write(uint64_t offset, uint64_t value)
{
	*(volatile uint64_t *)(LVMM_DOORBELL_BASE + offset) = value;
}

void doorbell_publish(const volatile void *data, size_t size)
{
	uint64_t ctr, line, start = (uintptr_t)data, end = start + size;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ULL << ((ctr >> 16) & 0xf); /* CTR_EL0.DminLine: log2 of the line in words */
	/* The stores must reach memory before the lines are cleaned and invalidated. */
	__asm__ volatile("dmb sy" ::: "memory");
	for (uint64_t p = start & ~(line - 1); p < end; p += line)
		__asm__ volatile("dc civac, %0" :: "r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

static void ucall(uint64_t command, const char *text, uint64_t a, uint64_t b)
{
	volatile struct doorbell_ucall *call = &ucalls[this_cpu()];
	size_t i = 0;

	call->command = command;
	call->args[0] = a;
	call->args[1] = b;
	call->args[2] = 0;
	call->args[3] = 0;
	for (; text && text[i] && i < DOORBELL_TEXT_MAX - 1; i++)
		call->text[i] = text[i];
	call->text[i] = '\0';
	doorbell_publish(call, sizeof(*call));
	doorbell_write(DOORBELL_REG_UCALL, (uintptr_t)call);
}

void guest_print(const char *fmt, ...)
{
	char text[DOORBELL_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_text(text, sizeof(text), fmt, ap);
	va_end(ap);
	ucall(UCALL_PRINT, text, 0, 0);
}

void guest_report(const char *name, uint64_t value)
{
	ucall(UCALL_REPORT, name, value, 0);
}

void guest_sync(uint64_t stage, uint64_t value)
{
	ucall(UCALL_SYNC, NULL, stage, value);
}

/* lvmm stops every vCPU after ASSERT and DONE; the loop only covers the moment until then. */
void guest_assert_failed(const char *text, uint64_t a, uint64_t b)
{
	ucall(UCALL_ASSERT, text, a, b);
	for (;;)
		__asm__ volatile("wfi");
}

void guest_done(void)
{
	ucall(UCALL_DONE, NULL, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
