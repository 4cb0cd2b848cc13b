// Trap routing and return (priv 1.12 sections 3.1.8-3.1.9, 3.3, 8.4, 8.6): medeleg/hedeleg,
// mideleg/hideleg, vectored mtvec, interrupt priority, hvip injection into VS, MRET/SRET state,
// and the privileged-instruction rules for WFI, SRET, SFENCE.VMA, HFENCE and HLV.
import { describe, expect, it } from 'vitest';
import { readCsr } from '../../../core/hw/cpu/csr-file';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import { A, BASE } from './asm';
import { HANDLER, inMode, type ModeName } from './mode-fixture';

const ILLEGAL = 2;
const VIRTUAL = 22;

function causeOf(mode: ModeName, insn: number, csrs: Record<number, number> = {}): number | 'ok' {
  const r = inMode(mode, [insn], csrs);
  return r.trapped ? r.mcause : 'ok';
}

describe('exception routing', () => {
  it('ECALL cause depends on the mode', () => {
    expect(causeOf('M', A.ecall())).toBe(11);
    expect(causeOf('HS', A.ecall())).toBe(9);
    expect(causeOf('VS', A.ecall())).toBe(10);
    expect(causeOf('U', A.ecall())).toBe(8);
    expect(causeOf('VU', A.ecall())).toBe(8);
  });

  it('medeleg sends U ecalls to HS with sepc/scause and SPP=U; hedeleg sends VU ecalls to VS', () => {
    const stvec = BASE + 0x900;
    let r = inMode('U', [A.ecall()], { [CSR.MEDELEG]: 1 << 8, [CSR.STVEC]: stvec });
    expect([r.h.pc >>> 0, r.h.priv, r.h.virt]).toEqual([stvec, 1, 0]);
    expect([
      readCsr(r.h, CSR.SCAUSE),
      readCsr(r.h, CSR.SEPC) >>> 0,
      readCsr(r.h, CSR.SSTATUS) & 0x100,
    ]).toEqual([8, BASE, 0]);
    r = inMode('VU', [A.ecall()], { [CSR.MEDELEG]: 1 << 8, [CSR.HEDELEG]: 1 << 8, [CSR.VSTVEC]: stvec });
    expect([r.h.pc >>> 0, r.h.priv, r.h.virt]).toEqual([stvec, 1, 1]);
    expect([readCsr(r.h, CSR.VSCAUSE), readCsr(r.h, CSR.VSEPC) >>> 0]).toEqual([8, BASE]);
  });

  it('a trap from VS into HS records SPV, SPVP and the previous mode', () => {
    const r = inMode('VS', [A.ebreak()], { [CSR.MEDELEG]: 1 << 3, [CSR.STVEC]: BASE + 0x900 });
    expect([r.h.priv, r.h.virt, readCsr(r.h, CSR.SCAUSE)]).toEqual([1, 0, 3]);
    expect(readCsr(r.h, CSR.HSTATUS) & 0x1c0).toBe(0x180);
    expect(readCsr(r.h, CSR.SSTATUS) & 0x100).toBe(0x100);
  });

  it('guest-page faults and virtual instruction cannot be delegated to VS', () => {
    const r = inMode('VU', [A.wfi()], {
      [CSR.MEDELEG]: 1 << 22,
      [CSR.HEDELEG]: -1,
      [CSR.STVEC]: BASE + 0x900,
    });
    expect([r.h.priv, r.h.virt, readCsr(r.h, CSR.SCAUSE)]).toEqual([1, 0, VIRTUAL]);
  });
});

describe('privileged instruction rules', () => {
  it('WFI: TW=1 illegal below M, U illegal, VU virtual, VS virtual with VTW', () => {
    expect(causeOf('M', A.wfi(), { [CSR.MSTATUS]: 1 << 21 })).toBe('ok');
    expect(causeOf('HS', A.wfi(), { [CSR.MSTATUS]: 1 << 21 })).toBe(ILLEGAL);
    expect(causeOf('VU', A.wfi(), { [CSR.MSTATUS]: 1 << 21 })).toBe(ILLEGAL);
    expect(causeOf('U', A.wfi())).toBe(ILLEGAL);
    expect(causeOf('VU', A.wfi())).toBe(VIRTUAL);
    expect(causeOf('VS', A.wfi(), { [CSR.HSTATUS]: 1 << 21 })).toBe(VIRTUAL);
  });

  it('SRET: U illegal, VU virtual, TSR illegal in HS, VTSR virtual in VS', () => {
    expect(causeOf('U', A.sret())).toBe(ILLEGAL);
    expect(causeOf('VU', A.sret())).toBe(VIRTUAL);
    expect(causeOf('HS', A.sret(), { [CSR.MSTATUS]: 1 << 22 })).toBe(ILLEGAL);
    expect(causeOf('VS', A.sret(), { [CSR.HSTATUS]: 1 << 22 })).toBe(VIRTUAL);
    expect(causeOf('VS', A.mret())).toBe(ILLEGAL);
  });

  it('SFENCE.VMA and HFENCE: TVM, VTVM and V=1 rules', () => {
    expect(causeOf('HS', A.sfenceVma(0, 0), { [CSR.MSTATUS]: 1 << 20 })).toBe(ILLEGAL);
    expect(causeOf('VS', A.sfenceVma(0, 0), { [CSR.HSTATUS]: 1 << 20 })).toBe(VIRTUAL);
    expect(causeOf('VU', A.sfenceVma(0, 0))).toBe(VIRTUAL);
    expect(causeOf('HS', A.hfenceGvma(0, 0))).toBe('ok');
    expect(causeOf('HS', A.hfenceGvma(0, 0), { [CSR.MSTATUS]: 1 << 20 })).toBe(ILLEGAL);
    expect(causeOf('VS', A.hfenceGvma(0, 0))).toBe(VIRTUAL);
    expect(causeOf('U', A.hfenceGvma(0, 0), { [CSR.HSTATUS]: 1 << 9 })).toBe(ILLEGAL);
  });

  it('HLV: V=1 virtual, U illegal unless hstatus.HU', () => {
    expect(causeOf('VS', A.hlvW(5, 0))).toBe(VIRTUAL);
    expect(causeOf('U', A.hlvW(5, 0))).toBe(ILLEGAL);
    // With HU the access itself proceeds (and faults as a guest access to address 0 here).
    expect(causeOf('U', A.hlvW(5, 0), { [CSR.HSTATUS]: 1 << 9 })).toBe(5);
  });

  it('MRET returns to MPP with MPV, restores MIE from MPIE and clears MPRV below M', () => {
    const r = inMode('M', [A.mret()], {
      [CSR.MSTATUS]: (1 << 11) | (1 << 7) | (1 << 17),
      [CSR.MSTATUSH]: 1 << 7,
      [CSR.MEPC]: BASE + 0x40,
    });
    expect([r.h.priv, r.h.virt, r.h.pc >>> 0]).toEqual([1, 1, BASE + 0x40]);
    expect(readCsr(r.h, CSR.MSTATUS) & ((1 << 3) | (1 << 7) | (3 << 11) | (1 << 17))).toBe(
      (1 << 3) | (1 << 7),
    );
    expect(readCsr(r.h, CSR.MSTATUSH) & (1 << 7)).toBe(0);
  });
});

describe('interrupts', () => {
  it('vectored mtvec jumps to base + 4 * cause; direct mode to base', () => {
    const on = { [CSR.MIE]: 1 << 3, [CSR.MSTATUS]: 1 << 3 };
    let r = inMode(
      'M',
      [A.addi(0, 0, 0), A.addi(0, 0, 0)],
      { ...on, [CSR.MIP]: 0, [CSR.MTVEC]: HANDLER | 1 },
      1,
    );
    expect(r.h.pc >>> 0).toBe(BASE + 4);
    r = inMode(
      'HS',
      [A.addi(0, 0, 0)],
      { [CSR.MIE]: 1 << 1, [CSR.MIP]: 1 << 1, [CSR.MTVEC]: HANDLER | 1 },
      1,
    );
    expect([r.h.pc >>> 0, readCsr(r.h, CSR.MCAUSE) >>> 0]).toEqual([HANDLER + 4, 0x8000_0001]);
    r = inMode('HS', [A.addi(0, 0, 0)], { [CSR.MIE]: 1 << 1, [CSR.MIP]: 1 << 1 }, 1);
    expect(r.h.pc >>> 0).toBe(HANDLER);
  });

  it('M-level interrupts are masked in M by MIE only; lower modes always take them', () => {
    expect(inMode('M', [A.addi(0, 0, 0)], { [CSR.MIE]: 1 << 1, [CSR.MIP]: 1 << 1 }, 1).trapped).toBe(false);
    expect(inMode('U', [A.addi(0, 0, 0)], { [CSR.MIE]: 1 << 1, [CSR.MIP]: 1 << 1 }, 1).trapped).toBe(true);
  });

  it('priority: SEI before SSI before STI within one level', () => {
    const r = inMode('U', [A.addi(0, 0, 0)], { [CSR.MIE]: 0x222, [CSR.MIP]: 0x222 }, 1);
    expect(readCsr(r.h, CSR.MCAUSE) >>> 0).toBe(0x8000_0009);
  });

  it('hvip injects VS interrupts that arrive in VS as S-level causes', () => {
    const r = inMode(
      'VU',
      [A.addi(0, 0, 0), A.addi(0, 0, 0)],
      {
        [CSR.HIDELEG]: 0x444,
        [CSR.HVIP]: 1 << 6,
        [CSR.MIE]: 1 << 6,
        [CSR.VSTVEC]: BASE + 0x900,
      },
      1,
    );
    expect([r.h.priv, r.h.virt, r.h.pc >>> 0]).toEqual([1, 1, BASE + 0x900]);
    expect(readCsr(r.h, CSR.VSCAUSE) >>> 0).toBe(0x8000_0005);
    expect(r.h.csr[SLOT.VSEPC]! >>> 0).toBe(BASE);
  });

  it('a VS interrupt not delegated by hideleg goes to HS even from VS with SIE clear', () => {
    const r = inMode(
      'VS',
      [A.addi(0, 0, 0)],
      { [CSR.HVIP]: 1 << 2, [CSR.MIE]: 1 << 2, [CSR.STVEC]: BASE + 0x900 },
      1,
    );
    expect([r.h.priv, r.h.virt, readCsr(r.h, CSR.SCAUSE) >>> 0]).toEqual([1, 0, 0x8000_0002]);
  });

  it('WFI waits until an interrupt is pending and enabled in mie, even with MIE clear', () => {
    const r = inMode('M', [A.wfi(), A.addi(6, 0, 1)], {}, 10);
    expect([r.h.waiting, r.h.x[6]]).toEqual([true, 0]);
  });
});
