/*
 * Exit costs, the seed 003 way: each operation runs `iterations=N` times back to back (from
 * lvmm -p, default 2^16), bracketed by dsb; isb; cntvct. For each, reports the total counter
 * ticks ("report <op>_ticks=<total>"); bench/ divides by the iterations and counter_hz. Ops:
 *   loop_baseline       an isb: the loop's own cost, no exit
 *   hvc_psci_version    a null HVC answered inside KVM
 *   hvc_pvsched_forwarded  PV_SCHED_FEATURES, forwarded by KVM to lvmm (needs --pvsched)
 *   mmio_read_lvmm      a read of the doorbell's version register, answered by lvmm
 *   mmio_write_lvmm     a write to that read-only register, ignored by lvmm
 *   sgi_self            ICC_SGI1R_EL1 to this CPU, then WFI/IAR/EOI, through the in-kernel GICv3
 *   sysreg_pmselr       a PMSELR_EL0 read trapped to KVM (needs a PMU: lvmm --pmu)
 * An op the machine lacks reports "<op>_skipped=1" instead, so one guest serves every host.
 */
#include "format.h"
#include "gic.h"
#include "guest.h"
#include "lvmm/pvsched_abi.h"

#define DEFAULT_ITERATIONS (1u << 16)
#define SELF_SGI 0

enum op {
	OP_LOOP_BASELINE,
	OP_HVC_PSCI_VERSION,
	OP_HVC_PVSCHED_FORWARDED,
	OP_MMIO_READ,
	OP_MMIO_WRITE,
	OP_SGI_SELF,
	OP_SYSREG_PMSELR,
};

static void self_sgi_round_trip(void)
{
	uint32_t intid;

	gic_send_sgi(SELF_SGI, vcpu_mpidr(0));
	/* DAIF stays masked: WFI still wakes on the pending SGI, and IAR takes it. */
	while ((intid = gic_acknowledge()) == GIC_SPURIOUS)
		__asm__ volatile("wfi");
	GUEST_ASSERT_EQ(intid, SELF_SGI);
	gic_end_of_interrupt(intid);
}

static void run_op(enum op op)
{
	uint64_t scratch;

	switch (op) {
	case OP_LOOP_BASELINE:
		__asm__ volatile("isb" ::: "memory");
		break;
	case OP_HVC_PSCI_VERSION:
		smccc_hvc(PSCI_VERSION, 0, 0, 0);
		break;
	case OP_HVC_PVSCHED_FORWARDED:
		smccc_hvc(PV_SCHED_FEATURES, PV_SCHED_KICK_CPU, 0, 0);
		break;
	case OP_MMIO_READ:
		(void)doorbell_read(DOORBELL_REG_VERSION);
		break;
	case OP_MMIO_WRITE:
		doorbell_write(DOORBELL_REG_VERSION, 0);
		break;
	case OP_SGI_SELF:
		self_sgi_round_trip();
		break;
	case OP_SYSREG_PMSELR:
		__asm__ volatile("mrs %0, pmselr_el0" : "=r"(scratch) :: "memory");
		break;
	}
}

static uint64_t total_ticks(enum op op, uint64_t iterations)
{
	uint64_t start, end;

	run_op(op); /* warm: the first of each op may fault in host pages */
	__asm__ volatile("dsb ish; isb" ::: "memory");
	start = counter_read();
	for (uint64_t i = 0; i < iterations; i++)
		run_op(op);
	__asm__ volatile("dsb ish; isb" ::: "memory");
	end = counter_read();
	return end - start;
}

static bool pmu_present(void)
{
	uint64_t dfr0, version;

	__asm__ volatile("mrs %0, id_aa64dfr0_el1" : "=r"(dfr0));
	version = (dfr0 >> 8) & 0xf; /* PMUVer: 0 none, 0xf implementation defined */
	return version != 0 && version != 0xf;
}

static void measure(const char *name, enum op op, bool present, uint64_t iterations)
{
	char key[64];

	if (!present) {
		guest_print("exit cost %s: skipped, not on this machine", name);
		format(key, sizeof(key), "%s_skipped", name);
		guest_report(key, 1);
		return;
	}
	format(key, sizeof(key), "%s_ticks", name);
	guest_report(key, total_ticks(op, iterations));
}

void guest_main(uint64_t dtb)
{
	uint64_t iterations = bootargs_number(fdt_chosen_bootargs(dtb), "iterations",
					      DEFAULT_ITERATIONS);
	bool pvsched = smccc_hvc(PV_SCHED_FEATURES, PV_SCHED_KICK_CPU, 0, 0) == PV_SCHED_SUCCESS;

	GUEST_ASSERT(iterations > 0);
	gic_init_distributor();
	gic_init_cpu(0);
	gic_enable_private(0, SELF_SGI);
	guest_report("counter_hz", counter_frequency());
	guest_report("iterations", iterations);
	measure("loop_baseline", OP_LOOP_BASELINE, true, iterations);
	measure("hvc_psci_version", OP_HVC_PSCI_VERSION, true, iterations);
	measure("hvc_pvsched_forwarded", OP_HVC_PVSCHED_FORWARDED, pvsched, iterations);
	measure("mmio_read_lvmm", OP_MMIO_READ, true, iterations);
	measure("mmio_write_lvmm", OP_MMIO_WRITE, true, iterations);
	measure("sgi_self", OP_SGI_SELF, true, iterations);
	measure("sysreg_pmselr", OP_SYSREG_PMSELR, pmu_present(), iterations);
	guest_done();
}
