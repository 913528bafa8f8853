/* GICv3 for the test guests: just enough to take SPIs, SGIs and the virtual timer. */
#ifndef LVMM_GUEST_GIC_H
#define LVMM_GUEST_GIC_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_SPURIOUS 1023
#define VTIMER_INTID 27

void gic_init_distributor(void);       /* once, on the boot CPU */
void gic_init_cpu(unsigned int cpu);   /* on each CPU that takes interrupts */
/* An edge-triggered SPI (intid >= 32) routed to the CPU with this MPIDR, enabled. */
void gic_enable_spi_edge(uint32_t intid, uint64_t mpidr);
/* An SGI or PPI (intid < 32) enabled on this CPU. */
void gic_enable_private(unsigned int cpu, uint32_t intid);
/* Whether an SPI is pending in the distributor; and making it not pending. */
bool gic_spi_pending(uint32_t intid);
void gic_spi_clear_pending(uint32_t intid);
uint32_t gic_acknowledge(void);
void gic_end_of_interrupt(uint32_t intid);
void gic_send_sgi(uint32_t sgi, uint64_t target_mpidr);

/* The virtual timer as a watchdog: fires after ticks counter ticks (intid 27). */
void vtimer_arm(uint64_t ticks);
void vtimer_disarm(void);

#endif
