/* libFuzzer harness: the 16550 UART's registers as a guest drives them: each 3 input bytes are
 * one access (offset, value, read or write, and now and then host input arriving). */
#include <stdint.h>
#include <string.h>

#include "hw/uart_8250.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void set_irq(void *context, bool level)
{
	(void)context;
	(void)level;
}

static void output(void *context, uint8_t byte)
{
	(void)context;
	(void)byte;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uart_8250 uart;

	uart_8250_init(&uart, set_irq, output, NULL);
	for (size_t at = 0; at + 3 <= size; at += 3) {
		uint8_t value = data[at + 1];
		uint32_t width = 1u << (data[at + 2] >> 6); /* 1, 2, 4, 8: wrong widths too */
		uint8_t bytes[8] = { value };

		if ((data[at + 2] & 0x30) == 0x30)
			uart_8250_receive(&uart, &value, 1);
		uart_8250_mmio(&uart, data[at] & 0x3f, bytes, width, data[at + 2] & 1);
	}
	pthread_mutex_destroy(&uart.lock);
	return 0;
}
