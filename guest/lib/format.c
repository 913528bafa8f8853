#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct text_buffer {
	char *buf;
	size_t len, size;
};

static void put_char(struct text_buffer *t, char c)
{
	if (t->len + 1 < t->size)
		t->buf[t->len++] = c;
}

static void put_number(struct text_buffer *t, uint64_t value, unsigned int base, bool negative,
		       unsigned int width, char pad)
{
	char digits[24];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	/* A zero pad goes after the sign, a space pad before it, as printf does. */
	if (negative && pad == '0')
		put_char(t, '-');
	for (unsigned int used = n + negative; used < width; used++)
		put_char(t, pad);
	if (negative && pad != '0')
		put_char(t, '-');
	while (n)
		put_char(t, digits[--n]);
}

size_t format_text(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct text_buffer t = { buf, 0, size };

	for (; *fmt; fmt++) {
		unsigned int width = 0;
		bool is_long = false;
		char pad = ' ';

		if (*fmt != '%') {
			put_char(&t, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (unsigned int)(*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			is_long = true;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);

			/* 0 - (uint64_t)v: the magnitude without overflowing on INT64_MIN. */
			put_number(&t, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);

			put_number(&t, v, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		}
		case 'p':
			put_char(&t, '0');
			put_char(&t, 'x');
			put_number(&t, (uintptr_t)va_arg(ap, void *), 16, false, width, pad);
			break;
		case 'c':
			put_char(&t, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				put_char(&t, *s);
			break;
		}
		case '\0':
			fmt--; /* a lone '%' at the end: let the loop see the terminator */
			break;
		default:
			put_char(&t, *fmt); /* "%%" and anything unknown print the character */
			break;
		}
	}
	if (size)
		buf[t.len] = '\0';
	return t.len;
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = format_text(buf, size, fmt, ap);
	va_end(ap);
	return len;
}
