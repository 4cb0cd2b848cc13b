// Why a guest left V=1, as HS-mode software reads it from scause, stval, htval and htinst
// (priv 1.12 sections 8.6.3-8.6.4): an SBI call, an MMIO access decoded from the transformed
// instruction in htinst, a guest-page fault, a virtual instruction, WFI, a host interrupt, or the
// end of the host's quantum. Same shape as the hypervisor interface's Exit (core/sandbox/hyp.ts).
import { readCsr } from '../cpu/csr-file';
import { CSR } from '../cpu/csr-numbers';
import type { Hart } from '../cpu/hart';
import { CAUSE } from '../../spec/riscv-priv';
import { leaveGuest, type VcpuContext } from './vcpu-context';

export type GuestAccess = 'load' | 'store' | 'fetch';

export type GuestExit =
  | { readonly kind: 'sbi'; readonly ext: number; readonly fid: number; readonly args: readonly number[] }
  | { readonly kind: 'mmio-load'; readonly gpa: number; readonly width: 1 | 2 | 4; readonly signed: boolean; readonly rd: number }
  | { readonly kind: 'mmio-store'; readonly gpa: number; readonly width: 1 | 2 | 4; readonly value: number }
  | { readonly kind: 'guest-page-fault'; readonly gpa: number; readonly access: GuestAccess }
  | { readonly kind: 'virtual-instruction'; readonly insn: number }
  | { readonly kind: 'wfi' }
  | { readonly kind: 'interrupt'; readonly cause: number }
  | { readonly kind: 'quantum' }
  | { readonly kind: 'other'; readonly scause: number; readonly stval: number; readonly htval: number; readonly htinst: number };

export const QUANTUM_EXIT: GuestExit = { kind: 'quantum' };
const WFI = 0x1050_0073;
const OPCODE_LOAD = 0x03;
const OPCODE_STORE = 0x23;

const LOAD_WIDTH: Readonly<Record<number, { width: 1 | 2 | 4; signed: boolean }>> = {
  0: { width: 1, signed: true },
  1: { width: 2, signed: true },
  2: { width: 4, signed: true },
  4: { width: 1, signed: false },
  5: { width: 2, signed: false },
};
const STORE_WIDTH: Readonly<Record<number, 1 | 2 | 4>> = { 0: 1, 1: 2, 2: 4 };

/** Leaves the guest running on `hart` into `ctx` and says why it stopped. */
export function takeGuestExit(hart: Hart, ctx: VcpuContext): GuestExit {
  return leaveGuest(hart, ctx) ? decodeGuestExit(hart, ctx) : QUANTUM_EXIT;
}

/**
 * Decodes the trap the hart just took into HS for the vCPU saved in `ctx`. Exits that complete
 * the trapping instruction (SBI, MMIO, WFI) move ctx.pc past it: the HS layer, not the VMM,
 * advances pc (CLOUDVISOR.md section 3).
 */
export function decodeGuestExit(hart: Hart, ctx: VcpuContext): GuestExit {
  const scause = readCsr(hart, CSR.SCAUSE);
  const stval = readCsr(hart, CSR.STVAL) >>> 0;
  if (scause < 0) return { kind: 'interrupt', cause: scause & 0x7fff_ffff };
  const htval = readCsr(hart, CSR.HTVAL) >>> 0;
  const htinst = readCsr(hart, CSR.HTINST) >>> 0;
  switch (scause) {
    case CAUSE.ECALL_FROM_VS: {
      const a = ctx.x;
      ctx.pc = (ctx.pc + 4) >>> 0;
      const args = [a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17]].map((v) => (v ?? 0) >>> 0);
      return { kind: 'sbi', ext: args[7] ?? 0, fid: args[6] ?? 0, args };
    }
    case CAUSE.LOAD_GUEST_PAGE_FAULT:
    case CAUSE.STORE_AMO_GUEST_PAGE_FAULT:
    case CAUSE.INSTRUCTION_GUEST_PAGE_FAULT:
      return guestPageFault(ctx, scause, stval, htval, htinst);
    case CAUSE.VIRTUAL_INSTRUCTION:
      if (stval === WFI) {
        ctx.pc = (ctx.pc + 4) >>> 0;
        return { kind: 'wfi' };
      }
      return { kind: 'virtual-instruction', insn: stval };
    default:
      return { kind: 'other', scause, stval, htval, htinst };
  }
}

function guestPageFault(ctx: VcpuContext, scause: number, stval: number, htval: number, htinst: number): GuestExit {
  // htval holds GPA >> 2 (section 8.6.3); the low bits come from the faulting address.
  const gpa = htval * 4 + (stval & 3);
  // A transformed load/store has bit 0 set; pseudo-instructions for implicit accesses do not.
  const op = htinst & 0x7f;
  if (scause === CAUSE.LOAD_GUEST_PAGE_FAULT && op === OPCODE_LOAD) {
    const form = LOAD_WIDTH[(htinst >>> 12) & 7];
    if (form) {
      ctx.pc = (ctx.pc + 4) >>> 0;
      return { kind: 'mmio-load', gpa, width: form.width, signed: form.signed, rd: (htinst >>> 7) & 31 };
    }
  }
  if (scause === CAUSE.STORE_AMO_GUEST_PAGE_FAULT && op === OPCODE_STORE) {
    const width = STORE_WIDTH[(htinst >>> 12) & 7];
    if (width) {
      const raw = (ctx.x[(htinst >>> 20) & 31] ?? 0) >>> 0;
      ctx.pc = (ctx.pc + 4) >>> 0;
      const value = width === 4 ? raw : raw & ((1 << (8 * width)) - 1);
      return { kind: 'mmio-store', gpa, width, value };
    }
  }
  const access: GuestAccess =
    scause === CAUSE.INSTRUCTION_GUEST_PAGE_FAULT ? 'fetch' : scause === CAUSE.LOAD_GUEST_PAGE_FAULT ? 'load' : 'store';
  return { kind: 'guest-page-fault', gpa, access };
}
