#include "uart_8250.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/arch.h"
#include "vmm/console.h"
#include "vmm/device_tree.h"
#include "vmm/mmio_bus.h"
#include "vmm/vm.h"

enum {
	REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_RDI   0x01
#define IER_THRI  0x02
#define IIR_NONE  0x01
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_FIFO  0xc0
#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX    0x02
#define LCR_DLAB  0x80
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define MSR_CTS_DSR_DCD 0xb0

void uart_8250_init(struct uart_8250 *uart, void (*set_irq)(void *, bool),
		    void (*output)(void *, uint8_t), void *context)
{
	memset(uart, 0, sizeof(*uart));
	pthread_mutex_init(&uart->lock, NULL);
	uart->set_irq = set_irq;
	uart->output = output;
	uart->context = context;
}

static uint8_t uart_pending_iir(const struct uart_8250 *uart)
{
	if ((uart->ier & IER_RDI) && uart->rx_count)
		return IIR_RDI;
	if ((uart->ier & IER_THRI) && uart->thr_empty_pending)
		return IIR_THRI;
	return IIR_NONE;
}

static void uart_update_irq(struct uart_8250 *uart)
{
	bool level = uart_pending_iir(uart) != IIR_NONE;

	if (level != uart->irq_level) {
		uart->irq_level = level;
		uart->set_irq(uart->context, level);
	}
}

static void uart_push_rx(struct uart_8250 *uart, uint8_t byte)
{
	if (uart->rx_count == UART_RX_FIFO_SIZE)
		return; /* overrun: the byte is lost, as on hardware */
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % UART_RX_FIFO_SIZE] = byte;
	uart->rx_count++;
}

static uint8_t uart_pop_rx(struct uart_8250 *uart)
{
	uint8_t byte;

	if (!uart->rx_count)
		return 0;
	byte = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % UART_RX_FIFO_SIZE;
	uart->rx_count--;
	return byte;
}

static uint8_t uart_read(struct uart_8250 *uart, uint64_t reg)
{
	uint8_t iir;

	switch (reg) {
	case REG_RBR_THR:
		return uart->lcr & LCR_DLAB ? uart->dll : uart_pop_rx(uart);
	case REG_IER:
		return uart->lcr & LCR_DLAB ? uart->dlm : uart->ier;
	case REG_IIR_FCR:
		iir = uart_pending_iir(uart);
		/* Reading IIR acknowledges a THRE interrupt (16550 datasheet). */
		if (iir == IIR_THRI)
			uart->thr_empty_pending = false;
		return iir | (uart->fcr & FCR_FIFO_ENABLE ? IIR_FIFO : 0);
	case REG_LCR:
		return uart->lcr;
	case REG_MCR:
		return uart->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (uart->rx_count ? LSR_DR : 0);
	case REG_MSR:
		if (uart->mcr & MCR_LOOP) /* loopback: outputs DTR,RTS,OUT1,OUT2 -> DSR,CTS,RI,DCD */
			return (uint8_t)(((uart->mcr & 0x01) << 5) | ((uart->mcr & 0x02) << 3) |
					 ((uart->mcr & 0x0c) << 4));
		return MSR_CTS_DSR_DCD;
	default:
		return uart->scr;
	}
}

static void uart_write(struct uart_8250 *uart, uint64_t reg, uint8_t value)
{
	switch (reg) {
	case REG_RBR_THR:
		if (uart->lcr & LCR_DLAB) {
			uart->dll = value;
			break;
		}
		if (uart->mcr & MCR_LOOP)
			uart_push_rx(uart, value);
		else
			uart->output(uart->context, value);
		/* Transmission is instant, so the holding register is empty again at once. */
		uart->thr_empty_pending = true;
		break;
	case REG_IER:
		if (uart->lcr & LCR_DLAB) {
			uart->dlm = value;
			break;
		}
		/* Enabling THRI while the THR is empty raises the interrupt at once. */
		if ((value & IER_THRI) && !(uart->ier & IER_THRI))
			uart->thr_empty_pending = true;
		uart->ier = value & 0x0f;
		break;
	case REG_IIR_FCR:
		if (value & FCR_CLEAR_RX)
			uart->rx_head = uart->rx_count = 0;
		uart->fcr = value & FCR_FIFO_ENABLE;
		break;
	case REG_LCR:
		uart->lcr = value;
		break;
	case REG_MCR:
		uart->mcr = value & 0x1f;
		break;
	case REG_SCR:
		uart->scr = value;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

void uart_8250_mmio(void *device, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct uart_8250 *uart = device;

	pthread_mutex_lock(&uart->lock);
	if (offset >= 8) {
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		uart_write(uart, offset, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = uart_read(uart, offset);
	}
	uart_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

size_t uart_8250_receive(struct uart_8250 *uart, const uint8_t *bytes, size_t count)
{
	size_t accepted;

	pthread_mutex_lock(&uart->lock);
	for (accepted = 0; accepted < count && uart->rx_count < UART_RX_FIFO_SIZE; accepted++)
		uart_push_rx(uart, bytes[accepted]);
	uart_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
	return accepted;
}

size_t uart_8250_rx_space(struct uart_8250 *uart)
{
	size_t space;

	pthread_mutex_lock(&uart->lock);
	space = UART_RX_FIFO_SIZE - uart->rx_count;
	pthread_mutex_unlock(&uart->lock);
	return space;
}

/* The device: the machine's serial port, and the guest's console unless --console virtio. */

static void uart_device_set_irq(void *context, bool level)
{
	struct device *device = context;

	arch_irq_line(device->vm, device->irq, level);
}

static void uart_device_output(void *context, uint8_t byte)
{
	(void)context;
	console_write(&byte, 1);
}

static size_t uart_device_input_space(void *uart)
{
	return uart_8250_rx_space(uart);
}

static void uart_device_receive(void *uart, const uint8_t *bytes, size_t count)
{
	uart_8250_receive(uart, bytes, count);
}

static int uart_device_create(struct device *device, char *err, size_t err_size)
{
	struct vm *vm = device->vm;

	if (device_alloc_state(device, sizeof(struct uart_8250), err, err_size))
		return -1;
	uart_8250_init(device->state, uart_device_set_irq, uart_device_output, device);
	/* With console ports (lvmm sandbox), the UART is the kernel's log, not a terminal. */
	if (vm->opts->console == CONSOLE_SERIAL && !vm->opts->console_port_count)
		vm->console_input = (struct console_input){
			.space = uart_device_input_space, .receive = uart_device_receive,
			.room_fd = -1, .context = device->state,
		};
	return device_map_mmio(device, uart_8250_mmio, device->state, err, err_size);
}

static int uart_device_describe(const struct device *device, struct device_tree *tree)
{
	void *fdt = tree->fdt;
	int ret;

	/* earlycon and the kernel's first messages use the UART whatever --console says. */
	device_tree_node_path(tree->stdout_path, sizeof(tree->stdout_path), "uart",
			      device->mmio_base);
	if ((ret = device_tree_begin_node(tree, "uart", device->mmio_base)) ||
	    (ret = fdt_property_string(fdt, "compatible", "ns16550a")) ||
	    (ret = device_tree_property_reg(tree, device->mmio_base, device->mmio_size)) ||
	    (ret = device_tree_property_interrupts(tree, device->irq, 1, DEVICE_IRQ_LEVEL_HIGH)) ||
	    (ret = fdt_property_cell(fdt, "clock-frequency", 1843200)))
		return ret;
	return fdt_end_node(fdt);
}

static void uart_device_destroy(struct device *device)
{
	struct uart_8250 *uart = device->state;

	if (!uart)
		return;
	if (device->vm->console_input.context == uart)
		device->vm->console_input = (struct console_input){ 0 };
	pthread_mutex_destroy(&uart->lock);
	free(uart);
	device->state = NULL;
}

const struct device_class uart_8250_device = {
	.name = "uart",
	.create = uart_device_create,
	.describe = uart_device_describe,
	.destroy = uart_device_destroy,
};
