// Decode and execute of RV32IMA on the hart, checked against the unprivileged spec's
// definitions computed independently here with BigInt (chapters 2, 7, 8).
import { describe, expect, it } from 'vitest';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import { A, BASE, boardWith, li, load, peek, poke } from './asm';

const u = (v: number): bigint => BigInt(v >>> 0);
const sgn = (v: number): bigint => BigInt(v | 0);
const lo32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** Spec semantics of the OP instructions, written from the spec text with BigInt. */
const REFERENCE: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => lo32(sgn(a) + sgn(b)),
  sub: (a, b) => lo32(sgn(a) - sgn(b)),
  sll: (a, b) => lo32(u(a) << BigInt(b & 31)),
  srl: (a, b) => lo32(u(a) >> BigInt(b & 31)),
  sra: (a, b) => lo32(sgn(a) >> BigInt(b & 31)),
  slt: (a, b) => (sgn(a) < sgn(b) ? 1 : 0),
  sltu: (a, b) => (u(a) < u(b) ? 1 : 0),
  mul: (a, b) => lo32(sgn(a) * sgn(b)),
  mulh: (a, b) => lo32((sgn(a) * sgn(b)) >> 32n),
  mulhsu: (a, b) => lo32((sgn(a) * u(b)) >> 32n),
  mulhu: (a, b) => lo32((u(a) * u(b)) >> 32n),
  div: (a, b) => (b === 0 ? -1 : a === -0x8000_0000 && b === -1 ? a : lo32(sgn(a) / sgn(b))),
  divu: (a, b) => (b === 0 ? -1 : lo32(u(a) / u(b))),
  rem: (a, b) => (b === 0 ? a : a === -0x8000_0000 && b === -1 ? 0 : lo32(sgn(a) % sgn(b))),
  remu: (a, b) => (b === 0 ? a : lo32(u(a) % u(b))),
};

const VALUES = [
  0, 1, -1, 2, 0x7fff_ffff, -0x8000_0000, 0x1234_5678, -0x0123_4568, 0xffff, 0x10000, 31, 33, -7,
];

const opBoard = boardWith([A.halt()]);

function runOp(name: string, a: number, b: number): number {
  load(opBoard, [...li(1, a), ...li(2, b), A.op(name, 3, 1, 2), A.halt()]);
  opBoard.run(6);
  return opBoard.harts[0]!.x[3]!;
}

/** Sets mtvec to a halt loop at BASE+0x800 and runs `body` from BASE; returns the hart after the trap. */
function trapOf(body: number[], budget = 50) {
  const words = [...li(5, BASE + 0x800), A.csrrw(0, CSR.MTVEC, 5), ...body, A.halt()];
  while (words.length <= 0x200) words.push(A.halt());
  const board = boardWith(words);
  board.run(budget);
  const h = board.harts[0]!;
  return {
    h,
    board,
    mcause: h.csr[SLOT.MCAUSE]!,
    mtval: h.csr[SLOT.MTVAL]! >>> 0,
    mepc: h.csr[SLOT.MEPC]! >>> 0,
  };
}

describe('RV32IM arithmetic', () => {
  for (const name of Object.keys(REFERENCE)) {
    it(`${name} matches the spec on edge values`, () => {
      for (const a of VALUES)
        for (const b of VALUES) expect(runOp(name, a, b), `${name} ${a} ${b}`).toBe(REFERENCE[name]!(a, b));
    });
  }

  it('immediate shifts and x0 as a sink', () => {
    const board = boardWith([
      ...li(1, -0x8000_0000),
      A.srai(2, 1, 31),
      A.srli(3, 1, 31),
      A.slli(4, 1, 1),
      A.addi(0, 0, 5),
      A.halt(),
    ]);
    board.run(6);
    const x = board.harts[0]!.x;
    expect([x[2], x[3], x[4], x[0]]).toEqual([-1, 1, 0, 0]);
  });

  it('auipc, jal and jalr link pc+4 and jump', () => {
    const board = boardWith([A.auipc(1, 1), A.jal(2, 8), A.halt(), A.jalr(3, 2, 8), A.halt(), A.halt()]);
    board.run(3);
    const h = board.harts[0]!;
    expect(h.x[1]! >>> 0).toBe(BASE + 0x1000);
    expect(h.x[2]! >>> 0).toBe(BASE + 8);
    expect(h.x[3]! >>> 0).toBe(BASE + 16);
    expect(h.pc >>> 0).toBe(BASE + 16);
  });
});

describe('illegal encodings trap with the instruction in mtval', () => {
  const cases: [string, number][] = [
    ['all zeros', 0x0000_0000],
    ['all ones', 0xffff_ffff],
    ['slli with funct7 set', A.slli(1, 1, 3) | (1 << 25)],
    ['srli with funct7 0x10', A.srli(1, 1, 3) | (0x10 << 25)],
    ['OP with funct7 0x40', A.op('add', 1, 1, 1) | (0x40 << 25)],
    ['jalr with funct3 1', A.jalr(1, 1, 0) | (1 << 12)],
    ['branch funct3 2', A.beq(0, 0, 8) | (2 << 12)],
    ['RV64 ld', A.lw(1, 0, 0) | (3 << 12)],
    ['RV64 sd', A.sw(1, 0, 0) | (3 << 12)],
    ['lr.w with rs2', A.lr(1, 2) | (1 << 20)],
    ['amo with funct3 3 (RV64)', A.amo(0, 1, 2, 3) ^ (1 << 12)],
    ['uret', 0x0020_0073],
    ['misc-mem funct3 2', 0x0000_200f],
  ];
  for (const [name, insn] of cases) {
    it(name, () => {
      const t = trapOf([insn]);
      expect(t.mcause).toBe(2);
      expect(t.mtval).toBe(insn >>> 0);
      expect(t.mepc).toBe(BASE + 12);
    });
  }
});

describe('control transfer and memory edge cases', () => {
  it('a misaligned jal target traps with the target in mtval and does not link', () => {
    const t = trapOf([A.jal(1, 6)]);
    expect([t.mcause, t.mtval, t.mepc]).toEqual([0, BASE + 12 + 6, BASE + 12]);
    expect(t.h.x[1]).toBe(0);
  });

  it('a not-taken misaligned branch does not trap', () => {
    const t = trapOf([...li(1, 1), A.beq(1, 0, 6), A.addi(2, 0, 7)]);
    expect(t.h.x[2]).toBe(7);
    expect(t.h.pc >>> 0).not.toBe(BASE + 0x800);
  });

  it('misaligned loads and stores are performed, as on QEMU', () => {
    const board = boardWith([
      ...li(1, BASE + 0x1001),
      ...li(2, 0x11223344),
      A.sw(2, 1, 0),
      A.lw(3, 1, 0),
      A.lh(4, 1, 1),
      A.halt(),
    ]);
    board.run(8);
    expect(peek(board, BASE + 0x1000)).toBe(0x22334400);
    expect(peek(board, BASE + 0x1004)).toBe(0x11);
    expect(board.harts[0]!.x[3]).toBe(0x11223344);
    expect(board.harts[0]!.x[4]).toBe(0x2233);
  });

  it('LR/SC succeed once, then SC without a reservation fails', () => {
    const board = boardWith([
      ...li(1, BASE + 0x1000),
      ...li(2, 99),
      A.lr(3, 1),
      A.sc(4, 1, 2),
      A.sc(5, 1, 2),
      A.halt(),
    ]);
    poke(board, BASE + 0x1000, 42);
    board.run(7);
    const x = board.harts[0]!.x;
    expect([x[3], x[4], x[5]]).toEqual([42, 0, 1]);
    expect(peek(board, BASE + 0x1000)).toBe(99);
  });

  const amos: [string, number, (m: number, s: number) => number][] = [
    ['amoswap', 0x01, (_m, s) => s],
    ['amoadd', 0x00, (m, s) => (m + s) | 0],
    ['amoxor', 0x04, (m, s) => m ^ s],
    ['amoand', 0x0c, (m, s) => m & s],
    ['amoor', 0x08, (m, s) => m | s],
    ['amomin', 0x10, (m, s) => Math.min(m, s)],
    ['amomax', 0x14, (m, s) => Math.max(m, s)],
    ['amominu', 0x18, (m, s) => (m >>> 0 < s >>> 0 ? m : s)],
    ['amomaxu', 0x1c, (m, s) => (m >>> 0 > s >>> 0 ? m : s)],
  ];
  for (const [name, f5, f] of amos) {
    it(`${name} returns the old value and stores the result`, () => {
      for (const [m, s] of [
        [5, -3],
        [-0x8000_0000, 7],
        [0x7fff_ffff, -1],
      ] as const) {
        const board = boardWith([...li(1, BASE + 0x1000), ...li(2, s), A.amo(f5, 3, 1, 2), A.halt()]);
        poke(board, BASE + 0x1000, m);
        board.run(5);
        expect(board.harts[0]!.x[3]).toBe(m);
        expect(peek(board, BASE + 0x1000) | 0).toBe(f(m, s));
      }
    });
  }

  it('misaligned AMO raises store/AMO misaligned, misaligned LR raises load misaligned', () => {
    expect(trapOf([...li(1, BASE + 0x1002), A.amo(0, 3, 1, 1)]).mcause).toBe(6);
    expect(trapOf([...li(1, BASE + 0x1002), A.lr(3, 1)]).mcause).toBe(4);
  });

  it('a store then FENCE.I executes the new instruction', () => {
    // Overwrite the halt at word 6 with "addi x7, x0, 9".
    const board = boardWith([
      ...li(1, BASE + 24),
      ...li(2, A.addi(7, 0, 9)),
      A.sw(2, 1, 0),
      A.fenceI(),
      A.halt(),
      A.halt(),
    ]);
    board.run(8);
    expect(board.harts[0]!.x[7]).toBe(9);
  });

  it('an access to unmapped space is an access fault', () => {
    const t = trapOf([...li(1, 0x4000_0000), A.lw(2, 1, 0)]);
    expect([t.mcause, t.mtval]).toEqual([5, 0x4000_0000]);
  });
});
