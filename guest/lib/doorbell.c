/* Doorbell ucalls and a small printf for the test guests (docs/doorbell.md). */
#include <stdarg.h>
#include <stddef.h>

#include "guest.h"

static struct doorbell_ucall ucalls[GUEST_MAX_CPUS];

uint64_t doorbell_read(uint64_t offset)
{
	return *(volatile uint64_t *)(LVMM_DOORBELL_BASE + offset);
}

void doorbell_write(uint64_t offset, uint64_t value)
{
	*(volatile uint64_t *)(LVMM_DOORBELL_BASE + offset) = value;
}

static void ucall(uint64_t command, const char *text, uint64_t a, uint64_t b)
{
	volatile struct doorbell_ucall *call = &ucalls[this_cpu() % GUEST_MAX_CPUS];
	size_t i = 0;

	call->command = command;
	call->args[0] = a;
	call->args[1] = b;
	for (; text && text[i] && i < DOORBELL_TEXT_MAX - 1; i++)
		call->text[i] = text[i];
	call->text[i] = '\0';
	memory_barrier();
	doorbell_write(DOORBELL_REG_UCALL, (uint64_t)(uintptr_t)call);
}

struct text_buffer {
	char *buf;
	size_t len, size;
};

static void put_char(struct text_buffer *t, char c)
{
	if (t->len + 1 < t->size)
		t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

static void put_number(struct text_buffer *t, uint64_t value, unsigned int base, bool negative)
{
	char digits[24];
	int n = 0;

	if (negative)
		put_char(t, '-');
	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	while (n)
		put_char(t, digits[--n]);
}

/* %d %u %x with optional l/ll, %s, %c, %%: all the guests need. */
static void format(struct text_buffer *t, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int longs = 0;

		if (*fmt != '%') {
			put_char(t, *fmt);
			continue;
		}
		while (*++fmt == 'l')
			longs++;
		switch (*fmt) {
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			put_number(t, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0);
			break;
		}
		case 'u':
			put_number(t, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10, false);
			break;
		case 'x':
			put_number(t, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (s && *s)
				put_char(t, *s++);
			break;
		}
		case 'c':
			put_char(t, (char)va_arg(ap, int));
			break;
		case '\0':
			return;
		default:
			put_char(t, *fmt);
			break;
		}
	}
}

static void format_text(char *text, size_t size, const char *fmt, ...)
{
	struct text_buffer t = { text, 0, size };
	va_list ap;

	text[0] = '\0';
	va_start(ap, fmt);
	format(&t, fmt, ap);
	va_end(ap);
}

void guest_print(const char *fmt, ...)
{
	char text[DOORBELL_TEXT_MAX];
	struct text_buffer t = { text, 0, sizeof(text) };
	va_list ap;

	text[0] = '\0';
	va_start(ap, fmt);
	format(&t, fmt, ap);
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

/* Called from the vectors in head.S: any exception is a test failure. */
void unexpected_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);
void unexpected_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	char text[DOORBELL_TEXT_MAX];

	format_text(text, sizeof(text), "unexpected exception (vector %lu): ESR 0x%lx at ELR 0x%lx",
		    kind, esr, elr);
	guest_assert_failed(text, esr, far);
}
