// CSR existence, access rules (illegal vs virtual instruction, priv 1.12 sections 2.1, 8.6.1),
// counter gating (3.1.11, 4.1.5, 8.2.7), Sstc gating and the WARL read-back of the registers
// this hart implements (3.1.x, 4.1.x, 8.2.x).
import { describe, expect, it } from 'vitest';
import { readCsr, writeCsr } from '../../../core/hw/cpu/csr-file';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { A } from './asm';
import { inMode, sharedBoard, type ModeName } from './mode-fixture';

const ILLEGAL = 2;
const VIRTUAL = 22;

function readIn(mode: ModeName, csr: number, csrs: Record<number, number> = {}) {
  return inMode(mode, [A.csrrs(5, csr, 0)], csrs);
}

function causeOf(mode: ModeName, csr: number, csrs: Record<number, number> = {}): number | 'ok' {
  const r = readIn(mode, csr, csrs);
  return r.trapped ? r.mcause : 'ok';
}

describe('CSR access rules', () => {
  it('M-level CSRs: M only; illegal elsewhere, also from V=1', () => {
    expect(causeOf('M', CSR.MSTATUS)).toBe('ok');
    for (const m of ['HS', 'U', 'VS', 'VU'] as const) expect(causeOf(m, CSR.MSTATUS)).toBe(ILLEGAL);
  });

  it('H and VS CSRs: HS ok, U illegal, VS/VU virtual instruction', () => {
    for (const csr of [CSR.HSTATUS, CSR.VSSTATUS, CSR.HGATP]) {
      expect(causeOf('HS', csr)).toBe('ok');
      expect(causeOf('U', csr)).toBe(ILLEGAL);
      expect(causeOf('VS', csr)).toBe(VIRTUAL);
      expect(causeOf('VU', csr)).toBe(VIRTUAL);
    }
  });

  it('S CSRs: VU gets virtual instruction, U illegal', () => {
    expect(causeOf('VU', CSR.SSTATUS)).toBe(VIRTUAL);
    expect(causeOf('U', CSR.SSTATUS)).toBe(ILLEGAL);
  });

  it('VS-mode S-CSR accesses reach the vs* registers', () => {
    const r = inMode('VS', [A.csrrs(5, CSR.SSCRATCH, 0), A.csrrw(0, CSR.SEPC, 5)], {
      [CSR.VSSCRATCH]: 0x1234,
      [CSR.SSCRATCH]: 0x9999,
    });
    expect(r.h.x[5]).toBe(0x1234);
    expect(readCsr(r.h, CSR.VSEPC)).toBe(0x1234);
    expect(readCsr(r.h, CSR.SEPC)).toBe(0);
  });

  it('writes to read-only CSRs are illegal, even from M; csrrs with rs1=x0 is a pure read', () => {
    expect(inMode('M', [A.csrrw(0, CSR.MHARTID, 1)]).mcause).toBe(ILLEGAL);
    expect(inMode('M', [A.csrrs(5, CSR.MHARTID, 0)]).trapped).toBe(false);
    expect(inMode('M', [A.csrrs(5, CSR.MHARTID, 6)]).mcause).toBe(ILLEGAL);
  });

  it('satp: mstatus.TVM makes it illegal in HS; hstatus.VTVM makes it virtual in VS', () => {
    expect(causeOf('HS', CSR.SATP, { [CSR.MSTATUS]: 1 << 20 })).toBe(ILLEGAL);
    expect(causeOf('VS', CSR.SATP, { [CSR.MSTATUS]: 1 << 20 })).toBe('ok');
    expect(causeOf('VS', CSR.SATP, { [CSR.HSTATUS]: 1 << 20 })).toBe(VIRTUAL);
    expect(causeOf('HS', CSR.HGATP, { [CSR.MSTATUS]: 1 << 20 })).toBe(ILLEGAL);
  });

  it('counter gating through mcounteren, scounteren and hcounteren', () => {
    expect(causeOf('HS', CSR.CYCLE)).toBe(ILLEGAL);
    expect(causeOf('HS', CSR.CYCLE, { [CSR.MCOUNTEREN]: 1 })).toBe('ok');
    expect(causeOf('U', CSR.INSTRET, { [CSR.MCOUNTEREN]: 4 })).toBe(ILLEGAL);
    expect(causeOf('U', CSR.INSTRET, { [CSR.MCOUNTEREN]: 4, [CSR.SCOUNTEREN]: 4 })).toBe('ok');
    expect(causeOf('VS', CSR.TIME, { [CSR.MCOUNTEREN]: 2 })).toBe(VIRTUAL);
    expect(causeOf('VS', CSR.TIME, { [CSR.MCOUNTEREN]: 2, [CSR.HCOUNTEREN]: 2 })).toBe('ok');
    expect(causeOf('VU', CSR.TIME, { [CSR.MCOUNTEREN]: 2, [CSR.HCOUNTEREN]: 2 })).toBe(VIRTUAL);
    expect(causeOf('VU', CSR.TIMEH, { [CSR.MCOUNTEREN]: 2, [CSR.HCOUNTEREN]: 2, [CSR.SCOUNTEREN]: 2 })).toBe(
      'ok',
    );
    expect(causeOf('VS', CSR.CYCLE, { [CSR.HCOUNTEREN]: 1 })).toBe(ILLEGAL);
  });

  it('Sstc: stimecmp needs menvcfg.STCE and mcounteren.TM; vstimecmp also henvcfg.STCE and hcounteren.TM', () => {
    expect(causeOf('HS', CSR.STIMECMP, { [CSR.MCOUNTEREN]: 2 })).toBe(ILLEGAL);
    expect(causeOf('HS', CSR.STIMECMP, { [CSR.MCOUNTEREN]: 2, [CSR.MENVCFGH]: 1 << 31 })).toBe('ok');
    expect(causeOf('VS', CSR.STIMECMP, { [CSR.MCOUNTEREN]: 2, [CSR.MENVCFGH]: 1 << 31 })).toBe(VIRTUAL);
    expect(
      causeOf('VS', CSR.STIMECMP, {
        [CSR.MCOUNTEREN]: 2,
        [CSR.MENVCFGH]: 1 << 31,
        [CSR.HENVCFGH]: 1 << 31,
        [CSR.HCOUNTEREN]: 2,
      }),
    ).toBe('ok');
  });

  it('unimplemented addresses are illegal', () => {
    for (const csr of [0x7a0, 0x001, 0xb01, 0x5a8]) expect(causeOf('M', csr)).toBe(ILLEGAL);
  });
});

describe('WARL read-back', () => {
  const h = sharedBoard().harts[0]!;
  const ones = (csr: number): number => {
    h.reset(0x8000_0000);
    writeCsr(h, csr, -1);
    return readCsr(h, csr) >>> 0;
  };

  it('misa reports RV32 I M A S U H and ignores writes', () => {
    expect(ones(CSR.MISA)).toBe(0x4014_1181);
  });

  it('delegation registers keep only delegable bits; VS interrupts are forced delegated', () => {
    expect(ones(CSR.MEDELEG)).toBe(0x00f0_b7ff);
    expect(ones(CSR.MIDELEG)).toBe(0x0000_1666);
    expect(ones(CSR.HEDELEG)).toBe(0x0000_b1ff);
    expect(ones(CSR.HIDELEG)).toBe(0x0000_0444);
  });

  it('status registers keep their defined fields', () => {
    expect(ones(CSR.MSTATUS)).toBe(0x807e_1faa);
    expect(ones(CSR.SSTATUS)).toBe(0x800c_0722);
    expect(ones(CSR.HSTATUS)).toBe(0x0070_03c0);
    expect(ones(CSR.MSTATUSH)).toBe(0x0000_00c0);
  });

  it('xepc drop bits 1:0, hgatp keeps MODE, 7 VMID bits and a 16 KiB aligned PPN', () => {
    expect(ones(CSR.MEPC)).toBe(0xffff_fffc);
    expect(ones(CSR.HGATP)).toBe(0x9fff_fffc);
    expect(ones(CSR.SATP)).toBe(0xffff_ffff);
  });

  it('mtvec ignores writes of a reserved MODE', () => {
    h.reset(0x8000_0000);
    writeCsr(h, CSR.MTVEC, 0x8000_0101);
    writeCsr(h, CSR.MTVEC, 0x8000_0202);
    expect(readCsr(h, CSR.MTVEC) >>> 0).toBe(0x8000_0101);
  });

  it('interrupt enables and pendings: sie/sip only see delegated S bits; vsip maps hvip', () => {
    h.reset(0x8000_0000);
    writeCsr(h, CSR.MIDELEG, 0x222);
    writeCsr(h, CSR.MIE, -1);
    expect(readCsr(h, CSR.MIE) >>> 0).toBe(0x1eee);
    expect(readCsr(h, CSR.SIE)).toBe(0x222);
    expect(readCsr(h, CSR.HIE)).toBe(0x1444);
    writeCsr(h, CSR.HIDELEG, 0x444);
    writeCsr(h, CSR.HVIP, 0x444);
    expect(readCsr(h, CSR.VSIP)).toBe(0x222);
    expect(readCsr(h, CSR.MIP) & 0x444).toBe(0x444);
    writeCsr(h, CSR.MIP, 0);
    expect(readCsr(h, CSR.HVIP)).toBe(0x440);
  });

  it('minstret counts retired instructions and a write sets what the next read sees', () => {
    const r = inMode('M', [
      A.addi(1, 0, 7),
      A.csrrw(0, CSR.MINSTRET, 1),
      A.addi(0, 0, 0),
      A.csrrs(5, CSR.MINSTRET, 0),
    ]);
    expect(r.h.x[5]).toBe(8);
  });
});

describe('mip read-modify-write', () => {
  it('csrrs on mip does not latch the external SEIP line into the software bit', () => {
    const r = inMode('M', [A.csrrs(5, CSR.MIP, 0), A.addi(6, 0, 2), A.csrrs(0, CSR.MIP, 6)], {}, 5, (h) =>
      h.setInterruptLine(1 << 9, true),
    );
    r.h.setInterruptLine(1 << 9, false);
    expect(r.h.x[5]! & (1 << 9)).toBe(1 << 9);
    expect(readCsr(r.h, CSR.MIP) & ((1 << 9) | 2)).toBe(2);
  });
});
