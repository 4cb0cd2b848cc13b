// Architectural constants of the RISC-V privileged ISA (RV32), shared by the hart (core/hw), the
// VMM (core/vmm) and the monitor (core/cloudvisor): privilege levels, exception and interrupt
// causes, mstatus/hstatus fields, interrupt-pending bits, Sv32/Sv32x4 PTEs and hgatp, page and
// G-stage table geometry. Data only; values are the spec's bit positions (RISC-V Privileged
// Architecture 1.12: 3.1 machine CSRs, 4.3 Sv32, 8.2 hypervisor CSRs, 8.5.1 Sv32x4, 8.6.3 htinst).

export const PRIV = { U: 0, S: 1, M: 3 } as const;

export const CAUSE = {
  INSTRUCTION_ADDRESS_MISALIGNED: 0,
  INSTRUCTION_ACCESS_FAULT: 1,
  ILLEGAL_INSTRUCTION: 2,
  BREAKPOINT: 3,
  LOAD_ADDRESS_MISALIGNED: 4,
  LOAD_ACCESS_FAULT: 5,
  STORE_AMO_ADDRESS_MISALIGNED: 6,
  STORE_AMO_ACCESS_FAULT: 7,
  ECALL_FROM_U: 8,
  ECALL_FROM_HS: 9,
  ECALL_FROM_VS: 10,
  ECALL_FROM_M: 11,
  INSTRUCTION_PAGE_FAULT: 12,
  LOAD_PAGE_FAULT: 13,
  STORE_AMO_PAGE_FAULT: 15,
  INSTRUCTION_GUEST_PAGE_FAULT: 20,
  LOAD_GUEST_PAGE_FAULT: 21,
  VIRTUAL_INSTRUCTION: 22,
  STORE_AMO_GUEST_PAGE_FAULT: 23,
} as const;

/** Interrupt numbers (cause values with the interrupt bit clear) and their mip/mie bits. */
export const IRQ = {
  SSI: 1,
  VSSI: 2,
  MSI: 3,
  STI: 5,
  VSTI: 6,
  MTI: 7,
  SEI: 9,
  VSEI: 10,
  MEI: 11,
  SGEI: 12,
} as const;

export const MIP = {
  SSIP: 1 << 1,
  VSSIP: 1 << 2,
  MSIP: 1 << 3,
  STIP: 1 << 5,
  VSTIP: 1 << 6,
  MTIP: 1 << 7,
  SEIP: 1 << 9,
  VSEIP: 1 << 10,
  MEIP: 1 << 11,
  SGEIP: 1 << 12,
} as const;

export const MSTATUS = {
  SIE: 1 << 1,
  MIE: 1 << 3,
  SPIE: 1 << 5,
  UBE: 1 << 6,
  MPIE: 1 << 7,
  SPP: 1 << 8,
  VS: 3 << 9,
  MPP_SHIFT: 11,
  MPP: 3 << 11,
  FS: 3 << 13,
  MPRV: 1 << 17,
  SUM: 1 << 18,
  MXR: 1 << 19,
  TVM: 1 << 20,
  TW: 1 << 21,
  TSR: 1 << 22,
  SD: 1 << 31,
} as const;

export const MSTATUSH = {
  GVA: 1 << 6,
  MPV: 1 << 7,
} as const;

export const HSTATUS = {
  GVA: 1 << 6,
  SPV: 1 << 7,
  SPVP: 1 << 8,
  HU: 1 << 9,
  VTVM: 1 << 20,
  VTW: 1 << 21,
  VTSR: 1 << 22,
} as const;

export const PTE = {
  V: 1 << 0,
  R: 1 << 1,
  W: 1 << 2,
  X: 1 << 3,
  U: 1 << 4,
  G: 1 << 5,
  A: 1 << 6,
  D: 1 << 7,
} as const;
/** Sv32 PTE: PPN in bits 31:10 (priv 1.12, 4.3.1). */
export const PTE_PPN_SHIFT = 10;

/** menvcfgh/henvcfgh bit 31 is STCE (bit 63 of the 64-bit register); FIOM is bit 0 of the low half. */
export const ENVCFG = {
  FIOM: 1 << 0,
  STCE_H: 1 << 31,
} as const;

/** mcountinhibit / xcounteren bits. */
export const COUNTER = { CY: 1 << 0, TM: 1 << 1, IR: 1 << 2 } as const;

/**
 * Pseudo-instructions written to mtinst/htinst for guest-page faults on implicit VS-stage
 * page-table accesses (priv 1.12 section 8.6.3, table 8.12, RV32 values).
 */
export const PSEUDO_INSN = { PTE_READ_32: 0x0000_2000, PTE_WRITE_32: 0x0000_2020 } as const;

/** hgatp on RV32 (priv 1.12, 8.2.10): MODE bit 31, VMID bits 28:22, PPN bits 21:0. */
export const HGATP = {
  MODE_SV32X4: 0x8000_0000,
  VMID_SHIFT: 22,
  VMID_MASK: 0x7f,
  PPN_MASK: 0x003f_ffff,
} as const;

/** hvip injection bits (priv 1.12, 8.2.3): the VS interrupts a hypervisor may raise. */
export const HVIP = {
  VSSIP: 1 << 2,
  VSTIP: 1 << 6,
  VSEIP: 1 << 10,
} as const;

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
/** Sv32x4 root: 4096 entries (GPA bits 33:22), 16 KiB, 16 KiB aligned (priv 1.12, 8.5.1). */
export const GSTAGE_ROOT_ENTRIES = 4096;
export const GSTAGE_ROOT_BYTES = 16 * 1024;
/** A non-root Sv32 table: 1024 entries (GPA bits 21:12), covering 4 MiB. */
export const GSTAGE_LEAF_ENTRIES = 1024;
