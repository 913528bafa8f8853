#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

#include "arm/fdt_machine.h"
#include "fake_vm.h"
#include "hw/doorbell.h"
#include "hw/pvpanic.h"
#include "hw/rtc_pl031.h"
#include "hw/uart_8250.h"
#include "lvmm/arm_memory_map.h"
#include "pvsched/pvsched.h"
#include "unit_test.h"

static uint8_t blob[65536];

/* The fixed devices of arm/machine.c's list, at the same places, created by the device model
 * against a VM without KVM (PV sched has a stand-in class below: its real one needs KVM). */
static struct vm fake_vm;
static struct run_options fake_opts;
static struct pvsched fake_pvsched = { .mode = PVSCHED_FULL, .vcpu_count = 4 };

static int pvsched_stand_in_describe(const struct device *device, struct device_tree *tree)
{
	return pvsched_describe(device->state, device->mmio_base, device->mmio_size, device->irq,
				tree);
}

static int pvsched_stand_in_create(struct device *device, char *err, size_t err_size)
{
	(void)err;
	(void)err_size;
	device->state = &fake_pvsched;
	return 0;
}

/* Its state is a static, not the device model's to free. */
static void pvsched_stand_in_destroy(struct device *device)
{
	device->state = NULL;
}

static unsigned int pvsched_stand_in_instances(const struct run_options *opts)
{
	return opts->pvsched ? 1 : 0;
}

static const struct device_class pvsched_stand_in = {
	.name = "pvsched", .instances = pvsched_stand_in_instances,
	.create = pvsched_stand_in_create, .describe = pvsched_stand_in_describe,
	.destroy = pvsched_stand_in_destroy,
};

static const struct machine_device fixed_devices[] = {
	{ &uart_8250_device, LVMM_UART_BASE, LVMM_UART_SIZE, LVMM_UART_SPI, NULL },
	{ &rtc_pl031_device, LVMM_RTC_BASE, LVMM_RTC_SIZE, LVMM_RTC_SPI, NULL },
	{ &pvpanic_device, LVMM_PVPANIC_BASE, LVMM_PVPANIC_SIZE, DEVICE_NO_IRQ, NULL },
	{ &doorbell_device, LVMM_DOORBELL_BASE, LVMM_DOORBELL_SIZE, DEVICE_NO_IRQ, NULL },
	{ &pvsched_stand_in, LVMM_PVSCHED_BASE, LVMM_PVSCHED_SIZE, LVMM_PVSCHED_KICK_SPI_BASE, NULL },
};

/* Recreates the devices for the options in fake_opts (set them after fake_devices_reset). */
static const struct device_set *fake_devices(void)
{
	char err[256];

	devices_destroy(&fake_vm.devices);
	memset(&fake_vm.bus, 0, sizeof(fake_vm.bus));
	EXPECT_EQ(devices_create(&fake_vm.devices, &fake_vm, fixed_devices,
				 sizeof(fixed_devices) / sizeof(fixed_devices[0]), err, sizeof(err)), 0);
	return &fake_vm.devices;
}

static void fake_devices_reset(void)
{
	devices_destroy(&fake_vm.devices);
	fake_vm_init(&fake_vm, &fake_opts);
}
/* As KVM reports MPIDR_EL1: bit 31 is RES1; Aff1 set for the third and fourth vCPU. */
static const uint64_t mpidrs[] = { 0x80000000, 0x80000001, 0x80000100, 0x80010002 };
static const uint32_t expected_reg[] = { 0x0, 0x1, 0x100, 0x10002 };

static struct machine_description machine(enum gic_version gic, bool initrd)
{
	fake_devices_reset();
	fake_opts.test_device = true;
	return (struct machine_description){
		.ram_base = LVMM_RAM_BASE, .ram_size = 512ULL << 20, .cpus = 4, .mpidrs = mpidrs,
		.gic = gic, .bootargs = "console=ttyS0 quiet",
		.initrd_start = initrd ? 0x9f000000 : 0, .initrd_end = initrd ? 0x9f100000 : 0,
		.kaslr_seed = 0x1122334455667788ULL, .devices = fake_devices(),
	};
}

static int build(const struct machine_description *m)
{
	int ret;

	memset(blob, 0xff, sizeof(blob));
	ret = fdt_build_machine(m, blob, sizeof(blob));
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(fdt_check_header(blob), 0);
	EXPECT_TRUE(fdt_totalsize(blob) <= sizeof(blob));
	return ret;
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

static int prop_len(int node, const char *name)
{
	int len;

	return fdt_getprop(blob, node, name, &len) ? len : -1;
}

static int node_by_compatible(const char *compatible)
{
	int node = fdt_node_offset_by_compatible(blob, -1, compatible);

	/* Exactly one of each. */
	if (node >= 0 && fdt_node_offset_by_compatible(blob, node, compatible) >= 0)
		return -1000;
	return node;
}

TEST(fdt_root)
{
	struct machine_description m = machine(GIC_V3, true);

	build(&m);
	EXPECT_EQ(fdt_node_check_compatible(blob, 0, "linux,dummy-virt"), 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, 0, "lvmm,virt"), 0);
	EXPECT_EQ(prop_u32(0, "#address-cells", 0), 2);
	EXPECT_EQ(prop_u32(0, "#size-cells", 0), 2);
	EXPECT_EQ(fdt_num_mem_rsv(blob), 0);
}

TEST(fdt_cpus)
{
	struct machine_description m = machine(GIC_V3, true);
	int cpus, count = 0, node;
	char name[32];

	build(&m);
	cpus = fdt_path_offset(blob, "/cpus");
	EXPECT_TRUE(cpus >= 0);
	EXPECT_EQ(prop_u32(cpus, "#address-cells", 0), 1);
	EXPECT_EQ(prop_u32(cpus, "#size-cells", 0), 0);
	fdt_for_each_subnode(node, blob, cpus) {
		if (count >= 4) {
			count++;
			continue;
		}
		/* reg is MPIDR's affinity (bit 31 and Aff3 dropped); the unit address matches it. */
		EXPECT_EQ(prop_u32(node, "reg", 0), expected_reg[count]);
		EXPECT_EQ(prop_len(node, "reg"), 4);
		snprintf(name, sizeof(name), "cpu@%x", expected_reg[count]);
		EXPECT_STR_EQ(fdt_get_name(blob, node, NULL), name);
		EXPECT_STR_EQ(fdt_getprop(blob, node, "enable-method", NULL), "psci");
		EXPECT_STR_EQ(fdt_getprop(blob, node, "device_type", NULL), "cpu");
		EXPECT_EQ(fdt_node_check_compatible(blob, node, "arm,arm-v8"), 0);
		count++;
	}
	EXPECT_EQ(count, 4);

	m.cpus = 1;
	build(&m);
	count = 0;
	fdt_for_each_subnode(node, blob, fdt_path_offset(blob, "/cpus"))
		count++;
	EXPECT_EQ(count, 1);
}

TEST(fdt_memory_and_psci)
{
	struct machine_description m = machine(GIC_V3, false);
	int node;

	m.ram_size = 64ULL << 30; /* more than 32 bits */
	build(&m);
	node = fdt_path_offset(blob, "/memory@80000000");
	EXPECT_TRUE(node >= 0);
	EXPECT_STR_EQ(fdt_getprop(blob, node, "device_type", NULL), "memory");
	EXPECT_EQ(prop_len(node, "reg"), 16);
	EXPECT_EQ(prop_u64(node, "reg", 0), LVMM_RAM_BASE);
	EXPECT_EQ(prop_u64(node, "reg", 1), 64ULL << 30);
	node = fdt_path_offset(blob, "/psci");
	EXPECT_TRUE(node >= 0);
	EXPECT_STR_EQ(fdt_getprop(blob, node, "method", NULL), "hvc");
	EXPECT_EQ(fdt_node_check_compatible(blob, node, "arm,psci-0.2"), 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, node, "arm,psci-1.0"), 0);
}

TEST(fdt_chosen)
{
	struct machine_description m = machine(GIC_V3, true);
	const char *stdout_path;
	int chosen, uart;

	build(&m);
	chosen = fdt_path_offset(blob, "/chosen");
	EXPECT_TRUE(chosen >= 0);
	EXPECT_STR_EQ(fdt_getprop(blob, chosen, "bootargs", NULL), "console=ttyS0 quiet");
	EXPECT_EQ(prop_len(chosen, "linux,initrd-start"), 8);
	EXPECT_EQ(prop_u64(chosen, "linux,initrd-start", 0), 0x9f000000);
	EXPECT_EQ(prop_u64(chosen, "linux,initrd-end", 0), 0x9f100000);
	EXPECT_EQ(prop_u64(chosen, "kaslr-seed", 0), 0x1122334455667788ULL);
	stdout_path = fdt_getprop(blob, chosen, "stdout-path", NULL);
	EXPECT_STR_EQ(stdout_path, "/uart@1000000");
	uart = stdout_path ? fdt_path_offset(blob, stdout_path) : -1;
	EXPECT_TRUE(uart >= 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, uart, "ns16550a"), 0);
	EXPECT_EQ(uart, node_by_compatible("ns16550a"));
	EXPECT_EQ(prop_u64(uart, "reg", 0), LVMM_UART_BASE);
	EXPECT_EQ(prop_u64(uart, "reg", 1), LVMM_UART_SIZE);
	EXPECT_EQ(prop_u32(uart, "interrupts", 0), 0); /* SPI */
	EXPECT_EQ(prop_u32(uart, "interrupts", 1), LVMM_UART_SPI);
	EXPECT_EQ(prop_u32(uart, "interrupts", 2), 4); /* level high */
	EXPECT_EQ(prop_u32(uart, "clock-frequency", 0), 1843200);

	m = machine(GIC_V3, false);
	m.kaslr_seed = 0;
	m.bootargs = "";
	build(&m);
	chosen = fdt_path_offset(blob, "/chosen");
	EXPECT_STR_EQ(fdt_getprop(blob, chosen, "bootargs", NULL), "");
	EXPECT_EQ(prop_len(chosen, "linux,initrd-start"), -1);
	EXPECT_EQ(prop_len(chosen, "linux,initrd-end"), -1);
	EXPECT_EQ(prop_len(chosen, "kaslr-seed"), -1);
	EXPECT_TRUE(fdt_getprop(blob, chosen, "stdout-path", NULL) != NULL);
}

TEST(fdt_gicv3_and_timer)
{
	struct machine_description m = machine(GIC_V3, false);
	int gic, timer;

	build(&m);
	gic = node_by_compatible("arm,gic-v3");
	EXPECT_TRUE(gic >= 0);
	EXPECT_STR_EQ(fdt_get_name(blob, gic, NULL), "intc@8000000");
	EXPECT_EQ(prop_len(gic, "reg"), 32);
	EXPECT_EQ(prop_u64(gic, "reg", 0), LVMM_GIC_DIST_BASE);
	EXPECT_EQ(prop_u64(gic, "reg", 1), LVMM_GIC_DIST_SIZE);
	EXPECT_EQ(prop_u64(gic, "reg", 2), LVMM_GICV3_REDIST_BASE);
	EXPECT_EQ(prop_u64(gic, "reg", 3), 4 * 0x20000);
	EXPECT_EQ(prop_u32(gic, "#interrupt-cells", 0), 3);
	EXPECT_TRUE(fdt_getprop(blob, gic, "interrupt-controller", NULL) != NULL);
	EXPECT_EQ(fdt_get_phandle(blob, gic), FDT_PHANDLE_GIC);
	EXPECT_EQ(prop_u32(0, "interrupt-parent", 0), fdt_get_phandle(blob, gic));
	EXPECT_EQ(fdt_node_offset_by_phandle(blob, prop_u32(0, "interrupt-parent", 0)), gic);
	EXPECT_TRUE(node_by_compatible("arm,cortex-a15-gic") < 0);

	timer = node_by_compatible("arm,armv8-timer");
	EXPECT_TRUE(timer >= 0);
	EXPECT_EQ(prop_len(timer, "interrupts"), 4 * 3 * 4);
	EXPECT_TRUE(fdt_getprop(blob, timer, "always-on", NULL) != NULL);
	/* Secure phys 13, non-secure phys 14, virtual 11, hypervisor 10: PPIs, level low. */
	static const uint32_t ppis[] = { 13, 14, 11, 10 };
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(prop_u32(timer, "interrupts", 3 * i), 1);
		EXPECT_EQ(prop_u32(timer, "interrupts", 3 * i + 1), ppis[i]);
		EXPECT_EQ(prop_u32(timer, "interrupts", 3 * i + 2), 8); /* no CPU mask on GICv3 */
	}

	m.cpus = 1;
	build(&m);
	EXPECT_EQ(prop_u64(node_by_compatible("arm,gic-v3"), "reg", 3), 0x20000);
	EXPECT_TRUE(node_by_compatible("arm,gic-v3-its") < 0); /* only when asked for */
}

/* --irqchip gicv3-its: the ITS is the GIC's child, an MSI controller in the GIC's address
 * space, as Linux's and kvm-unit-tests' GICv3 drivers look for it. */
TEST(fdt_gicv3_its)
{
	struct machine_description m = machine(GIC_V3, false);
	int gic, its;

	m.gic_its = true;
	build(&m);
	gic = node_by_compatible("arm,gic-v3");
	its = node_by_compatible("arm,gic-v3-its");
	EXPECT_TRUE(its >= 0);
	EXPECT_EQ(fdt_parent_offset(blob, its), gic);
	EXPECT_STR_EQ(fdt_get_name(blob, its, NULL), "msi-controller@8080000");
	EXPECT_EQ(prop_len(its, "reg"), 16);
	EXPECT_EQ(prop_u64(its, "reg", 0), LVMM_GICV3_ITS_BASE);
	EXPECT_EQ(prop_u64(its, "reg", 1), LVMM_GICV3_ITS_SIZE);
	EXPECT_TRUE(fdt_getprop(blob, its, "msi-controller", NULL) != NULL);
	EXPECT_EQ(prop_u32(its, "#msi-cells", 0), 1);
	EXPECT_TRUE(fdt_getprop(blob, gic, "ranges", NULL) != NULL);
	/* Between the distributor and the redistributors, clear of both. */
	EXPECT_TRUE(LVMM_GICV3_ITS_BASE >= LVMM_GIC_DIST_BASE + LVMM_GIC_DIST_SIZE);
	EXPECT_TRUE(LVMM_GICV3_ITS_BASE + LVMM_GICV3_ITS_SIZE <= LVMM_GICV3_REDIST_BASE);
	/* A GICv2 has no ITS, whatever the flag says. */
	m = machine(GIC_V2, false);
	m.gic_its = true;
	build(&m);
	EXPECT_TRUE(node_by_compatible("arm,gic-v3-its") < 0);
}

TEST(fdt_gicv2)
{
	struct machine_description m = machine(GIC_V2, false);
	int gic, timer;

	build(&m);
	gic = node_by_compatible("arm,cortex-a15-gic");
	EXPECT_TRUE(gic >= 0);
	EXPECT_EQ(prop_u64(gic, "reg", 0), LVMM_GIC_DIST_BASE);
	EXPECT_EQ(prop_u64(gic, "reg", 1), LVMM_GIC_DIST_SIZE);
	EXPECT_EQ(prop_u64(gic, "reg", 2), LVMM_GICV2_CPU_BASE);
	EXPECT_EQ(prop_u64(gic, "reg", 3), LVMM_GICV2_CPU_SIZE);
	EXPECT_EQ(fdt_get_phandle(blob, gic), prop_u32(0, "interrupt-parent", 0));
	EXPECT_TRUE(node_by_compatible("arm,gic-v3") < 0);
	timer = node_by_compatible("arm,armv8-timer");
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(prop_u32(timer, "interrupts", 3 * i + 2), 0xf08); /* 4 CPUs in bits 15:8 */

	m.cpus = 1;
	build(&m);
	EXPECT_EQ(prop_u32(node_by_compatible("arm,armv8-timer"), "interrupts", 2), 0x108);
	{
		static const uint64_t eight[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

		m.cpus = 8;
		m.mpidrs = eight;
		build(&m);
		EXPECT_EQ(prop_u32(node_by_compatible("arm,armv8-timer"), "interrupts", 2), 0xff08);
	}
}

TEST(fdt_devices)
{
	struct machine_description m = machine(GIC_V3, false);
	int rtc, clock, node;

	build(&m);
	rtc = node_by_compatible("arm,pl031");
	EXPECT_TRUE(rtc >= 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, rtc, "arm,primecell"), 0);
	EXPECT_EQ(prop_u64(rtc, "reg", 0), LVMM_RTC_BASE);
	EXPECT_EQ(prop_u64(rtc, "reg", 1), LVMM_RTC_SIZE);
	EXPECT_EQ(prop_u32(rtc, "interrupts", 1), LVMM_RTC_SPI);
	EXPECT_STR_EQ(fdt_getprop(blob, rtc, "clock-names", NULL), "apb_pclk");
	EXPECT_EQ(prop_u32(rtc, "clocks", 0), DEVICE_TREE_PHANDLE_APB_PCLK);
	clock = fdt_node_offset_by_phandle(blob, prop_u32(rtc, "clocks", 0));
	EXPECT_TRUE(clock >= 0);
	EXPECT_EQ(clock, node_by_compatible("fixed-clock"));
	EXPECT_EQ(prop_u32(clock, "#clock-cells", 0), 0);
	EXPECT_EQ(prop_u32(clock, "clock-frequency", 0), 24000000);
	/* The phandles differ (one node each). */
	EXPECT_TRUE(DEVICE_TREE_PHANDLE_APB_PCLK != FDT_PHANDLE_GIC);

	node = fdt_path_offset(blob, "/pvpanic@1020000");
	EXPECT_TRUE(node >= 0);
	EXPECT_EQ(node, node_by_compatible("qemu,pvpanic-mmio"));
	EXPECT_EQ(prop_u64(node, "reg", 0), LVMM_PVPANIC_BASE);
	EXPECT_EQ(prop_u64(node, "reg", 1), 2);

	node = fdt_path_offset(blob, "/doorbell@1030000");
	EXPECT_TRUE(node >= 0);
	EXPECT_EQ(node, node_by_compatible("lvmm,doorbell-v1"));
	EXPECT_EQ(prop_u64(node, "reg", 0), LVMM_DOORBELL_BASE);
	EXPECT_EQ(prop_u64(node, "reg", 1), LVMM_DOORBELL_SIZE);
	EXPECT_TRUE(node_by_compatible("lvmm,pvsched-v1") < 0);

	/* Without --test-device there is no test device: no node, nothing on the bus. */
	fake_opts.test_device = false;
	m.devices = fake_devices();
	build(&m);
	EXPECT_TRUE(node_by_compatible("lvmm,doorbell-v1") < 0);
	EXPECT_FALSE(mmio_bus_dispatch(&fake_vm.bus, LVMM_DOORBELL_BASE, (uint8_t[8]){ 0 }, 8, false));
	EXPECT_TRUE(mmio_bus_dispatch(&fake_vm.bus, LVMM_UART_BASE + 5, (uint8_t[1]){ 0 }, 1, false));
	fake_devices_reset();
}

TEST(fdt_too_small_buffer_fails_cleanly)
{
	struct machine_description m = machine(GIC_V3, true);
	uint32_t needed;

	build(&m);
	needed = fdt_totalsize(blob);
	EXPECT_TRUE(needed > 256);
	/* Every size below what the tree needs fails with a libfdt error, never writing outside
	 * the buffer: each buffer is its own heap block, so ASan sees an overrun. */
	for (uint32_t size = 0; size < needed; size += (size < 128 ? 1 : 61)) {
		uint8_t *buf = malloc(size ? size : 1);
		int ret = fdt_build_machine(&m, buf, size);

		if (ret >= 0)
			unit_test_fail(__FILE__, __LINE__, "buffer of %u bytes: returned %d", size, ret);
		free(buf);
	}
	{
		uint8_t *buf = malloc(needed);

		EXPECT_EQ(fdt_build_machine(&m, buf, needed - 1), -FDT_ERR_NOSPACE);
		EXPECT_EQ(fdt_build_machine(&m, buf, needed), 0);
		EXPECT_EQ(fdt_check_header(buf), 0);
		free(buf);
	}
}

TEST(fdt_pvsched_node)
{
	struct machine_description m = machine(GIC_V3, false);
	int node, len;

	build(&m);
	EXPECT_TRUE(fdt_node_offset_by_compatible(blob, -1, "lvmm,pvsched-v1") < 0); /* off by default */
	fake_opts.pvsched = true;
	fake_pvsched = (struct pvsched){ .mode = PVSCHED_FULL, .vcpu_count = 4 };
	m.devices = fake_devices();
	build(&m);
	node = fdt_path_offset(blob, "/pvsched@4000000");
	EXPECT_TRUE(node >= 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, node, "lvmm,pvsched-v1"), 0);
	EXPECT_EQ(prop_u64(node, "reg", 0), 0x04000000);
	EXPECT_EQ(prop_u64(node, "reg", 1), 0x10000);
	EXPECT_STR_EQ(fdt_getprop(blob, node, "method", NULL), "hvc");
	EXPECT_EQ(prop_u32(node, "lvmm,slot-size", 0), 64);
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,preempted-maintained", NULL) != NULL);
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,idle-preempted", NULL) == NULL); /* the default */
	EXPECT_TRUE(fdt_getprop(blob, node, "interrupts", &len) != NULL);
	EXPECT_EQ(len, 4 * 3 * 4);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(prop_u32(node, "interrupts", 3 * i), 0);          /* SPI */
		EXPECT_EQ(prop_u32(node, "interrupts", 3 * i + 1), 16 + i); /* one per vCPU */
		EXPECT_EQ(prop_u32(node, "interrupts", 3 * i + 2), 1);      /* edge rising */
	}
	fake_pvsched.idle_preempted = true;
	build(&m);
	node = fdt_path_offset(blob, "/pvsched@4000000");
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,idle-preempted", &len) != NULL);
	EXPECT_EQ(len, 0); /* a boolean property */
	fake_pvsched.mode = PVSCHED_KICK_ONLY; /* no flags, so no semantics either */
	build(&m);
	node = fdt_path_offset(blob, "/pvsched@4000000");
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,preempted-maintained", NULL) == NULL);
	EXPECT_TRUE(fdt_getprop(blob, node, "lvmm,idle-preempted", NULL) == NULL);
}

TEST(fdt_pmu_node)
{
	struct machine_description m = machine(GIC_V3, false);
	int pmu;

	build(&m);
	EXPECT_TRUE(node_by_compatible("arm,armv8-pmuv3") < 0); /* only with --pmu */
	m.pmu = true;
	build(&m);
	pmu = fdt_path_offset(blob, "/pmu");
	EXPECT_TRUE(pmu >= 0);
	EXPECT_EQ(fdt_node_check_compatible(blob, pmu, "arm,armv8-pmuv3"), 0);
	EXPECT_EQ(prop_len(pmu, "interrupts"), 3 * 4);
	EXPECT_EQ(prop_u32(pmu, "interrupts", 0), 1);  /* GIC_PPI */
	EXPECT_EQ(prop_u32(pmu, "interrupts", 1), 7);  /* INTID 23 */
	EXPECT_EQ(prop_u32(pmu, "interrupts", 2), 4);  /* level high, no CPU mask on GICv3 */
	m = machine(GIC_V2, false);
	m.pmu = true;
	build(&m);
	EXPECT_EQ(prop_u32(node_by_compatible("arm,armv8-pmuv3"), "interrupts", 2), 0xf04);
}
