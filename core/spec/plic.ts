// The platform-level interrupt controller's register layout, shared by the board's PLIC
// (core/hw) and the VMM's emulated guest PLIC (core/vmm). Data only: the RISC-V PLIC
// Specification 1.0.0 (section 3, "Memory Map") offsets and strides, with the source count and
// priority width of QEMU 7.2 virt (VIRT_IRQCHIP_NUM_SOURCES, VIRT_IRQCHIP_NUM_PRIO_BITS).

export const PLIC = {
  PRIORITY_BASE: 0x0,
  PENDING_BASE: 0x1000,
  ENABLE_BASE: 0x2000,
  ENABLE_STRIDE: 0x80,
  CONTEXT_BASE: 0x20_0000,
  CONTEXT_STRIDE: 0x1000,
  CONTEXT_THRESHOLD: 0x0,
  CONTEXT_CLAIM: 0x4,
  /** Sources 0..95; 0 is reserved ("no interrupt"). QEMU VIRT_IRQCHIP_NUM_SOURCES. */
  NUM_SOURCES: 96,
  /** VIRT_IRQCHIP_NUM_PRIO_BITS = 3. */
  MAX_PRIORITY: 7,
  WINDOW_SIZE: 0x60_0000,
} as const;
