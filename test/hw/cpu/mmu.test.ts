// Sv32 and two-stage (VS-stage Sv32 + G-stage Sv32x4) translation edge cases, checked against
// the privileged spec 1.12 (sections 4.3.1-4.3.2 for Sv32, 8.5 for two-stage translation, 8.6.3
// for htval/htinst and the implicit-walk pseudo-instructions). Data accesses run in M-mode with
// MPRV so code needs no mapping; fetch cases run in S-mode on an identity megapage.
import { describe, expect, it } from 'vitest';
import { writeCsr } from '../../../core/hw/cpu/csr-file';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import { PTE } from '../../../core/spec/riscv-priv';
import type { VirtBoard } from '../../../core/hw/virt-board';
import { A, BASE, boardWith, li, peek, poke } from './asm';

const ROOT = BASE + 0x10_0000; // VS/S root table
const L0 = BASE + 0x10_1000;
const G_ROOT = BASE + 0x20_0000; // 16 KiB aligned Sv32x4 root
const G_L0 = BASE + 0x20_4000;
const DATA = BASE + 0x30_0000;
const HANDLER = BASE + 0x800;
const RWX_AD = PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D;

const leaf = (pa: number, flags: number): number => (((pa >>> 12) << 10) | flags) >>> 0;
const pointer = (pa: number): number => (((pa >>> 12) << 10) | PTE.V) >>> 0;
const l1Index = (va: number): number => va >>> 22;
const l0Index = (va: number): number => (va >>> 12) & 0x3ff;

interface Mode {
  mpp: number;
  mpv?: boolean;
  mstatus?: number;
  vsstatus?: number;
  satp?: boolean;
  vsatp?: boolean;
  hgatp?: boolean;
}

function machine(): VirtBoard {
  const words: number[] = [];
  while (words.length <= 0x200) words.push(A.halt());
  const board = boardWith(words);
  return board;
}

/** Run `insns` at BASE in M-mode with MPRV so loads/stores use `mode`; traps land in a halt loop. */
function run(board: VirtBoard, insns: number[], mode: Mode) {
  const h = board.harts[0]!;
  const words = [...insns, A.halt()];
  words.forEach((w, k) => poke(board, BASE + 4 * k, w));
  h.reset(BASE);
  writeCsr(h, CSR.PMPADDR0, -1);
  writeCsr(h, CSR.PMPCFG0, 0x1f);
  writeCsr(h, CSR.MTVEC, HANDLER);
  writeCsr(h, CSR.MSTATUS, (mode.mstatus ?? 0) | (1 << 17) | (mode.mpp << 11));
  if (mode.mpv === true) writeCsr(h, CSR.MSTATUSH, 1 << 7);
  if (mode.vsstatus !== undefined) writeCsr(h, CSR.VSSTATUS, mode.vsstatus);
  if (mode.satp === true) writeCsr(h, CSR.SATP, 0x8000_0000 | (ROOT >>> 12) | 0);
  if (mode.vsatp === true) writeCsr(h, CSR.VSATP, 0x8000_0000 | ((ROOT - 0) >>> 12) | 0);
  if (mode.hgatp === true) writeCsr(h, CSR.HGATP, 0x8000_0000 | (G_ROOT >>> 12) | 0);
  board.run(words.length + 4);
  const c = h.csr;
  return {
    h,
    trapped: h.pc >>> 0 === HANDLER,
    mcause: c[SLOT.MCAUSE]!,
    mtval: c[SLOT.MTVAL]! >>> 0,
    mtval2: c[SLOT.MTVAL2]! >>> 0,
    mtinst: c[SLOT.MTINST]! >>> 0,
    gva: (c[SLOT.MSTATUSH]! >>> 6) & 1,
    mpv: (c[SLOT.MSTATUSH]! >>> 7) & 1,
  };
}

function clearTables(board: VirtBoard): void {
  board.bus.writeBytes(ROOT, new Uint8Array(0x2000));
  board.bus.writeBytes(G_ROOT, new Uint8Array(0x5000));
}

describe('Sv32', () => {
  it('a 4 KiB leaf translates and the walk sets A on a load, D on a store', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    poke(board, ROOT + 4 * l1Index(va), pointer(L0));
    poke(board, L0 + 4 * l0Index(va), leaf(DATA, PTE.V | PTE.R | PTE.W));
    poke(board, DATA + 8, 0xcafe_f00d);
    let t = run(board, [...li(1, va), A.lw(2, 1, 8)], { mpp: 1, satp: true });
    expect(t.trapped).toBe(false);
    expect(t.h.x[2]! >>> 0).toBe(0xcafe_f00d);
    expect(peek(board, L0 + 4 * l0Index(va)) & (PTE.A | PTE.D)).toBe(PTE.A);
    t = run(board, [...li(1, va), ...li(3, 77), A.sw(3, 1, 12)], { mpp: 1, satp: true });
    expect(t.trapped).toBe(false);
    expect(peek(board, DATA + 12)).toBe(77);
    expect(peek(board, L0 + 4 * l0Index(va)) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
  });

  it('a megapage maps 4 MiB; a misaligned megapage is a page fault', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4040_0000;
    poke(board, ROOT + 4 * l1Index(va), leaf(BASE + 0x40_0000, RWX_AD));
    poke(board, BASE + 0x40_0000 + 0x12_3454, 5);
    expect(run(board, [...li(1, va + 0x12_3454), A.lw(2, 1, 0)], { mpp: 1, satp: true }).h.x[2]).toBe(5);
    poke(board, ROOT + 4 * l1Index(va), leaf(BASE + 0x40_1000, RWX_AD));
    const t = run(board, [...li(1, va + 0x10), A.lw(2, 1, 0)], { mpp: 1, satp: true });
    expect([t.trapped, t.mcause, t.mtval]).toEqual([true, 13, va + 0x10]);
  });

  it('SUM gates S-mode data access to U pages; MXR makes execute-only pages readable', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    poke(board, ROOT + 4 * l1Index(va), pointer(L0));
    poke(board, L0, leaf(DATA, PTE.V | PTE.R | PTE.U | PTE.A));
    poke(board, L0 + 4, leaf(DATA, PTE.V | PTE.X | PTE.A));
    expect(run(board, [...li(1, va), A.lw(2, 1, 0)], { mpp: 1, satp: true }).mcause).toBe(13);
    expect(run(board, [...li(1, va), A.lw(2, 1, 0)], { mpp: 1, satp: true, mstatus: 1 << 18 }).trapped).toBe(
      false,
    );
    expect(run(board, [...li(1, va), A.lw(2, 1, 0)], { mpp: 0, satp: true }).trapped).toBe(false);
    expect(run(board, [...li(1, va + 0x1000), A.lw(2, 1, 0)], { mpp: 1, satp: true }).mcause).toBe(13);
    expect(
      run(board, [...li(1, va + 0x1000), A.lw(2, 1, 0)], { mpp: 1, satp: true, mstatus: 1 << 19 }).trapped,
    ).toBe(false);
  });

  it('W without R is reserved: page fault even for a store', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    poke(board, ROOT + 4 * l1Index(va), pointer(L0));
    poke(board, L0, leaf(DATA, PTE.V | PTE.W | PTE.A | PTE.D));
    const t = run(board, [...li(1, va), A.sw(0, 1, 0)], { mpp: 1, satp: true });
    expect([t.mcause, t.mtval]).toEqual([15, va]);
  });

  it('a misaligned load crossing into an unmapped page faults with that page in mtval', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    poke(board, ROOT + 4 * l1Index(va), pointer(L0));
    poke(board, L0, leaf(DATA, PTE.V | PTE.R | PTE.A));
    const t = run(board, [...li(1, va + 0xffe), A.lw(2, 1, 0)], { mpp: 1, satp: true });
    expect([t.mcause, t.mtval]).toEqual([13, va + 0x1000]);
  });

  it('S-mode fetch: across a page into an unmapped page, and from a U page even with SUM', () => {
    const board = machine();
    clearTables(board);
    const h = board.harts[0]!;
    const code = 0x4000_0ff8;
    poke(board, ROOT + 4 * l1Index(BASE), leaf(BASE, RWX_AD));
    poke(board, ROOT + 4 * l1Index(code), pointer(L0));
    poke(board, L0, leaf(DATA, RWX_AD));
    poke(board, DATA + 0xff8, A.addi(5, 0, 1));
    poke(board, DATA + 0xffc, A.addi(6, 0, 2));
    const enter = [...li(1, code), A.csrrw(0, CSR.MEPC, 1), A.mret()];
    let t = run(board, enter, { mpp: 1, satp: true });
    expect([t.trapped, t.mcause, t.mtval, h.csr[SLOT.MEPC]! >>> 0]).toEqual([
      true,
      12,
      0x4000_1000,
      0x4000_1000,
    ]);
    expect([h.x[5], h.x[6]]).toEqual([1, 2]);
    poke(board, L0, leaf(DATA, RWX_AD | PTE.U));
    t = run(board, enter, { mpp: 1, satp: true, mstatus: 1 << 18 });
    expect([t.mcause, t.mtval]).toEqual([12, code]);
  });
});

describe('two-stage translation (V=1)', () => {
  /** G-stage: identity 4 MiB leaf for the code megapage and the data megapage, U=1. */
  function gIdentity(board: VirtBoard, pa: number, flags = RWX_AD | PTE.U): void {
    poke(board, G_ROOT + 4 * (pa >>> 22), leaf(pa & 0xffc0_0000, flags));
  }

  it('G-stage only: a leaf without U is a load guest-page fault with GPA>>2 and the transformed load', () => {
    const board = machine();
    clearTables(board);
    gIdentity(board, DATA, RWX_AD);
    const load = A.lw(2, 1, 0x10);
    const t = run(board, [...li(1, DATA), load], { mpp: 1, mpv: true, hgatp: true });
    expect([t.trapped, t.mcause, t.mtval, t.mtval2]).toEqual([true, 21, DATA + 0x10, (DATA + 0x10) >>> 2]);
    expect(t.mtinst).toBe(load & 0x7fff);
    // The trap comes from M-mode (MPRV made only the access virtual): MPV records V=0.
    expect([t.gva, t.mpv]).toEqual([1, 0]);
    gIdentity(board, DATA);
    poke(board, DATA + 0x10, 1234);
    expect(run(board, [...li(1, DATA), load], { mpp: 1, mpv: true, hgatp: true }).h.x[2]).toBe(1234);
  });

  it('a store guest-page fault reports the store with zeroed offset fields', () => {
    const board = machine();
    clearTables(board);
    gIdentity(board, DATA, PTE.V | PTE.R | PTE.U | PTE.A);
    const store = A.sw(3, 1, 0x24);
    const t = run(board, [...li(1, DATA), store], { mpp: 1, mpv: true, hgatp: true });
    expect([t.mcause, t.mtval2]).toEqual([23, (DATA + 0x24) >>> 2]);
    expect(t.mtinst).toBe(store & 0x01f0_707f);
  });

  it('GPAs above 4 GiB use the upper pages of the 16 KiB root', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    const gpa = 0x2_4000_0000; // VS leaf PPN with bits above 32-bit space
    gIdentity(board, ROOT);
    poke(board, ROOT + 4 * l1Index(va), pointer(L0));
    poke(board, L0, ((Math.floor(gpa / 4096) << 10) | PTE.V | PTE.R | PTE.W | PTE.A | PTE.D) >>> 0);
    const vpn1 = Math.floor(gpa / 4096 / 1024); // 0x900: root page 2, entry 0x100
    poke(board, G_ROOT + 4 * vpn1, pointer(G_L0));
    poke(board, G_L0 + 4 * ((gpa / 4096) & 0x3ff), leaf(DATA, RWX_AD | PTE.U));
    poke(board, DATA + 4, 0x5151);
    const t = run(board, [...li(1, va), A.lw(2, 1, 4)], { mpp: 1, mpv: true, vsatp: true, hgatp: true });
    expect(t.trapped).toBe(false);
    expect(t.h.x[2]).toBe(0x5151);
  });

  it('a G-stage fault on the implicit VS page-table read gives the pseudo-instruction 0x2000', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    // Root table's GPA is not mapped in the G-stage at all.
    const t = run(board, [...li(1, va), A.lw(2, 1, 0)], { mpp: 1, mpv: true, vsatp: true, hgatp: true });
    expect([t.mcause, t.mtval, t.mtval2, t.mtinst, t.gva]).toEqual([
      21,
      va,
      (ROOT + 4 * l1Index(va)) >>> 2,
      0x2000,
      1,
    ]);
  });

  it('the VS-stage A/D update is a G-stage write: read-only table pages give 0x2020', () => {
    const board = machine();
    clearTables(board);
    const va = 0x4000_0000;
    const data = BASE + 0x40_0000; // a megapage of its own, writable
    gIdentity(board, ROOT, PTE.V | PTE.R | PTE.U | PTE.A);
    gIdentity(board, data);
    poke(board, ROOT + 4 * l1Index(va), pointer(L0));
    poke(board, L0, leaf(data, PTE.V | PTE.R)); // A clear: the walk must write it
    const t = run(board, [...li(1, va), A.lw(2, 1, 0)], { mpp: 1, mpv: true, vsatp: true, hgatp: true });
    expect([t.mcause, t.mtval2, t.mtinst]).toEqual([21, L0 >>> 2, 0x2020]);
  });

  it('VS-stage page faults are ordinary page faults with GVA set', () => {
    const board = machine();
    clearTables(board);
    gIdentity(board, ROOT);
    const t = run(board, [...li(1, 0x4000_0000), A.lw(2, 1, 0)], {
      mpp: 1,
      mpv: true,
      vsatp: true,
      hgatp: true,
    });
    expect([t.mcause, t.mtval, t.mtval2, t.gva, t.mpv]).toEqual([13, 0x4000_0000, 0, 1, 0]);
  });

  it('HLV.W and HLVX.WU from HS-mode use hstatus.SPVP; HLVX needs execute permission', () => {
    const board = machine();
    clearTables(board);
    gIdentity(board, DATA, PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D);
    poke(board, DATA, 0x77);
    const h = board.harts[0]!;
    // Enter HS-mode (MPP=S, MPV=0) at the HLV code placed after the mret.
    const body = [A.hlvW(2, 1), A.hlvxWu(3, 1)];
    const prog = [...li(1, DATA), ...li(4, BASE + 6 * 4), A.csrrw(0, CSR.MEPC, 4), A.mret(), ...body];
    prog.forEach((w, k) => poke(board, BASE + 4 * k, w));
    h.reset(BASE);
    writeCsr(h, CSR.PMPADDR0, -1);
    writeCsr(h, CSR.PMPCFG0, 0x1f);
    writeCsr(h, CSR.MTVEC, HANDLER);
    writeCsr(h, CSR.MSTATUS, 1 << 11);
    writeCsr(h, CSR.HGATP, 0x8000_0000 | (G_ROOT >>> 12) | 0);
    writeCsr(h, CSR.HSTATUS, 1 << 8);
    board.run(12);
    expect(h.x[2]).toBe(0x77);
    expect(h.pc >>> 0).toBe(HANDLER);
    expect([h.csr[SLOT.MCAUSE], h.csr[SLOT.MTVAL]! >>> 0, (h.csr[SLOT.MSTATUSH]! >>> 6) & 1]).toEqual([
      21,
      DATA,
      1,
    ]);
  });
});

describe('PMP and the TLB', () => {
  it('a page split by an NA4 entry is never cached: the next word still faults', () => {
    const board = machine();
    const h = board.harts[0]!;
    const code = BASE + 0x40_0000;
    poke(board, code, A.addi(6, 0, 1));
    poke(board, code + 4, A.addi(7, 0, 1));
    const enter = [...li(1, code), A.csrrw(0, CSR.MEPC, 1), A.mret()];
    enter.forEach((w, k) => poke(board, BASE + 4 * k, w));
    h.reset(BASE);
    writeCsr(h, CSR.PMPADDR0, code >>> 2);
    writeCsr(h, CSR.PMPADDR0 + 1, -1);
    writeCsr(h, CSR.PMPCFG0, 0x10 | 4 | ((0x18 | 3) << 8)); // NA4 X at code, then NAPOT RW
    writeCsr(h, CSR.MTVEC, HANDLER);
    board.run(8);
    expect([h.x[6], h.x[7], h.csr[SLOT.MCAUSE], h.csr[SLOT.MTVAL]! >>> 0]).toEqual([1, 0, 1, code + 4]);
  });
});
