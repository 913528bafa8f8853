#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "unit_test.h"
#include "vmm/guest_memory.h"
#include "vmm/virtqueue.h"

/*
 * A fake guest: 64 KiB of RAM at 0x80000000 holding the rings, the buffers and any indirect
 * tables, written the way a (sometimes hostile) driver would.
 */
#define RAM_GPA 0x80000000ULL
#define RAM_SIZE 0x10000ULL
#define RAM_END (RAM_GPA + RAM_SIZE)
#define DESC_GPA RAM_GPA
#define AVAIL_GPA (RAM_GPA + 0x1000)
#define USED_GPA (RAM_GPA + 0x2000)
#define BUFFER_GPA (RAM_GPA + 0x3000)
#define TABLE_GPA (RAM_GPA + 0x8000) /* room for 1024 indirect entries */

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct guest_memory memory;
static struct virtqueue vq;
static struct virtqueue_chain chain; /* 32 KiB: kept off the stack */
static char reason[256];

static void *host(uint64_t gpa)
{
	return ram + (gpa - RAM_GPA);
}

static void setup(uint16_t size, bool event_idx, bool indirect)
{
	memset(ram, 0, sizeof(ram));
	memset(&chain, 0, sizeof(chain));
	memory = (struct guest_memory){ 0 };
	EXPECT_EQ(guest_memory_add(&memory, RAM_GPA, RAM_SIZE, ram, 0), 0);
	EXPECT_EQ(virtqueue_enable(&vq, &memory, size, DESC_GPA, AVAIL_GPA, USED_GPA, event_idx,
				   indirect, reason, sizeof(reason)),
		  0);
}

static void write_desc(uint64_t table_gpa, uint16_t index, uint64_t addr, uint32_t len,
		       uint16_t flags, uint16_t next)
{
	struct virtq_desc desc = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(host(table_gpa + sizeof(desc) * index), &desc, sizeof(desc));
}

static struct virtq_avail *avail_ring(void)
{
	return host(AVAIL_GPA);
}

static struct virtq_used *used_ring(void)
{
	return host(USED_GPA);
}

static uint16_t *used_event(void)
{
	return &avail_ring()->ring[vq.size];
}

static uint16_t *avail_event(void)
{
	return (uint16_t *)&used_ring()->ring[vq.size];
}

/* The driver's side of making a chain available. */
static void offer(uint16_t head)
{
	struct virtq_avail *avail = avail_ring();

	avail->ring[avail->idx % vq.size] = head;
	avail->idx++;
}

#define EXPECT_POP(expected)                                                            \
	do {                                                                            \
		enum virtqueue_pop_result result_;                                      \
		reason[0] = '\0';                                                       \
		result_ = virtqueue_pop(&vq, &chain, reason, sizeof(reason));           \
		if (result_ != (expected))                                              \
			unit_test_fail(__FILE__, __LINE__, "pop: %d, expected %s (%s)", \
				       (int)result_, #expected, reason);                     \
	} while (0)

/* Broken, with a one-line reason mentioning fragment, and nothing consumed. */
#define EXPECT_BROKEN(fragment)                                                 \
	do {                                                                    \
		uint16_t last_avail_before_ = vq.last_avail_idx;                \
		EXPECT_POP(VIRTQUEUE_BROKEN);                                   \
		EXPECT_EQ(vq.last_avail_idx, last_avail_before_);               \
		EXPECT_CONTAINS(reason, fragment);                              \
		EXPECT_TRUE(strchr(reason, '\n') == NULL);                      \
	} while (0)

TEST(virtqueue_direct_chain_readable_then_writable)
{
	setup(8, false, false);
	memcpy(host(BUFFER_GPA), "header..", 8);
	memcpy(host(BUFFER_GPA + 0x100), "payload", 7);
	/* Head 5, linked out of order: 5 -> 2 -> 7. */
	write_desc(DESC_GPA, 5, BUFFER_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	write_desc(DESC_GPA, 2, BUFFER_GPA + 0x100, 7, VIRTQ_DESC_F_NEXT, 7);
	write_desc(DESC_GPA, 7, BUFFER_GPA + 0x200, 100, VIRTQ_DESC_F_WRITE, 0);
	offer(5);

	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.head, 5);
	EXPECT_EQ(chain.readable_count, 2);
	EXPECT_EQ(chain.writable_count, 1);
	EXPECT_EQ(chain.readable_bytes, 15);
	EXPECT_EQ(chain.writable_bytes, 100);
	EXPECT_TRUE(chain.readable[0].iov_base == host(BUFFER_GPA));
	EXPECT_EQ(chain.readable[0].iov_len, 8);
	EXPECT_TRUE(memcmp(chain.readable[0].iov_base, "header..", 8) == 0);
	EXPECT_TRUE(chain.readable[1].iov_base == host(BUFFER_GPA + 0x100));
	EXPECT_TRUE(memcmp(chain.readable[1].iov_base, "payload", 7) == 0);
	EXPECT_TRUE(chain.writable[0].iov_base == host(BUFFER_GPA + 0x200));
	EXPECT_EQ(chain.writable[0].iov_len, 100);
	memcpy(chain.writable[0].iov_base, "reply", 5);
	EXPECT_TRUE(memcmp(host(BUFFER_GPA + 0x200), "reply", 5) == 0);
	EXPECT_EQ(vq.last_avail_idx, 1);

	EXPECT_POP(VIRTQUEUE_EMPTY);
	EXPECT_EQ(vq.last_avail_idx, 1);
}

TEST(virtqueue_indirect_chain)
{
	setup(8, false, true);
	memcpy(host(BUFFER_GPA), "request.....", 12);
	/* WRITE on the descriptor naming the table is meaningless and must be ignored. */
	write_desc(DESC_GPA, 3, TABLE_GPA, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	write_desc(TABLE_GPA, 0, BUFFER_GPA, 12, VIRTQ_DESC_F_NEXT, 2);
	write_desc(TABLE_GPA, 2, BUFFER_GPA + 0x100, 32, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	write_desc(TABLE_GPA, 1, BUFFER_GPA + 0x200, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(3);

	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.head, 3);
	EXPECT_EQ(chain.readable_count, 1);
	EXPECT_EQ(chain.writable_count, 2);
	EXPECT_EQ(chain.readable_bytes, 12);
	EXPECT_EQ(chain.writable_bytes, 36);
	EXPECT_TRUE(chain.readable[0].iov_base == host(BUFFER_GPA));
	EXPECT_TRUE(memcmp(chain.readable[0].iov_base, "request.....", 12) == 0);
	EXPECT_TRUE(chain.writable[0].iov_base == host(BUFFER_GPA + 0x100));
	EXPECT_EQ(chain.writable[0].iov_len, 32);
	EXPECT_TRUE(chain.writable[1].iov_base == host(BUFFER_GPA + 0x200));
	EXPECT_EQ(chain.writable[1].iov_len, 4);
	EXPECT_EQ(vq.last_avail_idx, 1);
}

/* The spec has devices accept direct descriptors followed by one indirect one. */
TEST(virtqueue_direct_then_indirect)
{
	setup(8, false, true);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, TABLE_GPA, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_desc(TABLE_GPA, 0, BUFFER_GPA + 0x100, 8, VIRTQ_DESC_F_NEXT, 1);
	write_desc(TABLE_GPA, 1, BUFFER_GPA + 0x200, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_count, 2);
	EXPECT_EQ(chain.readable_bytes, 24);
	EXPECT_EQ(chain.writable_count, 1);
	EXPECT_EQ(chain.writable_bytes, 64);

	/* The ordering rule spans the switch into the table. */
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	EXPECT_BROKEN("follows a device-writable");
}

TEST(virtqueue_empty)
{
	setup(8, false, false);
	strcpy(reason, "untouched");
	EXPECT_EQ(virtqueue_pop(&vq, &chain, reason, sizeof(reason)), VIRTQUEUE_EMPTY);
	EXPECT_STR_EQ(reason, "untouched");
	EXPECT_EQ(vq.last_avail_idx, 0);

	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, 0, 0);
	offer(0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_POP(VIRTQUEUE_EMPTY);
	EXPECT_EQ(vq.last_avail_idx, 1);
}

TEST(virtqueue_avail_idx_jump)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, 0, 0);
	/* Every ring entry names descriptor 0 (zero-filled), so only idx decides. */
	avail_ring()->idx = 9;
	EXPECT_BROKEN("ahead");
	EXPECT_BROKEN("ahead"); /* still broken: nothing was consumed */

	/* Exactly size outstanding is allowed. */
	avail_ring()->idx = 8;
	for (int i = 0; i < 8; i++)
		EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_POP(VIRTQUEUE_EMPTY);
	EXPECT_EQ(vq.last_avail_idx, 8);

	/* A driver that moves idx backwards looks 65535 entries ahead. */
	avail_ring()->idx = 7;
	EXPECT_BROKEN("ahead");
}

TEST(virtqueue_avail_idx_wraps)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, 0, 0);
	write_desc(DESC_GPA, 1, BUFFER_GPA, 32, 0, 0);
	vq.last_avail_idx = 0xfffe;
	avail_ring()->ring[0xfffe % 8] = 0;
	avail_ring()->ring[0xffff % 8] = 1;
	avail_ring()->ring[0] = 0;
	avail_ring()->ring[1] = 1;
	avail_ring()->idx = 2; /* four entries past 0xfffe */
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.head, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.head, 1);
	EXPECT_EQ(vq.last_avail_idx, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_bytes, 32);
	EXPECT_POP(VIRTQUEUE_EMPTY);
	EXPECT_EQ(vq.last_avail_idx, 2);
}

TEST(virtqueue_head_out_of_range)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 7, BUFFER_GPA, 16, 0, 0);
	offer(8);
	EXPECT_BROKEN("head 8");
	avail_ring()->ring[0] = 0xffff;
	EXPECT_BROKEN("head 65535");
	avail_ring()->ring[0] = 7; /* the last valid one */
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.head, 7);
}

TEST(virtqueue_next_out_of_range)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 8);
	offer(0);
	EXPECT_BROKEN("links to 8");
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 0xffff);
	EXPECT_BROKEN("links to 65535");
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 7);
	write_desc(DESC_GPA, 7, BUFFER_GPA, 16, 0, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
}

TEST(virtqueue_self_loop)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 2, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 2);
	offer(2);
	EXPECT_BROKEN("loop");
}

/* No segments pile up, so only the loop bound ends this walk. */
TEST(virtqueue_zero_length_self_loop)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 2, BUFFER_GPA, 0, VIRTQ_DESC_F_NEXT, 2);
	offer(2);
	EXPECT_BROKEN("loop");
}

TEST(virtqueue_three_descriptor_cycle)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, BUFFER_GPA + 16, 16, VIRTQ_DESC_F_NEXT, 2);
	write_desc(DESC_GPA, 2, BUFFER_GPA + 32, 16, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	EXPECT_BROKEN("loop");
}

TEST(virtqueue_chain_longer_than_queue)
{
	setup(4, false, false);
	/* All four descriptors in one chain is the longest legal chain... */
	write_desc(DESC_GPA, 0, BUFFER_GPA, 1, VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, BUFFER_GPA, 1, VIRTQ_DESC_F_NEXT, 2);
	write_desc(DESC_GPA, 2, BUFFER_GPA, 1, VIRTQ_DESC_F_NEXT, 3);
	write_desc(DESC_GPA, 3, BUFFER_GPA, 1, 0, 0);
	offer(0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_count, 4);
	/* ...a fifth step (back into the middle) is one too many. */
	write_desc(DESC_GPA, 3, BUFFER_GPA, 1, VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	EXPECT_BROKEN("longer than its 4-entry descriptor table");
}

TEST(virtqueue_buffer_outside_ram)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, 0x1000, 16, 0, 0);
	offer(0);
	EXPECT_BROKEN("not in guest RAM");
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, RAM_END, 1, VIRTQ_DESC_F_WRITE, 0);
	EXPECT_BROKEN("descriptor 1: buffer at 0x80010000");
}

TEST(virtqueue_buffer_wraps_address_space)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, 0xfffffffffffff000ULL, 0x2000, 0, 0);
	offer(0);
	EXPECT_BROKEN("not in guest RAM");
	write_desc(DESC_GPA, 0, UINT64_MAX, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
	EXPECT_BROKEN("not in guest RAM");
}

TEST(virtqueue_buffer_straddles_ram_end)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, RAM_END - 8, 16, 0, 0);
	offer(0);
	EXPECT_BROKEN("not in guest RAM");
	write_desc(DESC_GPA, 0, RAM_END - 8, 8, 0, 0); /* up to the last byte is fine */
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_TRUE(chain.readable[0].iov_base == host(RAM_END - 8));
}

TEST(virtqueue_zero_length_descriptors)
{
	setup(8, false, false);
	/* Zero-length buffers add no segment, so their (here bogus) addresses never matter. */
	write_desc(DESC_GPA, 0, BUFFER_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, 0xdead0000, 0, VIRTQ_DESC_F_NEXT, 2);
	write_desc(DESC_GPA, 2, UINT64_MAX, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	write_desc(DESC_GPA, 3, BUFFER_GPA + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_count, 1);
	EXPECT_EQ(chain.writable_count, 1);
	EXPECT_EQ(chain.readable_bytes, 16);
	EXPECT_EQ(chain.writable_bytes, 8);
	EXPECT_TRUE(chain.writable[0].iov_base == host(BUFFER_GPA + 0x100));

	write_desc(DESC_GPA, 4, 0, 0, 0, 0);
	offer(4);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.head, 4);
	EXPECT_EQ(chain.readable_count, 0);
	EXPECT_EQ(chain.writable_count, 0);
	EXPECT_EQ(chain.readable_bytes, 0);
	EXPECT_EQ(chain.writable_bytes, 0);
}

TEST(virtqueue_huge_length)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, RAM_GPA, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	EXPECT_BROKEN("0xffffffff bytes");
}

TEST(virtqueue_readable_after_writable)
{
	setup(8, false, true);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, BUFFER_GPA + 8, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN("descriptor 1 is device-readable but follows a device-writable");

	/* Even an empty readable descriptor breaks the ordering the driver must keep. */
	write_desc(DESC_GPA, 1, BUFFER_GPA + 8, 0, 0, 0);
	EXPECT_BROKEN("follows a device-writable");

	/* And inside an indirect table. */
	write_desc(DESC_GPA, 0, TABLE_GPA, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_desc(TABLE_GPA, 0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	write_desc(TABLE_GPA, 1, BUFFER_GPA + 8, 8, 0, 0);
	EXPECT_BROKEN("indirect descriptor 1 is device-readable");
}

TEST(virtqueue_indirect_without_feature)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_desc(TABLE_GPA, 0, BUFFER_GPA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN("not negotiated");
}

TEST(virtqueue_indirect_with_next)
{
	setup(8, false, true);
	write_desc(DESC_GPA, 0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, BUFFER_GPA, 8, 0, 0);
	write_desc(TABLE_GPA, 0, BUFFER_GPA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN("both INDIRECT and NEXT");
}

TEST(virtqueue_nested_indirect)
{
	setup(8, false, true);
	write_desc(DESC_GPA, 0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_desc(TABLE_GPA, 0, TABLE_GPA + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_desc(TABLE_GPA + 0x100, 0, BUFFER_GPA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN("another indirect table");
	/* Pointing back at itself is the same nesting. */
	write_desc(TABLE_GPA, 0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("another indirect table");
}

TEST(virtqueue_indirect_table_bad_length)
{
	setup(8, false, true);
	offer(0);
	write_desc(DESC_GPA, 0, TABLE_GPA, 0, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("indirect table length 0 ");
	write_desc(DESC_GPA, 0, TABLE_GPA, 17, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("indirect table length 17 ");
	write_desc(DESC_GPA, 0, TABLE_GPA, 8, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("indirect table length 8 ");
	write_desc(DESC_GPA, 0, TABLE_GPA, (VIRTQUEUE_MAX_SEGMENTS + 1) * 16, VIRTQ_DESC_F_INDIRECT,
		   0);
	EXPECT_BROKEN("indirect table length 16400 ");
	write_desc(DESC_GPA, 0, TABLE_GPA, 0xfffffff0, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("indirect table length");

	/* The largest table, all of it chained with empty entries. */
	for (uint16_t i = 0; i < VIRTQUEUE_MAX_SEGMENTS; i++)
		write_desc(TABLE_GPA, i, 0, 0,
			   i + 1 < VIRTQUEUE_MAX_SEGMENTS ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	write_desc(DESC_GPA, 0, TABLE_GPA, VIRTQUEUE_MAX_SEGMENTS * 16, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
}

TEST(virtqueue_indirect_table_outside_ram)
{
	setup(8, false, true);
	offer(0);
	write_desc(DESC_GPA, 0, 0x1000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("indirect table at 0x1000");
	write_desc(DESC_GPA, 0, RAM_END - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("not in guest RAM");
	write_desc(DESC_GPA, 0, 0xfffffffffffffff0ULL, 32, VIRTQ_DESC_F_INDIRECT, 0);
	EXPECT_BROKEN("not in guest RAM");
}

TEST(virtqueue_indirect_table_loop)
{
	setup(8, false, true);
	write_desc(DESC_GPA, 0, TABLE_GPA, 4 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_desc(TABLE_GPA, 0, BUFFER_GPA, 0, VIRTQ_DESC_F_NEXT, 1);
	write_desc(TABLE_GPA, 1, BUFFER_GPA, 0, VIRTQ_DESC_F_NEXT, 2);
	write_desc(TABLE_GPA, 2, BUFFER_GPA, 0, VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	EXPECT_BROKEN("longer than its 4-entry indirect table");

	/* next is bounded by the table, not by the (larger) queue. */
	write_desc(TABLE_GPA, 2, BUFFER_GPA, 0, VIRTQ_DESC_F_NEXT, 4);
	EXPECT_BROKEN("links to 4, past the 4-entry indirect table");
	write_desc(TABLE_GPA, 2, BUFFER_GPA, 0, VIRTQ_DESC_F_NEXT, 3);
	write_desc(TABLE_GPA, 3, BUFFER_GPA, 1, 0, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_count, 1);
}

TEST(virtqueue_too_many_segments)
{
	setup(8, false, true);
	for (uint16_t i = 0; i < VIRTQUEUE_MAX_SEGMENTS; i++)
		write_desc(TABLE_GPA, i, BUFFER_GPA + i, 1,
			   i + 1 < VIRTQUEUE_MAX_SEGMENTS ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	/* A full table is exactly the limit... */
	write_desc(DESC_GPA, 0, TABLE_GPA, VIRTQUEUE_MAX_SEGMENTS * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_count, VIRTQUEUE_MAX_SEGMENTS);
	EXPECT_EQ(chain.readable_bytes, VIRTQUEUE_MAX_SEGMENTS);
	EXPECT_TRUE(chain.readable[VIRTQUEUE_MAX_SEGMENTS - 1].iov_base ==
		    host(BUFFER_GPA + VIRTQUEUE_MAX_SEGMENTS - 1));
	/* ...and one direct descriptor in front of it is one too many. */
	write_desc(DESC_GPA, 1, BUFFER_GPA, 1, VIRTQ_DESC_F_NEXT, 0);
	offer(1);
	EXPECT_BROKEN("more than 1024 segments");
}

/* Beyond 4 GiB a chain needs more RAM than the fake guest has: reserve 3 GiB of address space. */
TEST(virtqueue_total_bytes_limit)
{
	const uint64_t big_gpa = 0x100000000ULL, big_size = 0xc0000000ULL;
	void *big = mmap(NULL, big_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);

	EXPECT_TRUE(big != MAP_FAILED);
	if (big == MAP_FAILED)
		return;
	setup(8, false, false);
	EXPECT_EQ(guest_memory_add(&memory, big_gpa, big_size, big, 1), 0);
	offer(0);

	/* Exactly UINT32_MAX readable bytes, and as many writable ones: allowed. */
	write_desc(DESC_GPA, 0, big_gpa, 0x80000000, VIRTQ_DESC_F_NEXT, 1);
	write_desc(DESC_GPA, 1, big_gpa, 0x7fffffff, VIRTQ_DESC_F_NEXT, 2);
	write_desc(DESC_GPA, 2, big_gpa, 0x80000000, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	write_desc(DESC_GPA, 3, big_gpa, 0x7fffffff, VIRTQ_DESC_F_WRITE, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_EQ(chain.readable_bytes, UINT32_MAX);
	EXPECT_EQ(chain.writable_bytes, UINT32_MAX);

	offer(0);
	write_desc(DESC_GPA, 1, big_gpa, 0x80000000, VIRTQ_DESC_F_NEXT, 2);
	EXPECT_BROKEN("more than 4 GiB of readable");
	write_desc(DESC_GPA, 1, big_gpa, 0x7fffffff, VIRTQ_DESC_F_NEXT, 2);
	write_desc(DESC_GPA, 3, big_gpa, 0x80000000, VIRTQ_DESC_F_WRITE, 0);
	EXPECT_BROKEN("more than 4 GiB of writable");
	munmap(big, big_size);
}

TEST(virtqueue_push_used_ring)
{
	struct virtq_used *used;

	setup(4, false, false);
	used = used_ring();
	write_desc(DESC_GPA, 0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	write_desc(DESC_GPA, 3, BUFFER_GPA + 8, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	offer(3);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	/* Completed out of order. */
	virtqueue_push(&vq, 3, 7);
	EXPECT_EQ(used->idx, 1);
	EXPECT_EQ(used->ring[0].id, 3);
	EXPECT_EQ(used->ring[0].len, 7);
	virtqueue_push(&vq, 0, 0);
	EXPECT_EQ(used->idx, 2);
	EXPECT_EQ(used->ring[1].id, 0);
	EXPECT_EQ(used->ring[1].len, 0);
	EXPECT_EQ(vq.used_idx, 2);
	EXPECT_EQ(used->flags, 0);

	/* The ring position wraps at the queue size, the index at 16 bits. */
	vq.used_idx = 0xffff;
	virtqueue_push(&vq, 2, 0x12345678);
	EXPECT_EQ(used->idx, 0);
	EXPECT_EQ(used->ring[3].id, 2);
	EXPECT_EQ(used->ring[3].len, 0x12345678);
	virtqueue_push(&vq, 1, 1);
	EXPECT_EQ(used->idx, 1);
	EXPECT_EQ(used->ring[0].id, 1);
	EXPECT_EQ(used->ring[0].len, 1);
}

TEST(virtqueue_should_interrupt_flags)
{
	setup(8, false, false);
	virtqueue_push(&vq, 0, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));
	EXPECT_FALSE(virtqueue_should_interrupt(&vq)); /* nothing new since */

	avail_ring()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	virtqueue_push(&vq, 1, 1);
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));

	avail_ring()->flags = 0;
	virtqueue_push(&vq, 2, 1);
	virtqueue_push(&vq, 3, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));

	/* Without event_idx, used_event is not there: a value in its place means nothing. */
	avail_ring()->ring[8] = 1000;
	virtqueue_push(&vq, 4, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));
}

TEST(virtqueue_should_interrupt_event_idx)
{
	setup(8, true, false);
	/* used_event 0: the driver wants to hear when entry 0 is written. */
	virtqueue_push(&vq, 0, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));

	*used_event() = 5;
	virtqueue_push(&vq, 0, 1);
	virtqueue_push(&vq, 0, 1); /* used idx 3: entries 1 and 2 written */
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 0, 1);
	virtqueue_push(&vq, 0, 1); /* entries 3 and 4 */
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 0, 1); /* entry 5 */
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 0, 1); /* entry 6: past used_event, already signalled */
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));

	/* The avail flags are the other scheme's: ignored with event_idx. */
	avail_ring()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	*used_event() = 7;
	virtqueue_push(&vq, 0, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));
}

TEST(virtqueue_should_interrupt_event_idx_wraps)
{
	setup(8, true, false);
	vq.used_idx = vq.signalled_used_idx = 0xfffe;

	/* Entries 0xfffe, 0xffff and 0 written; the driver asked about 0. */
	*used_event() = 0;
	virtqueue_push(&vq, 0, 1);
	virtqueue_push(&vq, 0, 1);
	virtqueue_push(&vq, 0, 1);
	EXPECT_EQ(vq.used_idx, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));

	/* Asked about 0xffff, already behind: no interrupt for entries 1 and 2. */
	*used_event() = 0xffff;
	virtqueue_push(&vq, 0, 1);
	virtqueue_push(&vq, 0, 1);
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));

	/* From 0xfffd across the wrap to 2, asking about 0xffff: yes; about 5: no. */
	vq.used_idx = vq.signalled_used_idx = 0xfffd;
	*used_event() = 5;
	for (int i = 0; i < 5; i++)
		virtqueue_push(&vq, 0, 1);
	EXPECT_EQ(vq.used_idx, 2);
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));
	vq.used_idx = vq.signalled_used_idx = 0xfffd;
	*used_event() = 0xffff;
	for (int i = 0; i < 5; i++)
		virtqueue_push(&vq, 0, 1);
	EXPECT_TRUE(virtqueue_should_interrupt(&vq));
}

TEST(virtqueue_notify_suppression_flags)
{
	setup(8, false, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 8, 0, 0);

	virtqueue_disable_notify(&vq);
	EXPECT_EQ(used_ring()->flags, VIRTQ_USED_F_NO_NOTIFY);
	EXPECT_FALSE(virtqueue_enable_notify(&vq)); /* nothing arrived: safe to sleep */
	EXPECT_EQ(used_ring()->flags, 0);

	virtqueue_disable_notify(&vq);
	offer(0); /* the driver sees NO_NOTIFY and does not kick */
	EXPECT_TRUE(virtqueue_enable_notify(&vq));
	EXPECT_EQ(used_ring()->flags, 0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_FALSE(virtqueue_enable_notify(&vq));
}

TEST(virtqueue_notify_suppression_event_idx)
{
	setup(8, true, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 8, 0, 0);

	/* With event_idx the flags are not the device's tool. */
	virtqueue_disable_notify(&vq);
	EXPECT_EQ(used_ring()->flags, 0);

	offer(0);
	offer(0);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	*avail_event() = 0x5555;
	EXPECT_FALSE(virtqueue_enable_notify(&vq));
	EXPECT_EQ(*avail_event(), 2); /* kick me when entry 2 is made available */

	virtqueue_disable_notify(&vq);
	offer(0);
	EXPECT_TRUE(virtqueue_enable_notify(&vq));
	EXPECT_EQ(*avail_event(), 2);
	EXPECT_POP(VIRTQUEUE_CHAIN);
	EXPECT_FALSE(virtqueue_enable_notify(&vq));
	EXPECT_EQ(*avail_event(), 3);
}

TEST(virtqueue_enable_rejects)
{
	static uint8_t odd_ram[0x1000] __attribute__((aligned(16)));

	setup(8, false, false);
	write_desc(DESC_GPA, 0, BUFFER_GPA, 8, 0, 0);
	offer(0);

#define EXPECT_ENABLE_FAILS(size, desc, avail, used, event_idx, fragment)                   \
	do {                                                                                 \
		reason[0] = '\0';                                                            \
		EXPECT_EQ(virtqueue_enable(&vq, &memory, size, desc, avail, used, event_idx, \
					   false, reason, sizeof(reason)),                   \
			  -1);                                                               \
		EXPECT_CONTAINS(reason, fragment);                                           \
		EXPECT_TRUE(strchr(reason, '\n') == NULL);                                   \
		EXPECT_FALSE(vq.enabled);                                                    \
	} while (0)

	EXPECT_ENABLE_FAILS(0, DESC_GPA, AVAIL_GPA, USED_GPA, false, "queue size 0");
	EXPECT_ENABLE_FAILS(257, DESC_GPA, AVAIL_GPA, USED_GPA, false, "queue size 257");
	EXPECT_ENABLE_FAILS(8, DESC_GPA + 8, AVAIL_GPA, USED_GPA, false,
			    "descriptor table at 0x80000008 is not 16-byte aligned");
	EXPECT_ENABLE_FAILS(8, DESC_GPA, AVAIL_GPA + 1, USED_GPA, false,
			    "available ring at 0x80001001 is not 2-byte aligned");
	EXPECT_ENABLE_FAILS(8, DESC_GPA, AVAIL_GPA, USED_GPA + 2, false,
			    "used ring at 0x80002002 is not 4-byte aligned");
	EXPECT_ENABLE_FAILS(8, 0x1000, AVAIL_GPA, USED_GPA, false,
			    "descriptor table at 0x1000 (0x80 bytes) is not in guest RAM");
	EXPECT_ENABLE_FAILS(8, RAM_END - 0x70, AVAIL_GPA, USED_GPA, false,
			    "descriptor table at 0x8000ff90");
	EXPECT_ENABLE_FAILS(8, DESC_GPA, RAM_END, USED_GPA, false, "available ring at 0x80010000");
	EXPECT_ENABLE_FAILS(8, DESC_GPA, AVAIL_GPA, 0xfffffffffffffff0ULL, false,
			    "used ring at 0xfffffffffffffff0");
	/* The event fields past the rings must fit as well, when negotiated. */
	EXPECT_EQ(virtqueue_enable(&vq, &memory, 8, DESC_GPA, RAM_END - 20, USED_GPA, false, false,
				   reason, sizeof(reason)),
		  0);
	EXPECT_ENABLE_FAILS(8, DESC_GPA, RAM_END - 20, USED_GPA, true,
			    "available ring at 0x8000ffec (0x16 bytes)");
	EXPECT_EQ(virtqueue_enable(&vq, &memory, 8, DESC_GPA, AVAIL_GPA, RAM_END - 68, false, false,
				   reason, sizeof(reason)),
		  0);
	EXPECT_ENABLE_FAILS(8, DESC_GPA, AVAIL_GPA, RAM_END - 68, true,
			    "used ring at 0x8000ffbc (0x46 bytes)");

	/* Aligned in the guest but not on the host, where the rings are accessed atomically. */
	EXPECT_EQ(guest_memory_add(&memory, 0x40000000, 0x800, odd_ram + 1, 1), 0);
	EXPECT_ENABLE_FAILS(8, DESC_GPA, 0x40000000, USED_GPA, false, "misaligned in host memory");

	/* A queue that failed to enable serves nothing, even with a chain waiting. */
	EXPECT_POP(VIRTQUEUE_EMPTY);
	virtqueue_push(&vq, 0, 1);
	EXPECT_EQ(used_ring()->idx, 0);
	EXPECT_FALSE(virtqueue_should_interrupt(&vq));
	EXPECT_FALSE(virtqueue_enable_notify(&vq));

	/* The smallest, a non-power-of-two and the largest size are all accepted. */
	EXPECT_EQ(virtqueue_enable(&vq, &memory, 1, DESC_GPA, AVAIL_GPA, USED_GPA, true, true,
				   reason, sizeof(reason)),
		  0);
	EXPECT_EQ(virtqueue_enable(&vq, &memory, 3, DESC_GPA, AVAIL_GPA, USED_GPA, true, true,
				   reason, sizeof(reason)),
		  0);
	EXPECT_EQ(virtqueue_enable(&vq, &memory, 256, DESC_GPA, AVAIL_GPA, USED_GPA, true, true,
				   reason, sizeof(reason)),
		  0);
	EXPECT_TRUE(vq.enabled);
	EXPECT_EQ(vq.last_avail_idx, 0);
	EXPECT_EQ(vq.used_idx, 0);
	EXPECT_TRUE(vq.desc == host(DESC_GPA));
	EXPECT_TRUE(vq.avail == host(AVAIL_GPA));
	EXPECT_TRUE(vq.used == host(USED_GPA));
	EXPECT_POP(VIRTQUEUE_CHAIN);
#undef EXPECT_ENABLE_FAILS
}
