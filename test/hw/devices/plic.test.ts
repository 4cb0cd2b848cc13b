// PLIC against the RISC-V PLIC spec 1.0.0 and QEMU virt's layout: priorities, pending bits,
// per-context enables and thresholds, claim/complete with the level gateway, outputs per
// context, unknown offsets logged, state round trip.
import { describe, expect, it } from 'vitest';
import type { AccessWidth } from '../../../core/hw/device';
import { Plic } from '../../../core/hw/devices/plic';
import { PLIC } from '../../../core/spec/plic';

function setup(harts = 2) {
  const outputs: Array<[number, boolean]> = [];
  const unknown: Array<[string, number, AccessWidth]> = [];
  const plic = new Plic(harts, (c, l) => outputs.push([c, l]), {
    unknownAccess: (_d, kind, offset, width) => unknown.push([kind, offset, width]),
  });
  const ctx = (c: number) => PLIC.CONTEXT_BASE + c * PLIC.CONTEXT_STRIDE;
  return {
    plic,
    outputs,
    unknown,
    prio: (s: number, p: number) => plic.write(4 * s, 4, p),
    enable: (c: number, s: number) =>
      plic.write(
        PLIC.ENABLE_BASE + c * 0x80 + 4 * (s >> 5),
        4,
        plic.read(PLIC.ENABLE_BASE + c * 0x80 + 4 * (s >> 5), 4) | (1 << (s & 31)),
      ),
    threshold: (c: number, t: number) => plic.write(ctx(c), 4, t),
    claim: (c: number) => plic.read(ctx(c) + 4, 4),
    complete: (c: number, s: number) => plic.write(ctx(c) + 4, 4, s),
  };
}

describe('PLIC', () => {
  it('masks priorities to 3 bits and shows pending bits by word', () => {
    const t = setup();
    t.prio(10, 0xff);
    expect(t.plic.read(40, 4)).toBe(7);
    t.plic.irqLine(10)(true);
    t.plic.irqLine(33)(true);
    expect(t.plic.read(PLIC.PENDING_BASE, 4)).toBe(1 << 10);
    expect(t.plic.read(PLIC.PENDING_BASE + 4, 4)).toBe(1 << 1);
    t.plic.irqLine(33)(false);
    expect(t.plic.read(PLIC.PENDING_BASE + 4, 4)).toBe(0);
  });

  it('claims the highest priority first, lowest ID on ties, and respects the threshold', () => {
    const t = setup();
    for (const s of [3, 5, 7]) {
      t.enable(1, s);
      t.plic.irqLine(s)(true);
    }
    t.prio(3, 2);
    t.prio(5, 4);
    t.prio(7, 4);
    expect(t.plic.outputLevel(1)).toBe(true);
    expect(t.plic.outputLevel(0)).toBe(false);
    t.threshold(1, 4);
    expect(t.plic.outputLevel(1)).toBe(false);
    expect(t.claim(1)).toBe(0);
    t.threshold(1, 1);
    expect(t.claim(1)).toBe(5);
    expect(t.claim(1)).toBe(7);
    expect(t.claim(1)).toBe(3);
    expect(t.claim(1)).toBe(0);
    expect(t.plic.outputLevel(1)).toBe(false);
  });

  it('priority 0 never interrupts, and only enabled contexts see a source', () => {
    const t = setup();
    t.enable(2, 9);
    t.plic.irqLine(9)(true);
    expect(t.plic.outputLevel(2)).toBe(false);
    t.prio(9, 1);
    expect(t.outputs).toEqual([[2, true]]);
    expect(t.claim(0)).toBe(0);
    expect(t.claim(2)).toBe(9);
    expect(t.outputs).toEqual([
      [2, true],
      [2, false],
    ]);
  });

  it('level gateway: no re-request while in flight, re-pends on complete if still high', () => {
    const t = setup(1);
    t.enable(0, 12);
    t.prio(12, 1);
    const line = t.plic.irqLine(12);
    line(true);
    expect(t.claim(0)).toBe(12);
    line(true);
    expect(t.plic.read(PLIC.PENDING_BASE, 4)).toBe(0);
    expect(t.claim(0)).toBe(0);
    t.complete(0, 12);
    expect(t.plic.outputLevel(0)).toBe(true);
    expect(t.claim(0)).toBe(12);
    line(false);
    t.complete(0, 12);
    expect(t.plic.outputLevel(0)).toBe(false);
    expect(t.claim(0)).toBe(0);
  });

  it('ignores completions for sources not enabled in the completing context', () => {
    const t = setup();
    t.enable(0, 4);
    t.prio(4, 1);
    const line = t.plic.irqLine(4);
    line(true);
    expect(t.claim(0)).toBe(4);
    t.complete(1, 4);
    expect(t.claim(0)).toBe(0);
    t.complete(0, 4);
    expect(t.claim(0)).toBe(4);
  });

  it('hardwires the source 0 enable bit and logs unknown or narrow accesses', () => {
    const t = setup(1);
    t.plic.write(PLIC.ENABLE_BASE, 4, 0xffff_ffff);
    expect(t.plic.read(PLIC.ENABLE_BASE, 4)).toBe(0xffff_fffe);
    expect(t.plic.read(PLIC.CONTEXT_BASE + 2 * PLIC.CONTEXT_STRIDE, 4)).toBe(0);
    t.plic.read(8, 1);
    t.plic.write(0x1_0000, 4, 1);
    expect(t.unknown).toEqual([
      ['read', PLIC.CONTEXT_BASE + 0x2000, 4],
      ['read', 8, 1],
      ['write', 0x1_0000, 4],
    ]);
    expect(() => t.plic.irqLine(0)).toThrow(/no interrupt source 0/);
    expect(() => t.plic.irqLine(96)).toThrow(/no interrupt source 96/);
  });

  it('round-trips its state and refuses foreign versions', () => {
    const t = setup();
    t.enable(3, 20);
    t.prio(20, 3);
    t.threshold(3, 2);
    t.plic.irqLine(20)(true);
    t.plic.irqLine(21)(true);
    const saved = t.plic.saveState();
    const u = setup();
    u.plic.loadState(saved);
    expect(u.plic.outputLevel(3)).toBe(true);
    expect(u.plic.saveState()).toEqual(saved);
    expect(u.claim(3)).toBe(20);
    expect(() => u.plic.loadState({ ...saved, version: 2 })).toThrow(/version 2/);
    expect(() => setup(1).plic.loadState(saved)).toThrow(/4 contexts/);
  });
});
