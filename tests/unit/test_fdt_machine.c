#include <libfdt.h>
#include <stdlib.h>

#include "arm/fdt_machine.h"
#include "lvmm/arm_memory_map.h"
#include "unit_test.h"

static uint8_t blob[65536];
static const uint64_t mpidrs[] = { 0x0, 0x1, 0x2, 0x3 };

static struct machine_description machine(enum gic_version gic, bool initrd)
{
	return (struct machine_description){
		.ram_base = LVMM_RAM_BASE, .ram_size = 512ULL << 20, .cpus = 4, .mpidrs = mpidrs,
		.gic = gic, .bootargs = "console=ttyS0 quiet",
		.initrd_start = initrd ? 0x9f000000 : 0, .initrd_end = initrd ? 0x9f100000 : 0,
		.kaslr_seed = 0x1234,
	};
}

static uint64_t prop_u64(int node, const char *name, int index)
{
	int len;
	const uint8_t *p = fdt_getprop(blob, node, name, &len);

	/* 64-bit cells are only 4-byte aligned in a DTB. */
	if (!p || len < (index + 1) * 8)
		return ~0ULL;
	return fdt64_ld((const fdt64_t *)(const void *)(p + 8 * index));
}

static uint32_t prop_u32(int node, const char *name, int index)
{
	int len;
	const fdt32_t *p = fdt_getprop(blob, node, name, &len);

	if (!p || len < (index + 1) * 4)
		return ~0U;
	return fdt32_to_cpu(p[index]);
}

TEST(fdt_structure_and_cpus)
{
	struct machine_description m = machine(GIC_V3, true);
	int cpus, count = 0, node;

	EXPECT_EQ(fdt_build_machine(&m, blob, sizeof(blob)), 0);
	EXPECT_EQ(fdt_check_header(blob), 0);
	cpus = fdt_path_offset(blob, "/cpus");
	EXPECT_TRUE(cpus >= 0);
	fdt_for_each_subnode(node, blob, cpus) {
		EXPECT_EQ(prop_u32(node, "reg", 0), mpidrs[count]);
		EXPECT_STR_EQ(fdt_getprop(blob, node, "enable-method", NULL), "psci");
		EXPECT_STR_EQ(fdt_getprop(blob, node, "device_type", NULL), "cpu");
		count++;
	}
	EXPECT_EQ(count, 4);
	node = fdt_path_offset(blob, "/memory@80000000");
	EXPECT_EQ(prop_u64(node, "reg", 0), LVMM_RAM_BASE);
	EXPECT_EQ(prop_u64(node, "reg", 1), 512ULL << 20);
	node = fdt_path_offset(blob, "/psci");
	EXPECT_STR_EQ(fdt_getprop(blob, node, "method", NULL), "hvc");
	EXPECT_EQ(fdt_node_check_compatible(blob, node, "arm,psci-0.2"), 0);
}

TEST(fdt_chosen)
{
	struct machine_description m = machine(GIC_V3, true);
	int chosen, uart;

	fdt_build_machine(&m, blob, sizeof(blob));
	chosen = fdt_path_offset(blob, "/chosen");
	EXPECT_STR_EQ(fdt_getprop(blob, chosen, "bootargs", NULL), "console=ttyS0 quiet");
	EXPECT_EQ(prop_u64(chosen, "linux,initrd-start", 0), 0x9f000000);
	EXPECT_EQ(prop_u64(chosen, "linux,initrd-end", 0), 0x9f100000);
	EXPECT_EQ(prop_u64(chosen, "kaslr-seed", 0), 0x1234);
	uart = fdt_path_offset(blob, fdt_getprop(blob, chosen, "stdout-path", NULL));
	EXPECT_TRUE(uart >= 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, uart, "ns16550a"), 0);
	EXPECT_EQ(prop_u64(uart, "reg", 0), LVMM_UART_BASE);

	m = machine(GIC_V3, false);
	m.kaslr_seed = 0;
	fdt_build_machine(&m, blob, sizeof(blob));
	chosen = fdt_path_offset(blob, "/chosen");
	EXPECT_TRUE(fdt_getprop(blob, chosen, "linux,initrd-start", NULL) == NULL);
	EXPECT_TRUE(fdt_getprop(blob, chosen, "kaslr-seed", NULL) == NULL);
}

TEST(fdt_gicv3_and_timer)
{
	struct machine_description m = machine(GIC_V3, false);
	int gic, timer;

	fdt_build_machine(&m, blob, sizeof(blob));
	gic = fdt_node_offset_by_compatible(blob, -1, "arm,gic-v3");
	EXPECT_TRUE(gic >= 0);
	EXPECT_EQ(prop_u64(gic, "reg", 0), LVMM_GIC_DIST_BASE);
	EXPECT_EQ(prop_u64(gic, "reg", 2), LVMM_GICV3_REDIST_BASE);
	EXPECT_EQ(prop_u64(gic, "reg", 3), 4 * LVMM_GICV3_REDIST_STRIDE);
	EXPECT_EQ(fdt_get_phandle(blob, gic), prop_u32(0, "interrupt-parent", 0));
	EXPECT_TRUE(fdt_getprop(blob, gic, "interrupt-controller", NULL) != NULL);
	timer = fdt_node_offset_by_compatible(blob, -1, "arm,armv8-timer");
	EXPECT_EQ(prop_u32(timer, "interrupts", 1), 13);
	EXPECT_EQ(prop_u32(timer, "interrupts", 7), 11);
	EXPECT_EQ(prop_u32(timer, "interrupts", 2), 8); /* level low, no CPU mask on GICv3 */
}

TEST(fdt_gicv2)
{
	struct machine_description m = machine(GIC_V2, false);
	int gic, timer;

	fdt_build_machine(&m, blob, sizeof(blob));
	gic = fdt_node_offset_by_compatible(blob, -1, "arm,cortex-a15-gic");
	EXPECT_TRUE(gic >= 0);
	EXPECT_EQ(prop_u64(gic, "reg", 2), LVMM_GICV2_CPU_BASE);
	EXPECT_TRUE(fdt_node_offset_by_compatible(blob, -1, "arm,gic-v3") < 0);
	timer = fdt_node_offset_by_compatible(blob, -1, "arm,armv8-timer");
	EXPECT_EQ(prop_u32(timer, "interrupts", 2), 0xf08); /* 4 CPUs in the mask */
}

TEST(fdt_devices)
{
	struct machine_description m = machine(GIC_V3, false);
	int rtc, clock;

	fdt_build_machine(&m, blob, sizeof(blob));
	rtc = fdt_node_offset_by_compatible(blob, -1, "arm,pl031");
	EXPECT_EQ(prop_u64(rtc, "reg", 0), LVMM_RTC_BASE);
	EXPECT_STR_EQ(fdt_getprop(blob, rtc, "clock-names", NULL), "apb_pclk");
	clock = fdt_node_offset_by_phandle(blob, prop_u32(rtc, "clocks", 0));
	EXPECT_EQ(fdt_node_check_compatible(blob, clock, "fixed-clock"), 0);
	EXPECT_TRUE(fdt_node_offset_by_compatible(blob, -1, "qemu,pvpanic-mmio") >= 0);
	EXPECT_EQ(prop_u64(fdt_node_offset_by_compatible(blob, -1, "lvmm,doorbell-v1"), "reg", 0),
		  LVMM_DOORBELL_BASE);
}

TEST(fdt_too_small_buffer_fails_cleanly)
{
	struct machine_description m = machine(GIC_V3, true);

	EXPECT_TRUE(fdt_build_machine(&m, blob, 256) < 0);
}

TEST(fdt_pvsched_node)
{
	struct pvsched_description pvsched = { 0x04000000, 0x10000, true };
	struct machine_description m = machine(GIC_V3, false);
	int node, len;

	fdt_build_machine(&m, blob, sizeof(blob));
	EXPECT_TRUE(fdt_node_offset_by_compatible(blob, -1, "lvmm,pvsched-v1") < 0); /* off by default */
	m.pvsched = &pvsched;
	EXPECT_EQ(fdt_build_machine(&m, blob, sizeof(blob)), 0);
	node = fdt_path_offset(blob, "/pvsched@4000000");
	EXPECT_TRUE(node >= 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, node, "lvmm,pvsched-v1"), 0);
	EXPECT_EQ(prop_u64(node, "reg", 0), 0x04000000);
	EXPECT_EQ(prop_u64(node, "reg", 1), 0x10000);
	EXPECT_STR_EQ(fdt_getprop(blob, node, "method", NULL), "hvc");
	EXPECT_EQ(prop_u32(node, "lvmm,slot-size", 0), 64);
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,preempted-maintained", NULL) != NULL);
	EXPECT_TRUE(fdt_getprop(blob, node, "interrupts", &len) != NULL);
	EXPECT_EQ(len, 4 * 3 * 4);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(prop_u32(node, "interrupts", 3 * i), 0);          /* SPI */
		EXPECT_EQ(prop_u32(node, "interrupts", 3 * i + 1), 16 + i); /* one per vCPU */
		EXPECT_EQ(prop_u32(node, "interrupts", 3 * i + 2), 1);      /* edge rising */
	}
	pvsched.preempted_maintained = false;
	fdt_build_machine(&m, blob, sizeof(blob));
	node = fdt_path_offset(blob, "/pvsched@4000000");
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,preempted-maintained", NULL) == NULL);
}
