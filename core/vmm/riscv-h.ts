// Architectural constants the VMM needs from the H extension: hgatp and G-stage PTE fields,
// the hvip injection bits, host interrupt causes and the exception-delegation defaults.
// Values are the spec's bit positions (RISC-V privileged spec 1.12, sections 4.3.1 and 8.2).
// Kept separate from core/hw (the VMM may not import it): a real VMM carries its own headers.

/** hgatp on RV32 (priv 1.12, 8.2.10): MODE bit 31, VMID bits 28:22, PPN bits 21:0. */
export const HGATP = {
  MODE_SV32X4: 0x8000_0000,
  VMID_SHIFT: 22,
  VMID_MASK: 0x7f,
  PPN_MASK: 0x003f_ffff,
} as const;

/** Sv32 / Sv32x4 PTE bits (priv 1.12, 4.3.1). G-stage leaves must have U=1 (8.5.1). */
export const PTE = {
  V: 1 << 0,
  R: 1 << 1,
  W: 1 << 2,
  X: 1 << 3,
  U: 1 << 4,
  G: 1 << 5,
  A: 1 << 6,
  D: 1 << 7,
  PPN_SHIFT: 10,
} as const;

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
/** Sv32x4 root: 4096 entries (GPA bits 33:22), 16 KiB, 16 KiB aligned (priv 1.12, 8.5.1). */
export const GSTAGE_ROOT_BYTES = 16 * 1024;
export const GSTAGE_ROOT_ENTRIES = 4096;
/** A non-root Sv32 table: 1024 entries, covering 4 MiB of GPA. */
export const GSTAGE_LEAF_SPAN = 4 * 1024 * 1024;

/** hvip injection bits (priv 1.12, 8.2.3). */
export const HVIP = {
  VSSIP: 1 << 2,
  VSTIP: 1 << 6,
  VSEIP: 1 << 10,
} as const;

/** Host interrupt causes as an 'interrupt' exit reports them (scause without the interrupt bit). */
export const HOST_IRQ = {
  SSI: 1,
  STI: 5,
  SEI: 9,
} as const;

/** Exception causes delegated to the guest's own VS-mode handlers (as KVM RISC-V does). */
export const EXC = {
  INSTRUCTION_ADDRESS_MISALIGNED: 0,
  ILLEGAL_INSTRUCTION: 2,
  BREAKPOINT: 3,
  LOAD_ADDRESS_MISALIGNED: 4,
  STORE_AMO_ADDRESS_MISALIGNED: 6,
  ECALL_FROM_U: 8,
  INSTRUCTION_PAGE_FAULT: 12,
  LOAD_PAGE_FAULT: 13,
  STORE_AMO_PAGE_FAULT: 15,
} as const;

export const HEDELEG_DEFAULT =
  (1 << EXC.INSTRUCTION_ADDRESS_MISALIGNED) | (1 << EXC.ILLEGAL_INSTRUCTION) | (1 << EXC.BREAKPOINT) |
  (1 << EXC.LOAD_ADDRESS_MISALIGNED) | (1 << EXC.STORE_AMO_ADDRESS_MISALIGNED) | (1 << EXC.ECALL_FROM_U) |
  (1 << EXC.INSTRUCTION_PAGE_FAULT) | (1 << EXC.LOAD_PAGE_FAULT) | (1 << EXC.STORE_AMO_PAGE_FAULT);

/** The VS interrupts go to the guest's own handlers: VSSIP, VSTIP, VSEIP. */
export const HIDELEG_DEFAULT = HVIP.VSSIP | HVIP.VSTIP | HVIP.VSEIP;

/** hcounteren: CY, TM, IR readable from VS (TM lets the guest read `time` without a trap). */
export const HCOUNTEREN_DEFAULT = 0x7;
