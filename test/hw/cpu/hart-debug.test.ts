// The debugger attachment (breakpoints, single step, trace ring, register and CSR access) and
// hart snapshots: a state saved mid-run and restored reproduces the same continuation.
import { describe, expect, it } from 'vitest';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { HartDebug } from '../../../core/hw/cpu/hart-debug';
import { A, BASE, boardWith, li } from './asm';

const LOOP = [A.addi(6, 6, 1), A.addi(7, 7, 2), A.jal(0, -8)];

describe('HartDebug', () => {
  it('stops before a breakpoint, continues past it, and single-steps', () => {
    const board = boardWith(LOOP);
    const h = board.harts[0]!;
    const dbg = new HartDebug(h);
    dbg.breakpoints.add(BASE + 4);
    expect(dbg.continue(100)).toEqual({ reason: 'breakpoint', retired: 1 });
    expect(h.pc >>> 0).toBe(BASE + 4);
    expect(dbg.continue(100)).toEqual({ reason: 'breakpoint', retired: 3 });
    dbg.breakpoints.clear();
    expect(dbg.step()).toBe(1);
    expect([h.pc >>> 0, dbg.readRegister(7)]).toEqual([BASE + 8, 4]);
  });

  it('records a bounded trace of pc, instruction and mode', () => {
    const board = boardWith(LOOP);
    const dbg = new HartDebug(board.harts[0]!, 4);
    dbg.tracing = true;
    board.run(6);
    const trace = dbg.trace();
    expect(trace.map((t) => t.pc - BASE)).toEqual([8, 0, 4, 8]);
    expect(trace[1]).toEqual({ pc: BASE, insn: LOOP[0], priv: 3, virt: 0 });
    dbg.clearTrace();
    expect(dbg.trace()).toEqual([]);
  });

  it('reads and writes registers and CSRs, refusing x0 and unknown CSRs', () => {
    const board = boardWith(LOOP);
    const dbg = new HartDebug(board.harts[0]!);
    dbg.writeRegister(5, -1);
    expect(dbg.readRegister(5)).toBe(0xffff_ffff);
    dbg.writeCsr(CSR.MSCRATCH, 0x1234);
    expect(dbg.readCsr(CSR.MSCRATCH)).toBe(0x1234);
    expect(dbg.readCsr(CSR.MISA)).toBe(0x4014_1181);
    expect(() => dbg.writeRegister(0, 1)).toThrow(RangeError);
    expect(() => dbg.readCsr(0x7a0)).toThrow(RangeError);
    dbg.detach();
    expect(board.harts[0]!.debug).toBeNull();
  });
});

describe('hart snapshots', () => {
  it('restoring a saved state replays the same run', () => {
    const prog = [
      ...li(1, BASE + 0x1000),
      A.addi(6, 6, 3),
      A.sw(6, 1, 0),
      A.csrrs(8, CSR.MINSTRET, 0),
      A.jal(0, -12),
    ];
    const board = boardWith(prog);
    const h = board.harts[0]!;
    board.run(50);
    const saved = h.saveState();
    board.run(37);
    const after = { x: h.x.slice(), pc: h.pc, instret: h.counterValue(true) };
    h.loadState(saved);
    board.run(37);
    expect({ x: h.x.slice(), pc: h.pc, instret: h.counterValue(true) }).toEqual(after);
  });

  it('rejects a state of the wrong shape', () => {
    const h = boardWith(LOOP).harts[0]!;
    const s = h.saveState();
    expect(() => h.loadState({ ...s, csr: new Int32Array(3) })).toThrow(RangeError);
  });
});

describe('breakpoints on the board', () => {
  it('board.run stops at a breakpoint and the next run continues past it', () => {
    const board = boardWith(LOOP);
    const dbg = new HartDebug(board.harts[0]!);
    dbg.breakpoints.add(BASE + 8);
    expect(board.run(100)).toBe(2);
    expect(board.breakpointHart).toBe(board.harts[0]);
    expect(board.harts[0]!.pc >>> 0).toBe(BASE + 8);
    expect(board.run(100)).toBe(3);
    expect(board.harts[0]!.pc >>> 0).toBe(BASE + 8);
    dbg.breakpoints.clear();
    expect(board.run(100)).toBe(100);
    expect(board.breakpointHart).toBeNull();
  });
});
