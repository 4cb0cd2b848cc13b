// A vCPU's registers and H controls by name, as HS software hands them to a hypervisor (the
// names and shapes of core/sandbox/hyp.ts GuestRegs and GuestControls, declared here again
// because the hardware layer imports nothing above it). vsie/vsip are views of hie/hvip bits
// through hideleg (priv 1.12 section 8.2.9).
import { CSR } from '../cpu/csr-numbers';
import type { VcpuContext, VcpuCsr } from './vcpu-context';

export const VS_CSR_NAMES = ['vsstatus', 'vsie', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval', 'vsip', 'vsatp'] as const;
export type VsCsrName = (typeof VS_CSR_NAMES)[number];
export type GuestRegisterName = 'pc' | `x${number}` | VsCsrName;

export const CONTROL_FIELDS = ['hgatp', 'hedeleg', 'hideleg', 'hcounteren', 'htimedelta', 'hvip'] as const;
export type ControlName = (typeof CONTROL_FIELDS)[number];
export type GuestControlValues = Record<ControlName, number>;

const VS_CSR: Readonly<Record<Exclude<VsCsrName, 'vsip'>, VcpuCsr>> = {
  vsstatus: CSR.VSSTATUS,
  vsie: CSR.VSIE,
  vstvec: CSR.VSTVEC,
  vsscratch: CSR.VSSCRATCH,
  vsepc: CSR.VSEPC,
  vscause: CSR.VSCAUSE,
  vstval: CSR.VSTVAL,
  vsatp: CSR.VSATP,
};
const VS_INTERRUPTS = 0x444;
const VSSIP = 0x4;
// Read on every exit the monitor shows: names and CSR numbers are built once, and the record is
// filled in one fixed order so every result has the same shape.
const GPR_NAMES = Array.from({ length: 31 }, (_, i) => `x${i + 1}`);
const VS_CSR_ENTRIES = Object.entries(VS_CSR) as [string, VcpuCsr][];
/** VS CSRs in record order; undefined marks vsip, a view of hvip through hideleg. */
const VS_CSR_RECORD: readonly (VcpuCsr | undefined)[] = VS_CSR_NAMES.map((name) => (name === 'vsip' ? undefined : VS_CSR[name]));

/** Every register by name: pc, x1..x31 and the VS CSRs, unsigned. */
export function readGuestRegisters(ctx: VcpuContext): Record<string, number> {
  const regs: Record<string, number> = { pc: ctx.pc >>> 0 };
  for (let i = 0; i < 31; i++) regs[GPR_NAMES[i] as string] = (ctx.x[i + 1] ?? 0) >>> 0;
  for (const [name, csr] of VS_CSR_ENTRIES) regs[name] = ctx.csr(csr);
  regs.vsip = (ctx.csr(CSR.HVIP) & ctx.csr(CSR.HIDELEG) & VS_INTERRUPTS) >>> 1;
  return regs;
}

/** The same values as readGuestRegisters into `out`: pc, x1..x31, then VS_CSR_NAMES in order. */
export function readGuestRegisterRecord(ctx: VcpuContext, out: Float64Array): void {
  out[0] = ctx.pc >>> 0;
  for (let i = 1; i < 32; i++) out[i] = (ctx.x[i] ?? 0) >>> 0;
  for (let i = 0; i < VS_CSR_RECORD.length; i++) {
    const csr = VS_CSR_RECORD[i];
    out[32 + i] = csr === undefined ? (ctx.csr(CSR.HVIP) & ctx.csr(CSR.HIDELEG) & VS_INTERRUPTS) >>> 1 : ctx.csr(csr);
  }
}

/** Writes one register by name; false for a name that is not a guest register. */
export function writeGuestRegister(ctx: VcpuContext, name: string, value: number): boolean {
  if (name === 'pc') {
    ctx.pc = value >>> 0;
    return true;
  }
  const gpr = /^x([1-9]|[12][0-9]|3[01])$/.exec(name);
  if (gpr) {
    ctx.x[Number(gpr[1])] = value | 0;
    return true;
  }
  if (name === 'vsip') {
    // Only VSSIP is writable through vsip, and only when delegated.
    const mask = ctx.csr(CSR.HIDELEG) & VSSIP;
    ctx.setCsr(CSR.HVIP, (ctx.csr(CSR.HVIP) & ~mask) | ((value << 1) & mask));
    return true;
  }
  const csr = (VS_CSR as Record<string, VcpuCsr | undefined>)[name];
  if (csr === undefined) return false;
  ctx.setCsr(csr, value);
  return true;
}

export function readGuestControls(ctx: VcpuContext): GuestControlValues {
  return {
    hgatp: ctx.csr(CSR.HGATP),
    hedeleg: ctx.csr(CSR.HEDELEG),
    hideleg: ctx.csr(CSR.HIDELEG),
    hcounteren: ctx.csr(CSR.HCOUNTEREN),
    htimedelta: ctx.csr(CSR.HTIMEDELTAH) * 0x1_0000_0000 + ctx.csr(CSR.HTIMEDELTA),
    hvip: ctx.csr(CSR.HVIP),
  };
}

export function writeGuestControl(ctx: VcpuContext, name: ControlName, value: number): void {
  switch (name) {
    case 'htimedelta': {
      const v = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(value)));
      ctx.setCsr(CSR.HTIMEDELTA, v % 0x1_0000_0000);
      ctx.setCsr(CSR.HTIMEDELTAH, Math.floor(v / 0x1_0000_0000));
      return;
    }
    case 'hgatp':
      return ctx.setCsr(CSR.HGATP, value);
    case 'hedeleg':
      return ctx.setCsr(CSR.HEDELEG, value);
    case 'hideleg':
      return ctx.setCsr(CSR.HIDELEG, value);
    case 'hcounteren':
      return ctx.setCsr(CSR.HCOUNTEREN, value);
    case 'hvip':
      return ctx.setCsr(CSR.HVIP, value);
  }
}
