/* libFuzzer harness: a guest's MMIO accesses through the bus to the fixed devices: the 16550
 * UART, the PL031 RTC, pvpanic and the test device (whose commands read guest memory, here the
 * fuzzer's bytes too). Each access is 11 input bytes: which window (and where in and around
 * it), width, direction, 8 bytes of value; addresses between and past the windows included. */
#include <stdint.h>
#include <string.h>

#include "hw/doorbell.h"
#include "hw/pvpanic.h"
#include "hw/rtc_pl031.h"
#include "hw/uart_8250.h"
#include "vmm/guest_memory.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

#define RAM_BASE 0x80000000ull
#define WINDOW 0x1000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ram[1 << 16];

static void ignore_irq(void *context, bool level) { (void)context; (void)level; }
static void ignore_byte(void *context, uint8_t byte) { (void)context; (void)byte; }
static void ignore_line(void *context, const char *line) { (void)context; (void)line; }
static void ignore_finish(void *context, int status) { (void)context; (void)status; }
static void ignore_panic(void *context) { (void)context; }
static int64_t fixed_now(void) { return 1700000000; }
static uint64_t fixed_clock(void) { return 123456789; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t bases[] = { 0x01000000, 0x01010000, 0x01020000, 0x01030000 };
	struct mmio_bus bus = { 0 };
	struct guest_memory memory = { 0 };
	struct uart_8250 uart;
	struct rtc_pl031 rtc;
	struct pvpanic panic = { ignore_panic, NULL };
	struct doorbell bell;

	log_set_level(LOG_ERROR);
	memset(ram, 0, sizeof(ram));
	if (size > 11 * 64)
		memcpy(ram, data + 11 * 64, size - 11 * 64 < sizeof(ram) ? size - 11 * 64 : sizeof(ram));
	guest_memory_add(&memory, RAM_BASE, sizeof(ram), ram, 0);
	uart_8250_init(&uart, ignore_irq, ignore_byte, NULL);
	rtc_pl031_init(&rtc, fixed_now);
	bell = (struct doorbell){ .memory = &memory, .start_ns = 1, .clock_ns = fixed_clock,
				  .output = ignore_line, .finish = ignore_finish };
	mmio_bus_register(&bus, &(struct mmio_region){ bases[0], WINDOW, uart_8250_mmio, &uart, "uart" });
	mmio_bus_register(&bus, &(struct mmio_region){ bases[1], WINDOW, rtc_pl031_mmio, &rtc, "rtc" });
	mmio_bus_register(&bus, &(struct mmio_region){ bases[2], WINDOW, pvpanic_mmio, &panic, "pvpanic" });
	mmio_bus_register(&bus, &(struct mmio_region){ bases[3], WINDOW, doorbell_mmio, &bell, "doorbell" });
	for (size_t at = 0; at + 11 <= size && at < 11 * 64; at += 11) {
		uint64_t address = bases[data[at] & 3] + (uint64_t)(data[at + 1] | data[at + 2] << 8) - 0x800;
		uint32_t width = 1u << (data[at] >> 2 & 3);
		uint8_t value[8];

		memcpy(value, data + at + 3, 8);
		mmio_bus_dispatch(&bus, address, value, width, data[at] & 0x10);
	}
	pthread_mutex_destroy(&uart.lock);
	pthread_mutex_destroy(&rtc.lock);
	return 0;
}
