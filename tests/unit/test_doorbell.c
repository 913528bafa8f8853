#include <stdio.h>
#include <stdlib.h>

#include "hw/doorbell.h"
#include "lvmm/doorbell.h"
#include "unit_test.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 8192

static char lines[8][512];
static int line_count, finish_status;
static uint8_t *ram;
static struct guest_memory memory;
static struct doorbell bell;

static void record_line(void *context, const char *line)
{
	(void)context;
	if (line_count < 8)
		snprintf(lines[line_count++], sizeof(lines[0]), "%s", line);
}

static void record_finish(void *context, int status)
{
	(void)context;
	finish_status = status;
}

static uint64_t fake_clock(void)
{
	return 123456789;
}

static void setup(void)
{
	log_set_level(LOG_ERROR); /* the rejected addresses would warn on stderr */
	free(ram);
	ram = calloc(1, RAM_SIZE); /* exactly sized, so ASan catches any read past guest RAM */
	memset(&memory, 0, sizeof(memory));
	guest_memory_add(&memory, RAM_BASE, RAM_SIZE, ram, 0);
	bell = (struct doorbell){ .memory = &memory, .clock_ns = fake_clock, .output = record_line,
				  .finish = record_finish };
	line_count = 0;
	finish_status = -1;
}

static void ucall_at(uint64_t offset, uint64_t command, const char *text, uint64_t a, uint64_t b)
{
	struct doorbell_ucall call = { .command = command, .args = { a, b } };
	uint8_t data[8];

	snprintf(call.text, sizeof(call.text), "%s", text);
	memcpy(ram + offset, &call, sizeof(call));
	mmio_data_write(data, 8, RAM_BASE + offset);
	doorbell_mmio(&bell, DOORBELL_REG_UCALL, data, 8, true);
}

static uint64_t read_reg(uint64_t offset)
{
	uint8_t data[8];

	doorbell_mmio(&bell, offset, data, 8, false);
	return mmio_data_read(data, 8);
}


TEST(doorbell_commands)
{
	setup();
	ucall_at(0, UCALL_PRINT, "hello", 0, 0);
	ucall_at(256, UCALL_REPORT, "cpus", 4, 0);
	ucall_at(512, UCALL_SYNC, "", 7, 9);
	EXPECT_EQ(line_count, 3);
	EXPECT_STR_EQ(lines[0], "guest: hello\n");
	EXPECT_STR_EQ(lines[1], "report cpus=4\n");
	EXPECT_STR_EQ(lines[2], "sync 7 9\n");
	EXPECT_EQ(finish_status, (unsigned long long)-1);
	ucall_at(0, UCALL_ASSERT, "x == y at t.c:1", 1, 2);
	EXPECT_STR_EQ(lines[3], "guest assert failed: x == y at t.c:1 (0x1, 0x2)\n");
	EXPECT_EQ(finish_status, 6);
	ucall_at(0, UCALL_DONE, "", 0, 0);
	EXPECT_EQ(finish_status, 0);
	ucall_at(0, 99, "", 0, 0);
	EXPECT_EQ(line_count, 4);
}

TEST(doorbell_rejects_bad_addresses)
{
	uint64_t bad[] = { 0, RAM_BASE - 8, RAM_BASE + 4, RAM_BASE + RAM_SIZE - 8,
			   RAM_BASE + RAM_SIZE, UINT64_MAX - 7 };
	uint8_t data[8];

	setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mmio_data_write(data, 8, bad[i]);
		doorbell_mmio(&bell, DOORBELL_REG_UCALL, data, 8, true);
	}
	EXPECT_EQ(line_count, 0);
	EXPECT_EQ(finish_status, (unsigned long long)-1);
}

TEST(doorbell_text_without_terminator)
{
	struct doorbell_ucall call = { .command = UCALL_PRINT };
	uint8_t data[8];

	setup();
	memset(call.text, 'A', sizeof(call.text));
	memcpy(ram, &call, sizeof(call));
	mmio_data_write(data, 8, RAM_BASE);
	doorbell_mmio(&bell, DOORBELL_REG_UCALL, data, 8, true);
	EXPECT_EQ(line_count, 1);
	EXPECT_EQ(strlen(lines[0]), strlen("guest: \n") + DOORBELL_TEXT_MAX - 1);
}

TEST(doorbell_registers)
{
	setup();
	EXPECT_EQ(read_reg(DOORBELL_REG_VERSION), 1);
	EXPECT_EQ(read_reg(DOORBELL_REG_HOST_NS), 123456789);
	EXPECT_EQ(read_reg(DOORBELL_REG_UCALL), 0);
	EXPECT_EQ(read_reg(0x800), 0);
	free(ram);
	ram = NULL;
}
