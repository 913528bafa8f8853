/*
 * A hostile guest (tests/integration, "hostile guest"): every vCPU at once hammers lvmm's
 * device windows and the unmapped space between them at every width, makes random SMCCC calls
 * over HVC and SMC, PV_SCHED calls with hostile arguments, and abuses PSCI; then the boot CPU
 * resets the machine and it all starts again: a reset storm. lvmm must stay up across the
 * reboots, leak nothing and still stop on SIGTERM. Run with --test-device (the reports), and
 * --pvsched and virtio devices so that those windows are live.
 * Left alone, because they end lvmm by design or the guest by its own hand: guest RAM (its own
 * code), pvpanic writes (a documented panic), the test device's command register, virtio
 * queue addresses and QueueReady (a device would write into guest RAM), CPU_OFF, CPU_SUSPEND,
 * SYSTEM_OFF/RESET from the random calls; accesses are aligned (an unaligned access to Device
 * memory faults in the guest itself, the MMU being off).
 */
#include "guest.h"
#include "lvmm/arm_memory_map.h"
#include "lvmm/pvsched_abi.h"

#define OPERATIONS_PER_CPU 1500

struct window {
	uint64_t base;
	uint64_t size;
	bool writable;
};

/* lvmm's windows and the holes around them; the GICs are KVM's, not lvmm's: read only. */
static const struct window windows[] = {
	{ 0x00000000, 0x01000000, true },                 /* below the devices: unmapped */
	{ LVMM_UART_BASE, LVMM_UART_SIZE, true },
	{ LVMM_RTC_BASE, LVMM_RTC_SIZE, true },
	{ LVMM_PVPANIC_BASE, 0x1000, false },
	{ LVMM_DOORBELL_BASE, LVMM_DOORBELL_SIZE, false },
	{ 0x01040000, 0x00fc0000, true },                 /* unmapped */
	{ LVMM_VIRTIO_BASE, LVMM_VIRTIO_STRIDE * LVMM_VIRTIO_SLOTS, false }, /* writes: below */
	{ 0x02004000, 0x01ffc000, true },                 /* unmapped */
	{ LVMM_PVSCHED_BASE, LVMM_PVSCHED_SIZE, true },   /* memory with --pvsched */
	{ LVMM_PVTIME_BASE, LVMM_PVTIME_SIZE, true },     /* memory: the steal-time records */
	{ 0x04020000, 0x03fe0000, true },                 /* unmapped */
	{ LVMM_GIC_DIST_BASE, 0x00100000, false },
	{ 0x0a000000, 0x76000000, true },                 /* unmapped, up to RAM */
};

/* The virtio-mmio registers a hostile driver may write without making a device DMA into
 * guest RAM: status (resets, FEATURES_OK games), QueueNotify, InterruptACK, feature selects,
 * QueueSel and QueueNum, and the config space. */
static const uint16_t virtio_writable[] = { 0x014, 0x020, 0x024, 0x030, 0x038, 0x050, 0x064, 0x070,
					    0x100, 0x104, 0x108, 0x10c, 0x110, 0x118, 0x120 };

static volatile uint64_t finished[GUEST_MAX_CPUS], go;
static uint64_t scratch[GUEST_MAX_CPUS][8] __attribute__((aligned(64))); /* IPA_INIT targets */
static unsigned int cpu_count;
static uint64_t ram_end;

static uint64_t next_random(uint64_t *state)
{
	/* xorshift64*: enough to spread addresses, widths and ids. */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

static void access(uint64_t address, unsigned int width, bool write, uint64_t value)
{
	volatile void *p = (volatile void *)(uintptr_t)address;

	switch (width) {
	case 1: if (write) *(volatile uint8_t *)p = (uint8_t)value; else (void)*(volatile uint8_t *)p; break;
	case 2: if (write) *(volatile uint16_t *)p = (uint16_t)value; else (void)*(volatile uint16_t *)p; break;
	case 4: if (write) *(volatile uint32_t *)p = (uint32_t)value; else (void)*(volatile uint32_t *)p; break;
	default: if (write) *(volatile uint64_t *)p = value; else (void)*(volatile uint64_t *)p; break;
	}
}

static void hammer_mmio(uint64_t *state)
{
	uint64_t r = next_random(state);
	unsigned int width = 1u << (r & 3);
	const struct window *w = &windows[(r >> 2) % (sizeof(windows) / sizeof(windows[0]))];
	uint64_t value = next_random(state);
	uint64_t offset = (next_random(state) % w->size) & ~(uint64_t)(width - 1);
	bool write = (r >> 8) & 1;

	if (w->base == LVMM_GIC_DIST_BASE)
		width = 4, offset &= ~3ULL;
	if (w->base == LVMM_VIRTIO_BASE && write) {
		offset = (offset & ~(LVMM_VIRTIO_STRIDE - 1)) +
			 virtio_writable[(r >> 16) % (sizeof(virtio_writable) / sizeof(virtio_writable[0]))];
		width = 4;
	} else if (!w->writable) {
		write = false;
	}
	access(w->base + offset, width, write, value);
	/* Past the end of RAM is unmapped too. */
	if ((r >> 9) & 1)
		access(ram_end + ((next_random(state) % 0x100000) & ~7ULL), width, write, value);
}

static bool psci_or_reset(uint32_t function)
{
	return (function & 0xbfffffe0u) == 0x84000000u; /* PSCI 0x84000000-1f and 0xc4000000-1f */
}

static uint64_t smc_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	return x0;
}

static void random_smccc(uint64_t *state, unsigned int cpu)
{
	uint64_t r = next_random(state);
	uint32_t function;

	switch (r & 7) {
	case 0: case 1: /* any id at all, but not PSCI's power calls */
		function = (uint32_t)next_random(state);
		break;
	case 2: case 3: /* PV sched's forwarded range and its edges */
		function = PV_SCHED_FUNCTION_FIRST - 2 + (uint32_t)((r >> 8) % (PV_SCHED_FUNCTION_RANGE + 4));
		break;
	case 4: /* the standard hypervisor range (PV time...) and the vendor one */
		function = ((r >> 8) & 1 ? 0xc5000000u : 0xc6000000u) | (uint32_t)((r >> 9) & 0xff);
		break;
	default: /* IPA_INIT at hostile addresses, KICK_CPU at hostile MPIDRs, then release */
		switch ((r >> 8) % 4) {
		case 0:
			pvsched_hvc(PV_SCHED_IPA_INIT, next_random(state));
			break;
		case 1:
			pvsched_hvc(PV_SCHED_IPA_INIT, (uint64_t)(uintptr_t)&scratch[cpu][0]);
			break;
		case 2:
			pvsched_hvc(PV_SCHED_KICK_CPU, (r >> 16) & 1 ? next_random(state) : vcpu_mpidr((r >> 17) % (cpu_count + 2)));
			break;
		default:
			pvsched_hvc(PV_SCHED_IPA_RELEASE, next_random(state));
			break;
		}
		return;
	}
	if (psci_or_reset(function))
		return;
	if ((r >> 3) & 1)
		smc_call(function, next_random(state), next_random(state), next_random(state));
	else
		smccc_hvc(function, next_random(state), next_random(state), next_random(state));
}

static void abuse_psci(uint64_t *state)
{
	uint64_t r = next_random(state);

	switch (r % 5) {
	case 0: /* an MPIDR that is no vCPU */
		psci_cpu_on(next_random(state) | 0xff00ULL, LVMM_RAM_BASE, 0);
		break;
	case 1: /* a vCPU that is already on */
		psci_cpu_on(vcpu_mpidr((r >> 8) % cpu_count), (uint64_t)(uintptr_t)secondary_entry, 0);
		break;
	case 2:
		psci_affinity_info(next_random(state));
		break;
	case 3: /* PSCI_FEATURES of anything, MIGRATE_INFO_TYPE */
		smccc_hvc(0x8400000au, next_random(state), 0, 0);
		smccc_hvc(0x84000006u, 0, 0, 0);
		break;
	default:
		psci_version();
		break;
	}
}

static void attack(unsigned int cpu)
{
	uint64_t state = counter_read() ^ (0x9e3779b97f4a7c15ULL * (cpu + 1));

	if (!state)
		state = 1;
	for (unsigned int i = 0; i < OPERATIONS_PER_CPU; i++) {
		switch (next_random(&state) % 8) {
		case 0: case 1: case 2: case 3:
			hammer_mmio(&state);
			break;
		case 4: case 5: case 6:
			random_smccc(&state, cpu);
			break;
		default:
			abuse_psci(&state);
			break;
		}
	}
	/* What was registered goes back, so the next boot starts clean either way. */
	pvsched_hvc(PV_SCHED_IPA_RELEASE, 0);
	finished[cpu] = 1;
	memory_barrier();
}

void secondary_main(unsigned int cpu)
{
	wait_until(&go, 1, 60 * counter_frequency());
	attack(cpu);
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t dtb)
{
	uint64_t ram_base, ram_size;

	GUEST_ASSERT(fdt_memory_range(dtb, &ram_base, &ram_size));
	ram_end = ram_base + ram_size;
	cpu_count = smp_start_all();
	go = 1;
	memory_barrier();
	attack(0);
	for (unsigned int n = 1; n < cpu_count; n++)
		wait_until(&finished[n], 1, 300 * counter_frequency());
	guest_report("hostile_boot_cpus", cpu_count);
	psci_system_reset();
}
