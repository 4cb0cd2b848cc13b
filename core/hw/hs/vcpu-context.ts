// A guest vCPU's architectural state while it is not on a hart, and the two moves HS-mode
// software makes with it: enter the guest (load the state, V=1) and leave it after a trap to HS
// or the end of a quantum (save it back). Used alike by the bare host's HS layer and by the
// monitor. CSR values pass through the hart's own readCsr/writeCsr, so WARL rules apply once.
// Priv 1.12 chapter 8: the VS CSRs, hvip (VSSIP is guest-writable through vsip), hgatp.
import { readCsr, writeCsr } from '../cpu/csr-file';
import { CSR } from '../cpu/csr-numbers';
import { SLOT } from '../cpu/csr-slots';
import type { Hart } from '../cpu/hart';
import { HSTATUS } from '../../spec/riscv-priv';

/** Every CSR that belongs to one vCPU, in load order (hideleg before vsie/vsip, which it masks). */
export const VCPU_CSRS = [
  CSR.HEDELEG,
  CSR.HIDELEG,
  CSR.HCOUNTEREN,
  CSR.HTIMEDELTA,
  CSR.HTIMEDELTAH,
  CSR.HGATP,
  CSR.HVIP,
  CSR.VSSTATUS,
  CSR.VSIE,
  CSR.VSTVEC,
  CSR.VSSCRATCH,
  CSR.VSEPC,
  CSR.VSCAUSE,
  CSR.VSTVAL,
  CSR.VSATP,
] as const;

export type VcpuCsr = (typeof VCPU_CSRS)[number];
const INDEX = new Map<number, number>(VCPU_CSRS.map((csr, i) => [csr, i]));

export class VcpuContext {
  /** x0..x31; x0 stays zero. */
  readonly x = new Int32Array(32);
  /** Unsigned. */
  pc = 0;
  /** The guest's own privilege: 1 = VS, 0 = VU. */
  priv = 1;
  readonly csrs = new Int32Array(VCPU_CSRS.length);

  csr(csr: VcpuCsr): number {
    return (this.csrs[INDEX.get(csr) as number] ?? 0) >>> 0;
  }

  setCsr(csr: VcpuCsr, value: number): void {
    this.csrs[INDEX.get(csr) as number] = value | 0;
  }

  copyFrom(other: VcpuContext): void {
    this.x.set(other.x);
    this.pc = other.pc;
    this.priv = other.priv;
    this.csrs.set(other.csrs);
  }
}

/** Puts `ctx` on `hart` and switches it to V=1 at the guest's pc and privilege. */
export function enterGuest(hart: Hart, ctx: VcpuContext): void {
  for (let i = 0; i < VCPU_CSRS.length; i++) writeCsr(hart, VCPU_CSRS[i] as number, ctx.csrs[i] ?? 0);
  hart.x.set(ctx.x);
  hart.x[0] = 0;
  hart.pc = ctx.pc | 0;
  hart.priv = ctx.priv === 0 ? 0 : 1;
  hart.virt = 1;
  hart.resValid = false;
  hart.waiting = false;
  hart.contextChanged();
}

/**
 * Saves the guest state from `hart` into `ctx` and leaves the hart in HS-mode. After a trap to HS
 * the guest's pc is sepc and its privilege hstatus.SPVP; after a quantum the hart is still in it.
 * Returns whether the guest trapped (false: it was preempted).
 */
export function leaveGuest(hart: Hart, ctx: VcpuContext): boolean {
  const trapped = hart.virt === 0;
  ctx.x.set(hart.x.subarray(0, 32));
  ctx.x[0] = 0;
  if (trapped) {
    ctx.pc = readCsr(hart, CSR.SEPC) >>> 0;
    ctx.priv = ((hart.csr[SLOT.HSTATUS] ?? 0) & HSTATUS.SPVP) !== 0 ? 1 : 0;
  } else {
    ctx.pc = hart.pc >>> 0;
    ctx.priv = hart.priv;
  }
  for (let i = 0; i < VCPU_CSRS.length; i++) ctx.csrs[i] = readCsr(hart, VCPU_CSRS[i] as number);
  hart.virt = 0;
  hart.priv = 1;
  hart.resValid = false;
  hart.waiting = false;
  hart.contextChanged();
  return trapped;
}
