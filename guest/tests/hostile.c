/*
 * A hostile guest (tests/integration, "hostile guest"): every vCPU at once hammers lvmm's
 * device windows and the unmapped space between them at every width, makes random SMCCC calls
 * over HVC and SMC, PV_SCHED calls with hostile arguments, and abuses PSCI; then the boot CPU
 * resets the machine and it all starts again: a reset storm. lvmm must stay up across the
 * reboots, leak nothing and still stop on SIGTERM. Run with --test-device (the reports), and
 * --pvsched and virtio devices so that those windows are live.
 * Before each reset the boot CPU also drives every virtio device as a hostile driver: queue 0
 * set up at addresses outside RAM or straddling its end (each must be refused: the device
 * reports DEVICE_NEEDS_RESET), then rings of random descriptors, indices, lengths and flags in
 * a scratch area of its own (loops, chains past the table, huge lengths, indirect tables
 * outside RAM) with a notification. The random rings' data addresses stay inside the scratch
 * area or outside RAM, so that a device that does write only hits the scratch area.
 * Left alone, because they end lvmm by design or the guest by its own hand: guest RAM (its own
 * code), pvpanic writes (a documented panic), the test device's command register, CPU_OFF,
 * CPU_SUSPEND, SYSTEM_OFF/RESET from the random calls; accesses are aligned (an unaligned
 * access to Device memory faults in the guest itself, the MMU being off).
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

/* lvmm's windows, the GIC's (KVM's own emulation, written too: a guest that scrambles its
 * interrupt controller must not take lvmm with it) and the holes around them. */
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
	{ LVMM_GIC_DIST_BASE, 0x00100000, true },         /* distributor (the rest unmapped) */
	{ LVMM_GICV3_REDIST_BASE, 0x01f00000, true },     /* redistributors, then unmapped */
	{ 0x0a000000, 0x76000000, true },                 /* unmapped, up to RAM */
};

/* The virtio-mmio registers a hostile driver may write without making a device DMA into
 * guest RAM: status (resets, FEATURES_OK games), QueueNotify, InterruptACK, feature selects,
 * QueueSel and QueueNum, and the config space. */
static const uint16_t virtio_writable[] = { 0x014, 0x020, 0x024, 0x030, 0x038, 0x050, 0x064, 0x070,
					    0x100, 0x104, 0x108, 0x10c, 0x110, 0x118, 0x120 };

/* virtio-mmio (version 2) registers and bits, from the virtio 1.2 specification. */
#define VIRTIO_MAGIC_VALUE        0x000
#define VIRTIO_DEVICE_ID          0x008
#define VIRTIO_DRIVER_FEATURES    0x020
#define VIRTIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_QUEUE_SEL          0x030
#define VIRTIO_QUEUE_NUM_MAX      0x034
#define VIRTIO_QUEUE_NUM          0x038
#define VIRTIO_QUEUE_READY        0x044
#define VIRTIO_QUEUE_NOTIFY       0x050
#define VIRTIO_STATUS             0x070
#define VIRTIO_QUEUE_DESC         0x080
#define VIRTIO_QUEUE_DRIVER       0x090
#define VIRTIO_QUEUE_DEVICE       0x0a0
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VRING_DESC_F_NEXT         1u
#define VRING_DESC_F_WRITE        2u
#define VRING_DESC_F_INDIRECT     4u

/* The random rings: the descriptor table, the driver and device areas, then the data the
 * descriptors may point into. Nothing else in RAM is ever named by a descriptor. */
#define RING_AREA_BYTES 0x4000
#define RING_DATA_OFFSET 0x2100
static uint8_t ring_area[RING_AREA_BYTES] __attribute__((aligned(4096)));

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

	if (w->base == LVMM_GIC_DIST_BASE || w->base == LVMM_GICV3_REDIST_BASE)
		width = 4, offset &= ~3ULL; /* 32-bit, as every GIC register takes */
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

static uint32_t virtio_read(uint64_t base, uint64_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(base + reg);
}

static void virtio_write(uint64_t base, uint64_t reg, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)(base + reg) = value;
}

static void virtio_write64(uint64_t base, uint64_t reg, uint64_t value)
{
	virtio_write(base, reg, (uint32_t)value);
	virtio_write(base, reg + 4, (uint32_t)(value >> 32));
}

/* Reset, then ACKNOWLEDGE | DRIVER, VERSION_1 and FEATURES_OK, and queue 0 selected at its
 * largest size; the queue's size, 0 if the device has no queue 0. */
static uint32_t virtio_bring_up_to_queue(uint64_t base)
{
	uint32_t size;

	virtio_write(base, VIRTIO_STATUS, 0);
	virtio_write(base, VIRTIO_STATUS, 3);
	virtio_write(base, VIRTIO_DRIVER_FEATURES_SEL, 1);
	virtio_write(base, VIRTIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	virtio_write(base, VIRTIO_DRIVER_FEATURES_SEL, 0);
	virtio_write(base, VIRTIO_DRIVER_FEATURES, 0);
	virtio_write(base, VIRTIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	virtio_write(base, VIRTIO_QUEUE_SEL, 0);
	size = virtio_read(base, VIRTIO_QUEUE_NUM_MAX);
	virtio_write(base, VIRTIO_QUEUE_NUM, size);
	return size;
}

/* An address no device may use: outside RAM, or a range straddling its end. */
static uint64_t address_outside_ram(uint64_t *state)
{
	uint64_t r = next_random(state);

	switch (r % 5) {
	case 0: return 0;
	case 1: return LVMM_VIRTIO_BASE + ((r >> 8) & 0xfff0);
	case 2: return ram_end - 8;
	case 3: return ram_end + ((r >> 8) & 0xffff0);
	default: return ~0ULL - 0xfff;
	}
}

/* Queue 0 at addresses outside RAM: refused with DEVICE_NEEDS_RESET. true if it was. */
static bool virtio_rings_outside_ram(uint64_t base, uint64_t *state)
{
	if (!virtio_bring_up_to_queue(base))
		return true; /* no queue to set up: nothing to refuse */
	virtio_write64(base, VIRTIO_QUEUE_DESC, address_outside_ram(state));
	virtio_write64(base, VIRTIO_QUEUE_DRIVER, address_outside_ram(state));
	virtio_write64(base, VIRTIO_QUEUE_DEVICE, address_outside_ram(state));
	virtio_write(base, VIRTIO_QUEUE_READY, 1);
	return (virtio_read(base, VIRTIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) != 0;
}

/* Queue 0 live on random rings in ring_area, notified; true if the device stopped on them. */
static bool virtio_random_rings(uint64_t base, uint64_t *state)
{
	uint64_t area = (uint64_t)(uintptr_t)ring_area, data = area + RING_DATA_OFFSET;
	uint32_t size = virtio_bring_up_to_queue(base);
	uint64_t deadline;

	if (!size)
		return false;
	if (size > 256)
		size = 256; /* the table (16 bytes each) and the rings fit below the data */
	virtio_write(base, VIRTIO_QUEUE_NUM, size);
	for (unsigned int i = 0; i < RING_AREA_BYTES; i++)
		ring_area[i] = 0;
	for (uint32_t i = 0; i < size; i++) {
		uint8_t *descriptor = ring_area + 16 * i;
		uint64_t r = next_random(state), address, length;
		uint16_t flags = (uint16_t)((r >> 8) & (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE));
		uint16_t next = (uint16_t)((r >> 16) % (size + 2)); /* loops, and past the table */

		if ((r & 3) == 0) { /* outside RAM, any length, perhaps as an indirect table */
			address = address_outside_ram(state);
			length = next_random(state) & ((r >> 2) & 1 ? 0xffffffffu : 0xfff);
			if ((r >> 3) & 1)
				flags |= VRING_DESC_F_INDIRECT;
		} else { /* inside the data area: what a device writes stays there */
			uint64_t offset = next_random(state) % (RING_AREA_BYTES - RING_DATA_OFFSET);

			address = data + offset;
			length = (r >> 24) & 1 ? 0 : next_random(state) % (RING_AREA_BYTES - RING_DATA_OFFSET - offset + 1);
		}
		for (unsigned int b = 0; b < 8; b++)
			descriptor[b] = (uint8_t)(address >> (8 * b));
		for (unsigned int b = 0; b < 4; b++)
			descriptor[8 + b] = (uint8_t)(length >> (8 * b));
		descriptor[12] = (uint8_t)flags;
		descriptor[13] = (uint8_t)(flags >> 8);
		descriptor[14] = (uint8_t)next;
		descriptor[15] = (uint8_t)(next >> 8);
	}
	/* The driver area at 0x1000: flags 0, a random index, random heads; the device area at
	 * 0x1800, zero. */
	{
		uint8_t *avail = ring_area + 0x1000;
		uint64_t r = next_random(state);
		/* Mostly a few entries ahead, so that the device walks the chains; sometimes any
		 * index at all. */
		uint16_t index = (uint16_t)((r & 7) ? 1 + (r >> 3) % size : r >> 16);

		avail[2] = (uint8_t)index;
		avail[3] = (uint8_t)(index >> 8);
		for (uint32_t i = 0; i < size; i++) {
			uint16_t head = (uint16_t)(next_random(state) % (size + 2));

			avail[4 + 2 * i] = (uint8_t)head;
			avail[5 + 2 * i] = (uint8_t)(head >> 8);
		}
	}
	memory_barrier();
	virtio_write64(base, VIRTIO_QUEUE_DESC, area);
	virtio_write64(base, VIRTIO_QUEUE_DRIVER, area + 0x1000);
	virtio_write64(base, VIRTIO_QUEUE_DEVICE, area + 0x1800);
	virtio_write(base, VIRTIO_QUEUE_READY, 1);
	virtio_write(base, VIRTIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	virtio_write(base, VIRTIO_QUEUE_NOTIFY, 0);
	/* The device's I/O thread takes the notification: give it a moment to object. */
	deadline = counter_read() + counter_frequency() / 20;
	while (counter_read() < deadline)
		if (virtio_read(base, VIRTIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET)
			return true;
	return false;
}

/* Every virtio device, as a hostile driver (boot CPU, the others done); reset afterwards. */
static void attack_virtio_rings(uint64_t *state)
{
	uint64_t devices = 0, refused = 0, stopped = 0;

	for (uint64_t slot = 0; slot < LVMM_VIRTIO_SLOTS; slot++) {
		uint64_t base = LVMM_VIRTIO_BASE + slot * LVMM_VIRTIO_STRIDE;

		if (virtio_read(base, VIRTIO_MAGIC_VALUE) != 0x74726976 || !virtio_read(base, VIRTIO_DEVICE_ID))
			continue;
		devices++;
		refused += virtio_rings_outside_ram(base, state);
		stopped += virtio_random_rings(base, state);
		virtio_write(base, VIRTIO_STATUS, 0);
	}
	guest_report("hostile_virtio_devices", devices);
	guest_report("hostile_virtio_rings_outside_ram_refused", refused);
	guest_report("hostile_virtio_random_rings_stopped", stopped);
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
	{
		uint64_t state = counter_read() | 1;

		attack_virtio_rings(&state);
	}
	psci_system_reset();
}
