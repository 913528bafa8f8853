#include "fdt_machine.h"

#include <libfdt.h>
#include <stdio.h>

#include "lvmm/arm_memory_map.h"
#include "vmm/device.h"
#include "vmm/device_tree.h"

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
	if (m->gic == GIC_V3 && m->gic_its) {
		/* The ITS is the GIC's child, in the parent's address space (empty ranges). */
		CHECK(fdt_property(fdt, "ranges", NULL, 0));
		CHECK(fdt_begin_node_at(fdt, "msi-controller", LVMM_GICV3_ITS_BASE));
		CHECK(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
		reg[0] = cpu_to_fdt64(LVMM_GICV3_ITS_BASE);
		reg[1] = cpu_to_fdt64(LVMM_GICV3_ITS_SIZE);
		CHECK(fdt_property(fdt, "reg", reg, 2 * sizeof(reg[0])));
		CHECK(fdt_property(fdt, "msi-controller", NULL, 0));
		CHECK(fdt_property_cell(fdt, "#msi-cells", 1));
		CHECK(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int fdt_add_chosen_node(void *fdt, const struct machine_description *m,
			       const char *stdout_path)
{
	CHECK(fdt_begin_node(fdt, "chosen"));
	CHECK(fdt_property_string(fdt, "bootargs", m->bootargs));
	if (stdout_path[0])
		CHECK(fdt_property_string(fdt, "stdout-path", stdout_path));
	if (m->initrd_end > m->initrd_start) {
		CHECK(fdt_property_u64(fdt, "linux,initrd-start", m->initrd_start));
		CHECK(fdt_property_u64(fdt, "linux,initrd-end", m->initrd_end));
	}
	if (m->kaslr_seed)
		CHECK(fdt_property_u64(fdt, "kaslr-seed", m->kaslr_seed));
	return fdt_end_node(fdt);
}

/* A device interrupt is an SPI: <GIC_SPI number flags>. */
static unsigned int fdt_spi_cells(unsigned int irq, enum device_irq_trigger trigger,
				  uint32_t *cells)
{
	cells[0] = GIC_SPI;
	cells[1] = irq;
	cells[2] = trigger == DEVICE_IRQ_EDGE_RISING ? IRQ_TYPE_EDGE_RISING : IRQ_TYPE_LEVEL_HIGH;
	return 3;
}

int fdt_build_machine(const struct machine_description *m, void *buf, size_t buf_size)
{
	static const char compatible[] = "lvmm,virt\0linux,dummy-virt";
	void *fdt = buf;
	struct device_tree tree = { .fdt = buf, .interrupt_cells = fdt_spi_cells };

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
	CHECK(fdt_add_cpus_node(fdt, m));
	CHECK(fdt_add_memory_node(fdt, m));
	CHECK(fdt_add_psci_node(fdt));
	CHECK(fdt_add_timer_node(fdt, m));
	CHECK(fdt_add_gic_node(fdt, m));
	if (m->pmu)
		CHECK(fdt_add_pmu_node(fdt, m));
	if (m->devices)
		CHECK(devices_describe(m->devices, &tree));
	CHECK(fdt_add_chosen_node(fdt, m, tree.stdout_path));
	CHECK(fdt_end_node(fdt));
	CHECK(fdt_finish(fdt));
	return 0;
}
