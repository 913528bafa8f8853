#ifndef LVMM_HW_UART_8250_H
#define LVMM_HW_UART_8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/device.h"

#define UART_RX_FIFO_SIZE 64

/* A 16550A as Linux's 8250 driver sees it: one-byte registers, instant transmit, a receive
 * FIFO filled from the host terminal, and a level interrupt for received data and THR empty. */
struct uart_8250 {
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_empty_pending;  /* THRE interrupt raised and not yet acknowledged */
	bool irq_level;
	uint8_t rx_fifo[UART_RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	void (*set_irq)(void *context, bool level);
	void (*output)(void *context, uint8_t byte);
	void *context;
};

void uart_8250_init(struct uart_8250 *uart, void (*set_irq)(void *, bool),
		    void (*output)(void *, uint8_t), void *context);
/* The mmio_handler for the UART's region. */
void uart_8250_mmio(void *uart, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
/* Queues host input for the guest; returns how many bytes fit in the FIFO. */
size_t uart_8250_receive(struct uart_8250 *uart, const uint8_t *bytes, size_t count);
size_t uart_8250_rx_space(struct uart_8250 *uart);

extern const struct device_class uart_8250_device;

#endif
