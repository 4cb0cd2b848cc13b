// The wire format of the hypervisor interface across the engine boundary: operation numbers,
// register order and record layouts, shared by the in-engine prelude and the host binding so the
// two cannot drift. Records cross as Float64 arrays (exact for every 32-bit word and 64-bit time).
import type { DiskCompletion, DiskRequest, ExitKind, GuestControls, GuestRegName, MemoryAccess } from './hyp';

/** One number per hypervisor-interface operation; 0 is never valid. */
export const OP = {
  HART_ID: 1,
  MEM_READ: 2,
  MEM_WRITE: 3,
  MEM_READ32: 4,
  MEM_WRITE32: 5,
  VCPU_CREATE: 6,
  VCPU_DESTROY: 7,
  VCPU_REGS: 8,
  VCPU_SET_REGS: 9,
  VCPU_CONTROLS: 10,
  VCPU_SET_CONTROLS: 11,
  VCPU_RUN: 12,
  FENCE_GVMA: 13,
  FENCE_VVMA: 14,
  TIMER_NOW: 15,
  TIMER_SET: 16,
  IPI: 17,
  DISK_SECTORS: 18,
  DISK_SUBMIT: 19,
  DISK_POLL: 20,
  CONSOLE_WRITE: 21,
  CONSOLE_READ: 22,
  TPM_PCR_READ: 23,
  TPM_PCR_EXTEND: 24,
  TPM_QUOTE: 25,
  TPM_RANDOM: 26,
  TPM_COUNTER_READ: 27,
  TPM_COUNTER_INCREMENT: 28,
  LAB_EXFILTRATE: 29,
  LAB_LOG: 30,
  PATCH_FAULT: 31,
  /** Virtual VMCS: pending register changes in, the exit and the registers it shows out. */
  VCPU_RUN_VMCS: 32,
} as const;

export type OpName = keyof typeof OP;
export type OpCode = (typeof OP)[OpName];

/** Argument slots of the dispatch function: op, four numbers, one byte buffer, one string. */
export const ARG_BYTES = 5;
export const ARG_TEXT = 6;

/** Register record order: pc, x1..x31, then the VS CSRs. */
export const GUEST_REG_NAMES = [
  'pc',
  'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'x11', 'x12', 'x13', 'x14', 'x15', 'x16',
  'x17', 'x18', 'x19', 'x20', 'x21', 'x22', 'x23', 'x24', 'x25', 'x26', 'x27', 'x28', 'x29', 'x30', 'x31',
  'vsstatus', 'vsie', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval', 'vsip', 'vsatp',
] as const satisfies readonly GuestRegName[];

// Compile-time completeness: every GuestRegName appears in GUEST_REG_NAMES.
type MissingReg = Exclude<GuestRegName, (typeof GUEST_REG_NAMES)[number]>;
export const REG_ORDER_COMPLETE: [MissingReg] extends [never] ? true : MissingReg = true;

export const ABI_TO_GPR: Readonly<Record<string, number>> = {
  ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, fp: 8, s1: 9,
  a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17,
  s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23, s8: 24, s9: 25, s10: 26, s11: 27,
  t3: 28, t4: 29, t5: 30, t6: 31,
};

export const CONTROL_NAMES = [
  'hgatp', 'hedeleg', 'hideleg', 'hcounteren', 'htimedelta', 'hvip',
] as const satisfies readonly (keyof GuestControls)[];

type MissingControl = Exclude<keyof GuestControls, (typeof CONTROL_NAMES)[number]>;
export const CONTROL_ORDER_COMPLETE: [MissingControl] extends [never] ? true : MissingControl = true;

/** Exit record: [kind code, up to 10 fields]; field order per kind is in the prelude's decoder. */
export const EXIT_RECORD_LENGTH = 11;
export const EXIT_KIND_CODE = {
  sbi: 1,
  'mmio-load': 2,
  'mmio-store': 3,
  'guest-page-fault': 4,
  'virtual-instruction': 5,
  wfi: 6,
  interrupt: 7,
  quantum: 8,
  other: 9,
} as const satisfies Record<ExitKind, number>;

export const ACCESS_CODE = { load: 0, store: 1, fetch: 2 } as const satisfies Record<MemoryAccess, number>;
export const DISK_OP_CODE = { read: 0, write: 1, flush: 2 } as const satisfies Record<DiskRequest['op'], number>;
export const DISK_STATUS_CODE = {
  ok: 0,
  'io-error': 1,
  'dma-fault': 2,
} as const satisfies Record<DiskCompletion['status'], number>;

/** Largest byte count one call may move (a bulk copy, not a way to exhaust host memory). */
export const MAX_BULK_BYTES = 16 * 1024 * 1024;
/** Physical addresses are Sv32 PPN-sized: 34 bits. */
export const PA_LIMIT = 2 ** 34;
