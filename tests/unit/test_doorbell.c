#include <stdio.h>
#include <stdlib.h>

#include "hw/doorbell.h"
#include "lvmm/doorbell.h"
#include "unit_test.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 8192
#define CALL_SIZE sizeof(struct doorbell_ucall)

static char lines[8][512];
static int line_count, finish_calls, finish_status;
static uint8_t *ram;
static struct guest_memory memory;
static struct doorbell bell;
static uint64_t fake_ns;
static int context_token;
static bool wrong_context;

static void record_line(void *context, const char *line)
{
	wrong_context |= context != &context_token;
	if (line_count < 8)
		snprintf(lines[line_count], sizeof(lines[0]), "%s", line);
	line_count++;
}

static void record_finish(void *context, int status)
{
	wrong_context |= context != &context_token;
	finish_calls++;
	finish_status = status;
}

static uint64_t fake_clock(void)
{
	return fake_ns;
}

static void setup(void)
{
	log_set_level(LOG_ERROR); /* the rejected addresses would warn on stderr */
	ram = calloc(1, RAM_SIZE); /* exactly sized, so ASan catches any read past guest RAM */
	memset(&memory, 0, sizeof(memory));
	guest_memory_add(&memory, RAM_BASE, RAM_SIZE, ram, 0);
	fake_ns = 123456789;
	bell = (struct doorbell){ .memory = &memory, .start_ns = 1000, .clock_ns = fake_clock,
				  .output = record_line, .finish = record_finish,
				  .context = &context_token };
	memset(lines, 0, sizeof(lines));
	line_count = 0;
	finish_calls = 0;
	finish_status = -1;
	wrong_context = false;
}

static void teardown(void)
{
	free(ram);
	ram = NULL;
	log_set_level(LOG_WARNING);
	EXPECT_FALSE(wrong_context);
}

static void ring(uint64_t gpa)
{
	uint8_t data[8];

	mmio_data_write(data, 8, gpa);
	doorbell_mmio(&bell, DOORBELL_REG_UCALL, data, 8, true);
}

static void ucall_at(uint64_t offset, uint64_t command, const char *text, uint64_t a, uint64_t b)
{
	struct doorbell_ucall call = { .command = command, .args = { a, b, 0xdead, 0xbeef } };

	snprintf(call.text, sizeof(call.text), "%s", text);
	memcpy(ram + offset, &call, sizeof(call));
	ring(RAM_BASE + offset);
}

static uint64_t read_reg(uint64_t offset, uint32_t len)
{
	uint8_t data[8];

	memset(data, 0xee, sizeof(data));
	doorbell_mmio(&bell, offset, data, len, false);
	return mmio_data_read(data, len);
}

TEST(doorbell_print_report_sync)
{
	setup();
	ucall_at(0, UCALL_PRINT, "hello", 0, 0);
	ucall_at(256, UCALL_REPORT, "cpus", 4, 0);
	ucall_at(512, UCALL_SYNC, "ignored", 7, 9);
	ucall_at(768, UCALL_REPORT, "ns", UINT64_MAX, 0);
	ucall_at(1024, UCALL_PRINT, "", 0, 0);
	EXPECT_EQ(line_count, 5);
	EXPECT_STR_EQ(lines[0], "guest: hello\n");
	EXPECT_STR_EQ(lines[1], "report cpus=4\n");
	EXPECT_STR_EQ(lines[2], "sync 7 9\n");
	EXPECT_STR_EQ(lines[3], "report ns=18446744073709551615\n");
	EXPECT_STR_EQ(lines[4], "guest: \n");
	EXPECT_EQ(finish_calls, 0);
	teardown();
}

TEST(doorbell_assert_and_done_finish)
{
	setup();
	ucall_at(0, UCALL_ASSERT, "x == y at t.c:1", 1, 0xffffffffffffffffULL);
	EXPECT_EQ(line_count, 1);
	EXPECT_STR_EQ(lines[0], "guest assert failed: x == y at t.c:1 (0x1, 0xffffffffffffffff)\n");
	EXPECT_EQ(finish_calls, 1);
	EXPECT_EQ(finish_status, 6);

	teardown();
	setup();
	ucall_at(0, UCALL_DONE, "text is not printed", 0, 0);
	EXPECT_EQ(line_count, 0);
	EXPECT_EQ(finish_calls, 1);
	EXPECT_EQ(finish_status, 0);
	teardown();
}

TEST(doorbell_unknown_command_ignored)
{
	setup();
	ucall_at(0, 0, "zero", 0, 0);
	ucall_at(0, 6, "six", 0, 0);
	ucall_at(0, 99, "", 0, 0);
	ucall_at(0, UINT64_MAX, "", 0, 0);
	ucall_at(0, (1ULL << 32) | UCALL_DONE, "", 0, 0); /* all 64 bits count */
	EXPECT_EQ(line_count, 0);
	EXPECT_EQ(finish_calls, 0);
	teardown();
}

TEST(doorbell_rejects_bad_addresses)
{
	static const uint64_t bad[] = {
		0, RAM_BASE - 8, RAM_BASE - CALL_SIZE,               /* below RAM */
		RAM_BASE + 4, RAM_BASE + 1, RAM_BASE + 7,            /* unaligned */
		RAM_BASE + RAM_SIZE - CALL_SIZE + 8,                 /* straddles the end */
		RAM_BASE + RAM_SIZE - 8, RAM_BASE + RAM_SIZE,         /* at and past the end */
		RAM_BASE + RAM_SIZE + 8, UINT64_MAX - 7, UINT64_MAX, /* far away */
		0x01030000,                                          /* the doorbell itself */
	};

	setup();
	/* Every aligned word of RAM says PRINT (text empty): an aligned address accepted by
	 * mistake would print. The rest is for ASan: nothing may be read outside the block. */
	for (size_t off = 0; off < RAM_SIZE; off += 8)
		mmio_data_write(ram + off, 8, UCALL_PRINT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ring(bad[i]);
	EXPECT_EQ(line_count, 0);
	EXPECT_EQ(finish_calls, 0);
	teardown();
}

/* A well-formed struct at an unaligned address is still refused. */
TEST(doorbell_rejects_unaligned_struct)
{
	static const uint64_t offsets[] = { 1, 4, 7, 0x104 };

	setup();
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		ucall_at(offsets[i], UCALL_DONE, "", 0, 0);
	ucall_at(0x204, UCALL_PRINT, "unaligned", 0, 0);
	EXPECT_EQ(line_count, 0);
	EXPECT_EQ(finish_calls, 0);
	teardown();
}

TEST(doorbell_last_struct_in_ram)
{
	setup();
	/* The highest address at which the whole struct fits is accepted. */
	ucall_at(RAM_SIZE - CALL_SIZE, UCALL_PRINT, "at the top", 0, 0);
	EXPECT_EQ(line_count, 1);
	EXPECT_STR_EQ(lines[0], "guest: at the top\n");
	teardown();
}

TEST(doorbell_needs_a_64_bit_write)
{
	uint8_t data[8];

	setup();
	memcpy(ram, &(struct doorbell_ucall){ .command = UCALL_PRINT, .text = "narrow" }, CALL_SIZE);
	mmio_data_write(data, 4, (uint32_t)RAM_BASE);
	doorbell_mmio(&bell, DOORBELL_REG_UCALL, data, 4, true);
	doorbell_mmio(&bell, DOORBELL_REG_UCALL + 4, data, 4, true);
	doorbell_mmio(&bell, DOORBELL_REG_VERSION, data, 8, true); /* read-only registers */
	doorbell_mmio(&bell, DOORBELL_REG_HOST_NS, data, 8, true);
	EXPECT_EQ(line_count, 0);
	ring(RAM_BASE);
	EXPECT_EQ(line_count, 1);
	EXPECT_STR_EQ(lines[0], "guest: narrow\n");
	teardown();
}

TEST(doorbell_text_without_terminator)
{
	struct doorbell_ucall call = { .command = UCALL_PRINT };
	char expected[DOORBELL_TEXT_MAX + 16];

	setup();
	memset(call.text, 'A', sizeof(call.text));
	/* At the very end of RAM: reading one byte past text would leave the heap block. */
	memcpy(ram + RAM_SIZE - CALL_SIZE, &call, sizeof(call));
	ring(RAM_BASE + RAM_SIZE - CALL_SIZE);
	EXPECT_EQ(line_count, 1);
	memset(expected, 0, sizeof(expected));
	memcpy(expected, "guest: ", 7);
	memset(expected + 7, 'A', DOORBELL_TEXT_MAX - 1);
	expected[7 + DOORBELL_TEXT_MAX - 1] = '\n';
	EXPECT_STR_EQ(lines[0], expected);
	EXPECT_EQ(ram[RAM_SIZE - 1], 'A'); /* lvmm terminated its copy, not guest memory */

	call.command = UCALL_ASSERT; /* the same for the other commands that print text */
	memcpy(ram, &call, sizeof(call));
	ring(RAM_BASE);
	EXPECT_EQ(line_count, 2);
	EXPECT_EQ(strlen(lines[1]), strlen("guest assert failed:  (0x0, 0x0)\n") + DOORBELL_TEXT_MAX - 1);
	EXPECT_EQ(finish_status, 6);
	teardown();
}

TEST(doorbell_registers)
{
	setup();
	EXPECT_EQ(read_reg(DOORBELL_REG_VERSION, 8), 1);
	EXPECT_EQ(read_reg(DOORBELL_REG_VERSION, 4), 1);
	EXPECT_EQ(read_reg(DOORBELL_REG_HOST_NS, 8), 123456789);
	fake_ns = 0x123456789abcdef0ULL;
	EXPECT_EQ(read_reg(DOORBELL_REG_HOST_NS, 8), 0x123456789abcdef0ULL);
	EXPECT_EQ(read_reg(DOORBELL_REG_UCALL, 8), 0);
	EXPECT_EQ(read_reg(DOORBELL_REG_MARKER, 8), 0);
	EXPECT_EQ(read_reg(0x800, 8), 0);
	EXPECT_EQ(read_reg(0xff8, 8), 0);
	teardown();
}

TEST(doorbell_marker_prints_nothing)
{
	uint8_t data[8];

	setup();
	mmio_data_write(data, 4, 42);
	doorbell_mmio(&bell, DOORBELL_REG_MARKER, data, 4, true);
	fake_ns = 0; /* a clock before start_ns must not trip anything */
	doorbell_mmio(&bell, DOORBELL_REG_MARKER, data, 1, true);
	EXPECT_EQ(line_count, 0);
	EXPECT_EQ(finish_calls, 0);
	teardown();
}
