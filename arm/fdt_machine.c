#include "fdt_machine.h"

#include <libfdt.h>
#include <stdio.h>

#include "lvmm/arm_memory_map.h"
#include "lvmm/pvsched_abi.h"

/* include/dt-bindings/interrupt-controller/{arm-gic,irq}.h values. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_LEVEL_HIGH 4
#define IRQ_TYPE_LEVEL_LOW  8

/* Architected timer PPIs: secure phys, non-secure phys, virtual, hypervisor. */
static const uint32_t timer_ppis[] = { 13, 14, 11, 10 };

#define CHECK(expr) do { int err_ = (expr); if (err_) return err_; } while (0)

static int fdt_property_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t cells[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", cells, sizeof(cells));
}

static int fdt_property_interrupt(void *fdt, uint32_t type, uint32_t number, uint32_t flags)
{
	fdt32_t cells[3] = { cpu_to_fdt32(type), cpu_to_fdt32(number), cpu_to_fdt32(flags) };

	return fdt_property(fdt, "interrupts", cells, sizeof(cells));
}

static int fdt_begin_node_at(void *fdt, const char *name, uint64_t address)
{
	char node_name[64];

	snprintf(node_name, sizeof(node_name), "%s@%llx", name, (unsigned long long)address);
	return fdt_begin_node(fdt, node_name);
}

static int fdt_add_cpus_node(void *fdt, const struct machine_description *m)
{
	CHECK(fdt_begin_node(fdt, "cpus"));
	CHECK(fdt_property_cell(fdt, "#address-cells", 1));
	CHECK(fdt_property_cell(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < m->cpus; i++) {
		/* Aff3 is always 0 under KVM for fewer than 2^24 vCPUs, so one cell holds the id. */
		uint32_t reg = (uint32_t)(m->mpidrs[i] & 0xffffffULL);

		CHECK(fdt_begin_node_at(fdt, "cpu", reg));
		CHECK(fdt_property_string(fdt, "device_type", "cpu"));
		CHECK(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
		CHECK(fdt_property_string(fdt, "enable-method", "psci"));
		CHECK(fdt_property_cell(fdt, "reg", reg));
		CHECK(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int fdt_add_memory_node(void *fdt, const struct machine_description *m)
{
	CHECK(fdt_begin_node_at(fdt, "memory", m->ram_base));
	CHECK(fdt_property_string(fdt, "device_type", "memory"));
	CHECK(fdt_property_reg(fdt, m->ram_base, m->ram_size));
	return fdt_end_node(fdt);
}

static int fdt_add_psci_node(void *fdt)
{
	static const char compatible[] = "arm,psci-1.0\0arm,psci-0.2";

	CHECK(fdt_begin_node(fdt, "psci"));
	CHECK(fdt_property(fdt, "compatible", compatible, sizeof(compatible)));
	CHECK(fdt_property_string(fdt, "method", "hvc"));
	return fdt_end_node(fdt);
}

static int fdt_add_timer_node(void *fdt, const struct machine_description *m)
{
	fdt32_t cells[3 * 4];
	uint32_t flags = IRQ_TYPE_LEVEL_LOW;

	/* GICv2 PPIs carry a CPU mask in bits 15:8; GICv3 has no such field. */
	if (m->gic == GIC_V2)
		flags |= ((1u << m->cpus) - 1) << 8;
	for (unsigned int i = 0; i < 4; i++) {
		cells[3 * i] = cpu_to_fdt32(GIC_PPI);
		cells[3 * i + 1] = cpu_to_fdt32(timer_ppis[i]);
		cells[3 * i + 2] = cpu_to_fdt32(flags);
	}
	CHECK(fdt_begin_node(fdt, "timer"));
	CHECK(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	CHECK(fdt_property(fdt, "interrupts", cells, sizeof(cells)));
	CHECK(fdt_property(fdt, "always-on", NULL, 0));
	return fdt_end_node(fdt);
}

/* The "arm,armv8-pmuv3" binding: one PPI, level-triggered, the same on every CPU. */
static int fdt_add_pmu_node(void *fdt, const struct machine_description *m)
{
	uint32_t flags = IRQ_TYPE_LEVEL_HIGH;

	if (m->gic == GIC_V2)
		flags |= ((1u << m->cpus) - 1) << 8;
	CHECK(fdt_begin_node(fdt, "pmu"));
	CHECK(fdt_property_string(fdt, "compatible", "arm,armv8-pmuv3"));
	CHECK(fdt_property_interrupt(fdt, GIC_PPI, LVMM_PMU_PPI, flags));
	return fdt_end_node(fdt);
}

static int fdt_add_gic_node(void *fdt, const struct machine_description *m)
{
	fdt64_t reg[4];

	CHECK(fdt_begin_node_at(fdt, "intc", LVMM_GIC_DIST_BASE));
	reg[0] = cpu_to_fdt64(LVMM_GIC_DIST_BASE);
	reg[1] = cpu_to_fdt64(LVMM_GIC_DIST_SIZE);
	if (m->gic == GIC_V3) {
		CHECK(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
		reg[2] = cpu_to_fdt64(LVMM_GICV3_REDIST_BASE);
		reg[3] = cpu_to_fdt64(LVMM_GICV3_REDIST_STRIDE * m->cpus);
	} else {
		CHECK(fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
		reg[2] = cpu_to_fdt64(LVMM_GICV2_CPU_BASE);
		reg[3] = cpu_to_fdt64(LVMM_GICV2_CPU_SIZE);
	}
	CHECK(fdt_property(fdt, "reg", reg, sizeof(reg)));
	CHECK(fdt_property_cell(fdt, "#interrupt-cells", 3));
	CHECK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CHECK(fdt_property_cell(fdt, "#address-cells", 2));
	CHECK(fdt_property_cell(fdt, "#size-cells", 2));
	CHECK(fdt_property_cell(fdt, "phandle", FDT_PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int fdt_add_chosen_node(void *fdt, const struct machine_description *m)
{
	char stdout_path[32];

	snprintf(stdout_path, sizeof(stdout_path), "/uart@%llx", LVMM_UART_BASE);
	CHECK(fdt_begin_node(fdt, "chosen"));
	CHECK(fdt_property_string(fdt, "bootargs", m->bootargs));
	CHECK(fdt_property_string(fdt, "stdout-path", stdout_path));
	if (m->initrd_end > m->initrd_start) {
		CHECK(fdt_property_u64(fdt, "linux,initrd-start", m->initrd_start));
		CHECK(fdt_property_u64(fdt, "linux,initrd-end", m->initrd_end));
	}
	if (m->kaslr_seed)
		CHECK(fdt_property_u64(fdt, "kaslr-seed", m->kaslr_seed));
	return fdt_end_node(fdt);
}

static int fdt_add_uart_node(void *fdt)
{
	CHECK(fdt_begin_node_at(fdt, "uart", LVMM_UART_BASE));
	CHECK(fdt_property_string(fdt, "compatible", "ns16550a"));
	CHECK(fdt_property_reg(fdt, LVMM_UART_BASE, LVMM_UART_SIZE));
	CHECK(fdt_property_interrupt(fdt, GIC_SPI, LVMM_UART_SPI, IRQ_TYPE_LEVEL_HIGH));
	CHECK(fdt_property_cell(fdt, "clock-frequency", 1843200));
	return fdt_end_node(fdt);
}

/* The AMBA bus will not probe a PrimeCell (the PL031) without its "apb_pclk" clock. */
static int fdt_add_apb_clock_node(void *fdt)
{
	CHECK(fdt_begin_node(fdt, "apb-pclk"));
	CHECK(fdt_property_string(fdt, "compatible", "fixed-clock"));
	CHECK(fdt_property_cell(fdt, "#clock-cells", 0));
	CHECK(fdt_property_cell(fdt, "clock-frequency", 24000000));
	CHECK(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	CHECK(fdt_property_cell(fdt, "phandle", FDT_PHANDLE_APB_PCLK));
	return fdt_end_node(fdt);
}

static int fdt_add_rtc_node(void *fdt)
{
	static const char compatible[] = "arm,pl031\0arm,primecell";

	CHECK(fdt_begin_node_at(fdt, "rtc", LVMM_RTC_BASE));
	CHECK(fdt_property(fdt, "compatible", compatible, sizeof(compatible)));
	CHECK(fdt_property_reg(fdt, LVMM_RTC_BASE, LVMM_RTC_SIZE));
	CHECK(fdt_property_interrupt(fdt, GIC_SPI, LVMM_RTC_SPI, IRQ_TYPE_LEVEL_HIGH));
	CHECK(fdt_property_cell(fdt, "clocks", FDT_PHANDLE_APB_PCLK));
	CHECK(fdt_property_string(fdt, "clock-names", "apb_pclk"));
	return fdt_end_node(fdt);
}

static int fdt_add_pvpanic_node(void *fdt)
{
	CHECK(fdt_begin_node_at(fdt, "pvpanic", LVMM_PVPANIC_BASE));
	CHECK(fdt_property_string(fdt, "compatible", "qemu,pvpanic-mmio"));
	CHECK(fdt_property_reg(fdt, LVMM_PVPANIC_BASE, LVMM_PVPANIC_SIZE));
	return fdt_end_node(fdt);
}

static int fdt_add_doorbell_node(void *fdt)
{
	CHECK(fdt_begin_node_at(fdt, "doorbell", LVMM_DOORBELL_BASE));
	CHECK(fdt_property_string(fdt, "compatible", "lvmm,doorbell-v1"));
	CHECK(fdt_property_reg(fdt, LVMM_DOORBELL_BASE, LVMM_DOORBELL_SIZE));
	return fdt_end_node(fdt);
}

static int fdt_add_pvsched_node(void *fdt, const struct machine_description *m)
{
	fdt32_t interrupts[3 * LVMM_MAX_VCPUS];

	CHECK(fdt_begin_node_at(fdt, "pvsched", m->pvsched->region_base));
	CHECK(fdt_property_string(fdt, "compatible", PV_SCHED_DT_COMPATIBLE));
	CHECK(fdt_property_reg(fdt, m->pvsched->region_base, m->pvsched->region_size));
	CHECK(fdt_property_string(fdt, "method", "hvc"));
	CHECK(fdt_property_cell(fdt, "lvmm,slot-size", PV_SCHED_STATE_SIZE));
	if (m->pvsched->preempted_maintained)
		CHECK(fdt_property(fdt, PV_SCHED_DT_PREEMPTED_MAINTAINED, NULL, 0));
	if (m->pvsched->preempted_maintained && m->pvsched->idle_preempted)
		CHECK(fdt_property(fdt, PV_SCHED_DT_IDLE_PREEMPTED, NULL, 0));
	for (unsigned int i = 0; i < m->cpus; i++) {
		interrupts[3 * i] = cpu_to_fdt32(GIC_SPI);
		interrupts[3 * i + 1] = cpu_to_fdt32(LVMM_PVSCHED_KICK_SPI_BASE + i);
		interrupts[3 * i + 2] = cpu_to_fdt32(IRQ_TYPE_EDGE_RISING);
	}
	CHECK(fdt_property(fdt, "interrupts", interrupts, (int)(3 * sizeof(fdt32_t) * m->cpus)));
	return fdt_end_node(fdt);
}

int fdt_build_machine(const struct machine_description *m, void *buf, size_t buf_size)
{
	static const char compatible[] = "lvmm,virt\0linux,dummy-virt";
	void *fdt = buf;

	if (buf_size > INT32_MAX)
		buf_size = INT32_MAX;
	CHECK(fdt_create(fdt, (int)buf_size));
	CHECK(fdt_finish_reservemap(fdt));
	CHECK(fdt_begin_node(fdt, ""));
	CHECK(fdt_property(fdt, "compatible", compatible, sizeof(compatible)));
	CHECK(fdt_property_string(fdt, "model", "lvmm arm64 virtual machine"));
	CHECK(fdt_property_cell(fdt, "#address-cells", 2));
	CHECK(fdt_property_cell(fdt, "#size-cells", 2));
	CHECK(fdt_property_cell(fdt, "interrupt-parent", FDT_PHANDLE_GIC));
	CHECK(fdt_add_chosen_node(fdt, m));
	CHECK(fdt_add_cpus_node(fdt, m));
	CHECK(fdt_add_memory_node(fdt, m));
	CHECK(fdt_add_psci_node(fdt));
	CHECK(fdt_add_timer_node(fdt, m));
	CHECK(fdt_add_gic_node(fdt, m));
	if (m->pmu)
		CHECK(fdt_add_pmu_node(fdt, m));
	CHECK(fdt_add_apb_clock_node(fdt));
	CHECK(fdt_add_uart_node(fdt));
	CHECK(fdt_add_rtc_node(fdt));
	CHECK(fdt_add_pvpanic_node(fdt));
	CHECK(fdt_add_doorbell_node(fdt));
	if (m->pvsched)
		CHECK(fdt_add_pvsched_node(fdt, m));
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_finish(fdt));
	return 0;
}
