// The virtual platform each guest sees: a QEMU-virt-shaped address map (hw/riscv/virt.c,
// virt_memmap), PLIC source numbers and the boot protocol (a0 = hartid, a1 = DTB GPA).
// Invariant: the guest DTB, the MMIO dispatcher and the loader all read these constants, so a
// guest's map cannot drift from what the VMM emulates. No CLINT (guests use SBI TIME/IPI), no
// test finisher (guests use SBI SRST).

export const GUEST_MAP = {
  PLIC: { base: 0x0c00_0000, size: 0x60_0000 },
  UART0: { base: 0x1000_0000, size: 0x100 },
  VIRTIO: { base: 0x1000_1000, size: 0x1000 },
  RAM_BASE: 0x8000_0000,
} as const;

export const GUEST_IRQ = {
  VIRTIO_FIRST: 1,
  UART0: 10,
} as const;

export const GUEST_VIRTIO_SLOTS = 8;
/** PLIC sources besides source 0, as QEMU virt (VIRT_IRQCHIP_NUM_SOURCES - 1). */
export const GUEST_PLIC_NDEV = 95;
export const GUEST_TIMEBASE_FREQUENCY = 10_000_000;
export const GUEST_UART_CLOCK = 3_686_400;
/** riscv,isa the guest is told: what the hart gives VS-mode (no H for guests: no nesting). */
export const GUEST_RISCV_ISA = 'rv32ima_zicsr_zifencei';
/** The DTB sits in the last 64 KiB of guest RAM (Linux/QEMU put it near the top, 2 MiB-aligned or lower). */
export const GUEST_DTB_RESERVE = 64 * 1024;
export const GUEST_MAX_VCPUS = 8;
/** Guest RAM limits: at least 1 MiB, at most 1 GiB (so it stays below the 4 GiB GPA line). */
export const GUEST_RAM_MIN = 1 << 20;
export const GUEST_RAM_MAX = 1 << 30;
