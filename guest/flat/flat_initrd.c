/*
 * A guest shaped like a kvm-unit-tests test for kvmtool: a flat binary without the Image
 * header (lvmm -k loads it at RAM + 0x80000), its environment in an initrd found through the
 * DT, output on the 16550 UART, and "EXIT: STATUS=" with kvm-unit-tests' encoding
 * ((code << 1) | 1) before PSCI SYSTEM_OFF. status=N on the command line is the code.
 */
#include "guest.h"

#define UART_BASE 0x01000000UL
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static void uart_put(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;

	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[0] = (uint8_t)c;
}

static void uart_print(const char *text)
{
	while (*text)
		uart_put(*text++);
}

static void uart_print_number(uint64_t value)
{
	char digits[21];
	int count = 0;

	do {
		digits[count++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (count)
		uart_put(digits[--count]);
}

void guest_main(uint64_t dtb)
{
	uint64_t start, end, code = bootargs_number(fdt_chosen_bootargs(dtb), "status", 0);

	uint64_t pc;

	/* Where it really runs: linked at RAM + 0x80000, it must have been loaded there. */
	__asm__ volatile("adr %0, ." : "=r"(pc));
	uart_print(pc >= LVMM_RAM_BASE + 0x80000 && pc < LVMM_RAM_BASE + 0x100000 ?
		   "flat guest: running at RAM + 0x80000\n" : "flat guest: running elsewhere\n");
	if (fdt_chosen_initrd(dtb, &start, &end)) {
		uart_print("initrd: ");
		for (uint64_t at = start; at < end && at - start < 4096; at++)
			uart_put(*(volatile const char *)at);
		uart_print("\n");
	} else {
		uart_print("initrd: none\n");
	}
	uart_print("EXIT: STATUS=");
	uart_print_number((code << 1) | 1);
	uart_print("\n");
	psci_system_off();
}
