#include <stdio.h>

#include "lvmm/arm_memory_map.h"
#include "vmm/arch.h"
#include "vmm/cli.h"

const struct arch_limits arch_limits = {
	.max_vcpus = LVMM_MAX_VCPUS,
	.min_ram_mib = LVMM_MIN_RAM_MIB,
	.max_ram_mib = LVMM_MAX_RAM_MIB,
	.ram_base = LVMM_RAM_BASE,
};

int arch_check_options(const struct run_options *opts, char *err, size_t err_size)
{
	if (opts->irqchip == IRQCHIP_GICV2 && opts->cpus > LVMM_GICV2_MAX_VCPUS) {
		snprintf(err, err_size, "--irqchip gicv2 supports at most %d vCPUs; use fewer --cpus or gicv3",
			 LVMM_GICV2_MAX_VCPUS);
		return -1;
	}
	return 0;
}
