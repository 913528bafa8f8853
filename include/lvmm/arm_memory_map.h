/*
 * The arm64 guest physical memory map. Guest-visible: documented in docs/memory-map.md and
 * lvmm(1); changing a value here changes the machine every guest sees.
 */
#ifndef LVMM_ARM_MEMORY_MAP_H
#define LVMM_ARM_MEMORY_MAP_H

#define LVMM_UART_BASE          0x01000000ULL /* 16550A, 8 byte registers, reg-shift 0 */
#define LVMM_UART_SIZE          0x1000ULL
#define LVMM_RTC_BASE           0x01010000ULL /* PL031 */
#define LVMM_RTC_SIZE           0x1000ULL
#define LVMM_PVPANIC_BASE       0x01020000ULL /* qemu,pvpanic-mmio */
#define LVMM_PVPANIC_SIZE       0x2ULL
#define LVMM_DOORBELL_BASE      0x01030000ULL /* lvmm,doorbell-v1: docs/doorbell.md */
#define LVMM_DOORBELL_SIZE      0x1000ULL

/* virtio-mmio (version 2) devices: slot n at LVMM_VIRTIO_BASE + n * LVMM_VIRTIO_STRIDE with
 * SPI LVMM_VIRTIO_SPI_BASE + n, handed out in the order --rng, --disk..., --console virtio. */
#define LVMM_VIRTIO_BASE        0x02000000ULL
#define LVMM_VIRTIO_STRIDE      0x200ULL
#define LVMM_VIRTIO_SLOTS       32

#define LVMM_PVSCHED_BASE       0x04000000ULL /* PV sched state region (docs/pvsched.md) */
#define LVMM_PVSCHED_SIZE       0x10000ULL
/* PV steal time (Arm DEN0057A): vCPU i's 64-byte record at LVMM_PVTIME_BASE + 64 * i, written
 * by KVM; absent with --no-pvtime or without KVM_CAP_STEAL_TIME (docs/memory-map.md). */
#define LVMM_PVTIME_BASE        0x04010000ULL
#define LVMM_PVTIME_SIZE        0x10000ULL

#define LVMM_GIC_DIST_BASE      0x08000000ULL
#define LVMM_GIC_DIST_SIZE      0x10000ULL
#define LVMM_GICV2_CPU_BASE     0x08010000ULL
#define LVMM_GICV2_CPU_SIZE     0x2000ULL
#define LVMM_GICV3_ITS_BASE     0x08080000ULL  /* --irqchip gicv3-its */
#define LVMM_GICV3_ITS_SIZE     0x20000ULL     /* control and translation frames, 64 KiB each */
#define LVMM_GICV3_REDIST_BASE  0x08100000ULL
#define LVMM_GICV3_REDIST_STRIDE 0x20000ULL  /* RD_base + SGI_base frames per vCPU */
#define LVMM_MAX_VCPUS          512
#define LVMM_GICV2_MAX_VCPUS    8

/* PPIs (relative to 16, as the DT writes them): the PMU overflow interrupt with --pmu is
 * PPI 7 = INTID 23, the number the arm64 platforms and the other VMMs use. */
#define LVMM_PMU_PPI            7

/* SPIs (interrupt numbers relative to 32, as the DT writes them). */
#define LVMM_UART_SPI           0
#define LVMM_RTC_SPI            1
/* PV sched: vCPU i's kick interrupt is SPI LVMM_PVSCHED_KICK_SPI_BASE + i (docs/pvsched.md). */
#define LVMM_PVSCHED_KICK_SPI_BASE 16
/* After the last possible kick SPI. */
#define LVMM_VIRTIO_SPI_BASE    (LVMM_PVSCHED_KICK_SPI_BASE + LVMM_MAX_VCPUS)

#define LVMM_RAM_BASE           0x80000000ULL
#define LVMM_MIN_RAM_MIB        16ULL
#define LVMM_MAX_RAM_MIB        (1024ULL * 1024ULL) /* 1 TiB, inside KVM's default 40-bit IPA */

/* The DTB lives in the last 2 MiB of RAM (Linux's limit on its size); the initrd below it. */
#define LVMM_DTB_MAX_SIZE       0x200000ULL
/* --firmware binaries are loaded at the start of RAM and entered there with x0 = DTB. */
#define LVMM_FIRMWARE_LOAD_ADDR LVMM_RAM_BASE

#endif
