// A modelled HS layer entering a real guest on the hart (V=1, two-stage translation) and reading
// back each kind of exit the way a RISC-V hypervisor does (priv 1.12 sections 8.6.3-8.6.4).
import { beforeEach, describe, expect, it } from 'vitest';
import { writeCsr } from '../../../core/hw/cpu/csr-file';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { Hart } from '../../../core/hw/cpu/hart';
import { takeGuestExit } from '../../../core/hw/hs/guest-exit';
import { prepareModelledHs } from '../../../core/hw/hs/hs-platform';
import { VcpuContext, enterGuest } from '../../../core/hw/hs/vcpu-context';
import { PhysicalBus } from '../../../core/hw/memory/physical-bus';
import { Ram } from '../../../core/hw/memory/ram';

const GUEST_PA = 0x8010_0000;
const GPA = 0x8000_0000;
const ROOT = 0x8001_0000;
const L0 = 0x8001_4000;

const addi = (rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13;
const lui = (rd: number, imm20: number) => ((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37;
const lw = (rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x03;
const lbu = (rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (4 << 12) | (rd << 7) | 0x03;
const sb = (rs2: number, rs1: number, imm: number) =>
  (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | ((imm & 31) << 7) | 0x23;
const jalr = (rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x67;
const ECALL = 0x0000_0073;
const WFI = 0x1050_0073;
const LOOP = 0x0000_006f; // jal x0, 0

let ram: Ram;
let hart: Hart;
let time = 0;

function write32(pa: number, value: number): void {
  ram.i32[(pa - ram.base) >> 2] = value | 0;
}

function loadGuest(code: number[]): VcpuContext {
  code.forEach((insn, i) => write32(GUEST_PA + 4 * i, insn));
  const ctx = new VcpuContext();
  ctx.pc = GPA;
  ctx.setCsr(CSR.HGATP, (0x8000_0000 | (5 << 22) | (ROOT >>> 12)) >>> 0);
  return ctx;
}

function runGuest(ctx: VcpuContext, budget = 1000) {
  enterGuest(hart, ctx);
  hart.run(budget);
  return takeGuestExit(hart, ctx);
}

beforeEach(() => {
  ram = new Ram(0x8000_0000, 4 << 20);
  const bus = new PhysicalBus(ram);
  time = 0;
  hart = new Hart(0, bus, { now: () => time });
  prepareModelledHs(hart);
  hart.stopOnHsTrap = true;
  // G-stage: GPA 0x80000000 + 64 KiB -> PA 0x80100000, leaves V R W X U A D.
  write32(ROOT + (GPA >>> 22) * 4, ((L0 >>> 12) << 10) | 1);
  for (let i = 0; i < 16; i++) write32(L0 + i * 4, (((GUEST_PA >>> 12) + i) << 10) | 0xdf);
});

describe('entering a guest and decoding its exits', () => {
  it('reports an SBI call with a0..a7, moves pc past the ecall, and keeps the guest registers', () => {
    const ctx = loadGuest([addi(17, 0, 0x10), addi(16, 0, 3), addi(10, 0, 0x123), addi(9, 0, 77), ECALL, LOOP]);
    const exit = runGuest(ctx);
    expect(exit).toEqual({ kind: 'sbi', ext: 0x10, fid: 3, args: [0x123, 0, 0, 0, 0, 0, 3, 0x10] });
    expect(ctx.pc).toBe(GPA + 20);
    expect(ctx.x[9]).toBe(77);
    expect(hart.virt).toBe(0);
    expect(hart.priv).toBe(1);
  });

  it('decodes MMIO loads and stores from htinst and advances past them', () => {
    const ctx = loadGuest([lui(5, 0x10000), lw(15, 5, 8), addi(14, 0, 0x1155), sb(14, 5, 1), lbu(13, 5, 5), LOOP]);
    expect(runGuest(ctx)).toEqual({ kind: 'mmio-load', gpa: 0x1000_0008, width: 4, signed: true, rd: 15 });
    expect(ctx.pc).toBe(GPA + 8);
    ctx.x[15] = 0x42; // the HS layer delivers the loaded value
    expect(runGuest(ctx)).toEqual({ kind: 'mmio-store', gpa: 0x1000_0001, width: 1, value: 0x55 });
    expect(ctx.x[15]).toBe(0x42);
    expect(runGuest(ctx)).toEqual({ kind: 'mmio-load', gpa: 0x1000_0005, width: 1, signed: false, rd: 13 });
  });

  it('reports WFI (hstatus.VTW) and a fetch from an unmapped GPA', () => {
    const ctx = loadGuest([WFI, lui(6, 0x80020), jalr(0, 6, 0x10)]);
    expect(runGuest(ctx)).toEqual({ kind: 'wfi' });
    expect(ctx.pc).toBe(GPA + 4);
    expect(runGuest(ctx)).toEqual({ kind: 'guest-page-fault', gpa: 0x8002_0010, access: 'fetch' });
    expect(ctx.pc).toBe(0x8002_0010);
  });

  it('returns at the end of the quantum with the guest resumable where it was', () => {
    const ctx = loadGuest([addi(10, 0, 1), LOOP]);
    expect(runGuest(ctx, 50)).toEqual({ kind: 'quantum' });
    expect(ctx.pc).toBe(GPA + 4);
    expect(ctx.x[10]).toBe(1);
  });

  it('takes the HS timer as a host interrupt while the guest runs', () => {
    const ctx = loadGuest([LOOP]);
    writeCsr(hart, CSR.STIMECMP, 100);
    writeCsr(hart, CSR.STIMECMPH, 0);
    expect(runGuest(ctx, 50)).toEqual({ kind: 'quantum' });
    time = 100;
    expect(runGuest(ctx, 50)).toEqual({ kind: 'interrupt', cause: 5 });
  });

  it('round-trips the VS CSRs and hvip through the hart', () => {
    const ctx = loadGuest([LOOP]);
    ctx.setCsr(CSR.VSSCRATCH, 0xabcd);
    ctx.setCsr(CSR.VSTVEC, GPA + 0x100);
    ctx.setCsr(CSR.HIDELEG, 0x444);
    ctx.setCsr(CSR.HVIP, 0x40);
    runGuest(ctx, 10);
    expect(ctx.csr(CSR.VSSCRATCH)).toBe(0xabcd);
    expect(ctx.csr(CSR.VSTVEC)).toBe(GPA + 0x100);
    expect(ctx.csr(CSR.HVIP)).toBe(0x40);
  });
});
