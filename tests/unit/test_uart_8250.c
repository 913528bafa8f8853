#include "hw/uart_8250.h"
#include "unit_test.h"

static char output[256];
static size_t output_len;
static int irq_changes;
static bool irq_level;

static void record_irq(void *context, bool level)
{
	(void)context;
	irq_changes++;
	irq_level = level;
}

static void record_output(void *context, uint8_t byte)
{
	(void)context;
	output[output_len++] = (char)byte;
}

static struct uart_8250 uart;

static void setup(void)
{
	output_len = 0;
	irq_changes = 0;
	irq_level = false;
	memset(output, 0, sizeof(output));
	uart_8250_init(&uart, record_irq, record_output, NULL);
}

static uint8_t reg_read(uint64_t reg)
{
	uint8_t data[8] = { 0 };

	uart_8250_mmio(&uart, reg, data, 1, false);
	return data[0];
}

static void reg_write(uint64_t reg, uint8_t value)
{
	uint8_t data[8] = { value };

	uart_8250_mmio(&uart, reg, data, 1, true);
}

TEST(uart_transmit_and_status)
{
	setup();
	reg_write(0, 'h');
	reg_write(0, 'i');
	EXPECT_STR_EQ(output, "hi");
	EXPECT_EQ(reg_read(5), 0x60); /* THRE | TEMT, no data */
	EXPECT_EQ(irq_changes, 0);    /* no interrupt enabled */
}

TEST(uart_receive_fifo)
{
	uint8_t many[UART_RX_FIFO_SIZE + 10];

	setup();
	EXPECT_EQ(uart_8250_receive(&uart, (const uint8_t *)"ab", 2), 2);
	EXPECT_EQ(reg_read(5) & 1, 1);
	EXPECT_EQ(reg_read(0), 'a');
	EXPECT_EQ(reg_read(0), 'b');
	EXPECT_EQ(reg_read(5) & 1, 0);
	EXPECT_EQ(reg_read(0), 0);
	memset(many, 'x', sizeof(many));
	EXPECT_EQ(uart_8250_receive(&uart, many, sizeof(many)), UART_RX_FIFO_SIZE);
	EXPECT_EQ(uart_8250_rx_space(&uart), 0);
	reg_write(2, 0x03); /* FCR: enable FIFO, clear RX */
	EXPECT_EQ(uart_8250_rx_space(&uart), UART_RX_FIFO_SIZE);
	EXPECT_EQ(reg_read(2) & 0xc0, 0xc0);
}

TEST(uart_interrupts)
{
	setup();
	reg_write(1, 0x01); /* RDI */
	EXPECT_EQ(irq_changes, 0);
	uart_8250_receive(&uart, (const uint8_t *)"z", 1);
	EXPECT_TRUE(irq_level);
	EXPECT_EQ(reg_read(2) & 0x0f, 0x04);
	reg_read(0);
	EXPECT_TRUE(!irq_level);
	EXPECT_EQ(reg_read(2) & 0x0f, 0x01);

	reg_write(1, 0x03); /* + THRI: the empty THR interrupts at once */
	EXPECT_TRUE(irq_level);
	uart_8250_receive(&uart, (const uint8_t *)"q", 1);
	EXPECT_EQ(reg_read(2) & 0x0f, 0x04); /* received data outranks THRE */
	reg_read(0);
	EXPECT_EQ(reg_read(2) & 0x0f, 0x02); /* reading IIR acknowledges THRE... */
	EXPECT_EQ(reg_read(2) & 0x0f, 0x01);
	EXPECT_TRUE(!irq_level);
	reg_write(0, 'x'); /* ...and the next character raises it again */
	EXPECT_TRUE(irq_level);
	reg_write(1, 0x00);
	EXPECT_TRUE(!irq_level);
}

TEST(uart_irq_reported_on_change_only)
{
	setup();
	reg_write(1, 0x01);
	uart_8250_receive(&uart, (const uint8_t *)"ab", 2);
	uart_8250_receive(&uart, (const uint8_t *)"c", 1);
	EXPECT_EQ(irq_changes, 1);
}

TEST(uart_divisor_latch_and_loopback)
{
	setup();
	reg_write(3, 0x80);
	reg_write(0, 0x0c);
	reg_write(1, 0x01);
	EXPECT_EQ(reg_read(0), 0x0c);
	EXPECT_EQ(reg_read(1), 0x01);
	reg_write(3, 0x03);
	EXPECT_EQ(reg_read(1), 0x00); /* IER untouched by the divisor writes */
	EXPECT_EQ(output_len, 0);
	reg_write(4, 0x10); /* loopback */
	reg_write(0, 'L');
	EXPECT_EQ(output_len, 0);
	EXPECT_EQ(reg_read(0), 'L');
	reg_write(4, 0x13);
	EXPECT_EQ(reg_read(6) & 0x30, 0x30); /* DTR, RTS -> DSR, CTS */
	reg_write(7, 0x5a);
	EXPECT_EQ(reg_read(7), 0x5a);
}
