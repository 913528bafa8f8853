#include "gic.h"

#include "guest.h"

#define GICD ((uintptr_t)LVMM_GIC_DIST_BASE)
#define GICR_SGI(cpu) ((uintptr_t)LVMM_GICV3_REDIST_BASE + (cpu) * LVMM_GICV3_REDIST_STRIDE + 0x10000)

#define GICD_CTLR       0x0000
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ISPENDR    0x0200
#define GICD_ICPENDR    0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0c00
#define GICD_IROUTER    0x6000
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR 0x0400

static inline volatile uint32_t *reg32(uintptr_t address) { return (volatile uint32_t *)address; }

void gic_init_distributor(void)
{
	*reg32(GICD + GICD_CTLR) = (1u << 4) | (1u << 1); /* ARE, EnableGrp1 */
	while (*reg32(GICD + GICD_CTLR) & (1u << 31))     /* RWP */
		;
}

void gic_init_cpu(unsigned int cpu)
{
	uint64_t sre;

	*reg32(GICR_SGI(cpu) + GICR_IGROUPR0) = ~0u;
	__asm__ volatile("mrs %0, s3_0_c12_c12_5" : "=r"(sre));        /* ICC_SRE_EL1 */
	__asm__ volatile("msr s3_0_c12_c12_5, %0; isb" :: "r"(sre | 1));
	__asm__ volatile("msr s3_0_c4_c6_0, %0" :: "r"(0xffUL));       /* ICC_PMR_EL1 */
	__asm__ volatile("msr s3_0_c12_c12_7, %0; isb" :: "r"(1UL));   /* ICC_IGRPEN1_EL1 */
}

void gic_enable_spi_edge(uint32_t intid, uint64_t mpidr)
{
	*reg32(GICD + GICD_IGROUPR + 4 * (intid / 32)) |= 1u << (intid % 32);
	*reg32(GICD + GICD_ICFGR + 4 * (intid / 16)) |= 2u << (2 * (intid % 16));
	*(volatile uint8_t *)(GICD + GICD_IPRIORITYR + intid) = 0xa0;
	*(volatile uint64_t *)(GICD + GICD_IROUTER + 8 * intid) = mpidr & 0xff00ffffffULL;
	*reg32(GICD + GICD_ISENABLER + 4 * (intid / 32)) = 1u << (intid % 32);
	memory_barrier();
}

void gic_enable_private(unsigned int cpu, uint32_t intid)
{
	*(volatile uint8_t *)(GICR_SGI(cpu) + GICR_IPRIORITYR + intid) = 0xa0;
	*reg32(GICR_SGI(cpu) + GICR_ISENABLER0) = 1u << intid;
	memory_barrier();
}

bool gic_spi_pending(uint32_t intid)
{
	return *reg32(GICD + GICD_ISPENDR + 4 * (intid / 32)) & (1u << (intid % 32));
}

void gic_spi_clear_pending(uint32_t intid)
{
	*reg32(GICD + GICD_ICPENDR + 4 * (intid / 32)) = 1u << (intid % 32);
	memory_barrier();
}

uint32_t gic_acknowledge(void)
{
	uint64_t intid;

	__asm__ volatile("mrs %0, s3_0_c12_c12_0" : "=r"(intid)); /* ICC_IAR1_EL1 */
	__asm__ volatile("dsb sy" ::: "memory");
	return (uint32_t)(intid & 0xffffff);
}

void gic_end_of_interrupt(uint32_t intid)
{
	__asm__ volatile("msr s3_0_c12_c12_1, %0; isb" :: "r"((uint64_t)intid)); /* ICC_EOIR1_EL1 */
}

void gic_send_sgi(uint32_t sgi, uint64_t target_mpidr)
{
	uint64_t value = (1ULL << (target_mpidr & 0xf)) | (((target_mpidr >> 8) & 0xff) << 16) |
			 ((uint64_t)sgi << 24) | (((target_mpidr >> 16) & 0xff) << 32);

	__asm__ volatile("dsb sy; msr s3_0_c12_c11_5, %0; isb" :: "r"(value) : "memory"); /* ICC_SGI1R_EL1 */
}

void vtimer_arm(uint64_t ticks)
{
	__asm__ volatile("msr cntv_tval_el0, %0; msr cntv_ctl_el0, %1; isb" :: "r"(ticks), "r"(1UL));
}

void vtimer_disarm(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" :: "r"(0UL));
}
