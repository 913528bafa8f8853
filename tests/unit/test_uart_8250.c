#include "hw/uart_8250.h"
#include "unit_test.h"

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static char output[256];
static size_t output_len;
static int irq_changes;
static bool irq_level;
static int context_token;
static void *seen_context;

static void record_irq(void *context, bool level)
{
	seen_context = context;
	irq_changes++;
	irq_level = level;
}

static void record_output(void *context, uint8_t byte)
{
	seen_context = context;
	if (output_len < sizeof(output) - 1)
		output[output_len++] = (char)byte;
}

static struct uart_8250 uart;

static void setup(void)
{
	output_len = 0;
	irq_changes = 0;
	irq_level = false;
	seen_context = NULL;
	memset(output, 0, sizeof(output));
	uart_8250_init(&uart, record_irq, record_output, &context_token);
}

static void teardown(void)
{
	pthread_mutex_destroy(&uart.lock);
}

static uint8_t reg_read(uint64_t reg)
{
	uint8_t data[8];

	memset(data, 0xee, sizeof(data));
	uart_8250_mmio(&uart, reg, data, 1, false);
	return data[0];
}

static void reg_write(uint64_t reg, uint8_t value)
{
	uint8_t data[8] = { value };

	uart_8250_mmio(&uart, reg, data, 1, true);
}

static size_t receive(const char *text)
{
	return uart_8250_receive(&uart, (const uint8_t *)text, strlen(text));
}

TEST(uart_transmit_calls_output)
{
	setup();
	reg_write(RBR_THR, 'h');
	reg_write(RBR_THR, 'i');
	reg_write(RBR_THR, 0);
	reg_write(RBR_THR, 0xff);
	EXPECT_EQ(output_len, 4);
	EXPECT_TRUE(memcmp(output, "hi\0\xff", 4) == 0);
	EXPECT_TRUE(seen_context == &context_token);
	EXPECT_EQ(irq_changes, 0); /* no interrupt enabled */
	teardown();
}

TEST(uart_line_status)
{
	setup();
	EXPECT_EQ(reg_read(LSR), 0x60); /* THRE | TEMT: transmission is instant */
	reg_write(RBR_THR, 'x');
	EXPECT_EQ(reg_read(LSR), 0x60);
	EXPECT_EQ(receive("a"), 1);
	EXPECT_EQ(reg_read(LSR), 0x61); /* + DR */
	EXPECT_EQ(reg_read(RBR_THR), 'a');
	EXPECT_EQ(reg_read(LSR), 0x60);
	reg_write(LSR, 0x00); /* read-only */
	EXPECT_EQ(reg_read(LSR), 0x60);
	EXPECT_EQ(reg_read(MSR), 0xb0); /* CTS, DSR, DCD: a terminal is always there */
	teardown();
}

TEST(uart_receive_fifo_order_and_overflow)
{
	uint8_t many[UART_RX_FIFO_SIZE + 10];

	setup();
	EXPECT_EQ(receive("ab"), 2);
	EXPECT_EQ(uart_8250_rx_space(&uart), UART_RX_FIFO_SIZE - 2);
	EXPECT_EQ(reg_read(RBR_THR), 'a');
	EXPECT_EQ(reg_read(RBR_THR), 'b');
	EXPECT_EQ(reg_read(RBR_THR), 0); /* empty */
	EXPECT_EQ(reg_read(LSR) & 1, 0);

	/* Fill it: the extra bytes are refused and the count says so. */
	for (size_t i = 0; i < sizeof(many); i++)
		many[i] = (uint8_t)i;
	EXPECT_EQ(uart_8250_receive(&uart, many, sizeof(many)), UART_RX_FIFO_SIZE);
	EXPECT_EQ(uart_8250_rx_space(&uart), 0);
	EXPECT_EQ(uart_8250_receive(&uart, many, 1), 0);
	/* Drain 10, refill 10 across the ring's wrap point: still first in, first out. */
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(reg_read(RBR_THR), i);
	EXPECT_EQ(uart_8250_receive(&uart, many + UART_RX_FIFO_SIZE, 10), 10);
	for (int i = 10; i < UART_RX_FIFO_SIZE + 10; i++)
		EXPECT_EQ(reg_read(RBR_THR), i);
	EXPECT_EQ(uart_8250_rx_space(&uart), UART_RX_FIFO_SIZE);
	EXPECT_EQ(reg_read(LSR) & 1, 0);
	teardown();
}

TEST(uart_receive_returns_accepted_count)
{
	uint8_t block[UART_RX_FIFO_SIZE];

	setup();
	memset(block, 'x', sizeof(block));
	EXPECT_EQ(uart_8250_receive(&uart, block, 60), 60);
	EXPECT_EQ(uart_8250_receive(&uart, block, 10), 4); /* only 4 fit */
	EXPECT_EQ(uart_8250_receive(&uart, block, 0), 0);
	reg_read(RBR_THR);
	EXPECT_EQ(uart_8250_rx_space(&uart), 1);
	EXPECT_EQ(uart_8250_receive(&uart, block, 10), 1);
	teardown();
}

TEST(uart_fcr_clears_rx)
{
	setup();
	EXPECT_EQ(reg_read(IIR_FCR), 0x01); /* no interrupt, FIFO off */
	receive("hello");
	reg_write(IIR_FCR, 0x01); /* enable the FIFO only: the data stays */
	EXPECT_EQ(uart_8250_rx_space(&uart), UART_RX_FIFO_SIZE - 5);
	EXPECT_EQ(reg_read(IIR_FCR), 0xc1); /* FIFOs enabled */
	reg_write(IIR_FCR, 0x03); /* + clear RX */
	EXPECT_EQ(uart_8250_rx_space(&uart), UART_RX_FIFO_SIZE);
	EXPECT_EQ(reg_read(LSR) & 1, 0);
	EXPECT_EQ(reg_read(RBR_THR), 0);
	receive("z"); /* and the FIFO works after the clear */
	EXPECT_EQ(reg_read(RBR_THR), 'z');
	reg_write(IIR_FCR, 0x00);
	EXPECT_EQ(reg_read(IIR_FCR), 0x01);
	teardown();
}

TEST(uart_iir_priority_and_thri_acknowledge)
{
	setup();
	reg_write(IER, 0x01); /* RDI */
	EXPECT_EQ(irq_changes, 0);
	receive("z");
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(reg_read(IIR_FCR), 0x04);
	EXPECT_EQ(reg_read(IIR_FCR), 0x04); /* reading IIR does not clear received data */
	reg_read(RBR_THR);
	EXPECT_FALSE(irq_level);
	EXPECT_EQ(reg_read(IIR_FCR), 0x01);

	reg_write(IER, 0x03); /* + THRI: the empty THR interrupts at once */
	EXPECT_TRUE(irq_level);
	receive("q");
	EXPECT_EQ(reg_read(IIR_FCR), 0x04); /* received data outranks THRE... */
	EXPECT_EQ(reg_read(IIR_FCR), 0x04); /* ...so reading IIR then leaves THRE pending */
	reg_read(RBR_THR);
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(reg_read(IIR_FCR), 0x02); /* reading IIR acknowledges THRE */
	EXPECT_EQ(reg_read(IIR_FCR), 0x01);
	EXPECT_FALSE(irq_level);
	reg_write(RBR_THR, 'x'); /* the next character raises it again */
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(reg_read(IIR_FCR), 0x02);
	EXPECT_FALSE(irq_level);
	teardown();
}

TEST(uart_enabling_thri_raises_irq)
{
	setup();
	reg_write(IER, 0x02);
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(irq_changes, 1);
	EXPECT_EQ(reg_read(IER), 0x02);
	reg_write(IER, 0x00); /* masking drops the line */
	EXPECT_FALSE(irq_level);
	EXPECT_EQ(irq_changes, 2);
	reg_write(IER, 0x02); /* and enabling again raises it again */
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(reg_read(IIR_FCR), 0x02);
	EXPECT_FALSE(irq_level);
	reg_write(IER, 0x02); /* rewriting the same value is not an enable */
	EXPECT_FALSE(irq_level);
	reg_write(IER, 0xff);
	EXPECT_EQ(reg_read(IER), 0x0f); /* the upper bits do not exist */
	teardown();
}

TEST(uart_irq_reported_on_change_only)
{
	setup();
	reg_write(IER, 0x01);
	EXPECT_EQ(irq_changes, 0);
	receive("ab");
	EXPECT_EQ(irq_changes, 1);
	receive("c");
	reg_read(LSR);
	reg_read(IIR_FCR);
	reg_read(RBR_THR);
	reg_read(RBR_THR);
	EXPECT_EQ(irq_changes, 1); /* still data: still high, no new call */
	EXPECT_TRUE(irq_level);
	reg_read(RBR_THR);
	EXPECT_EQ(irq_changes, 2);
	EXPECT_FALSE(irq_level);
	reg_read(RBR_THR);
	reg_write(SCR, 1);
	EXPECT_EQ(irq_changes, 2);
	EXPECT_TRUE(seen_context == &context_token);
	teardown();
}

TEST(uart_divisor_latch)
{
	setup();
	receive("d");
	reg_write(IER, 0x01);
	EXPECT_EQ(irq_changes, 1);
	reg_write(LCR, 0x83); /* DLAB, 8N1 */
	reg_write(RBR_THR, 0x0c);
	reg_write(IER, 0x00);
	EXPECT_EQ(reg_read(RBR_THR), 0x0c); /* DLL, not the received byte */
	EXPECT_EQ(reg_read(IER), 0x00);     /* DLM */
	EXPECT_EQ(reg_read(LCR), 0x83);
	EXPECT_EQ(output_len, 0);           /* a divisor write is not a character */
	reg_write(LCR, 0x03);
	EXPECT_EQ(reg_read(IER), 0x01);     /* IER untouched by the divisor writes */
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(reg_read(RBR_THR), 'd');  /* the data was kept */
	reg_write(LCR, 0x80);
	EXPECT_EQ(reg_read(RBR_THR), 0x0c);
	EXPECT_EQ(reg_read(IER), 0x00);
	teardown();
}

TEST(uart_loopback)
{
	setup();
	reg_write(MCR, 0x10); /* loopback */
	reg_write(RBR_THR, 'L');
	reg_write(RBR_THR, 'B');
	EXPECT_EQ(output_len, 0); /* nothing reaches the host */
	EXPECT_EQ(reg_read(LSR) & 1, 1);
	EXPECT_EQ(reg_read(RBR_THR), 'L');
	EXPECT_EQ(reg_read(RBR_THR), 'B');
	for (int i = 0; i < UART_RX_FIFO_SIZE + 5; i++) /* overflow in loopback drops bytes */
		reg_write(RBR_THR, (uint8_t)i);
	EXPECT_EQ(uart_8250_rx_space(&uart), 0);
	EXPECT_EQ(reg_read(RBR_THR), 0);
	reg_write(MCR, 0x13); /* DTR, RTS -> DSR, CTS */
	EXPECT_EQ(reg_read(MSR), 0x30);
	reg_write(MCR, 0x1c); /* OUT1, OUT2 -> RI, DCD */
	EXPECT_EQ(reg_read(MSR), 0xc0);
	reg_write(MCR, 0xff);
	EXPECT_EQ(reg_read(MCR), 0x1f);
	reg_write(MCR, 0x00);
	reg_write(RBR_THR, 'o');
	EXPECT_EQ(output_len, 1);
	teardown();
}

TEST(uart_scratch_and_out_of_range)
{
	uint8_t data[8];

	setup();
	reg_write(SCR, 0x5a);
	EXPECT_EQ(reg_read(SCR), 0x5a);
	/* Wider reads fill only the first byte. */
	memset(data, 0xee, sizeof(data));
	uart_8250_mmio(&uart, SCR, data, 4, false);
	EXPECT_TRUE(memcmp(data, "\x5a\0\0\0\xee", 5) == 0);
	/* Offsets 8 and up (the rest of the 4 KiB page) read zero and ignore writes. */
	memset(data, 0xee, sizeof(data));
	uart_8250_mmio(&uart, 8, data, 8, false);
	EXPECT_EQ(data[0] | data[7], 0);
	data[0] = 'X';
	uart_8250_mmio(&uart, 0xff8, data, 1, true);
	EXPECT_EQ(output_len, 0);
	EXPECT_EQ(reg_read(SCR), 0x5a);
	teardown();
}
