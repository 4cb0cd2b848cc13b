import { describe, expect, it } from 'vitest';
import { VirtualPlic } from '../../../core/vmm/devices/vplic';
import { PLIC } from '../../../core/spec/plic';

const ctxBase = (c: number): number => PLIC.CONTEXT_BASE + c * PLIC.CONTEXT_STRIDE;
const enable = (c: number): number => PLIC.ENABLE_BASE + c * PLIC.ENABLE_STRIDE;

describe('emulated PLIC', () => {
  it('delivers an enabled source above threshold to the S context, claim then complete', () => {
    const logs: string[] = [];
    const p = new VirtualPlic(4, (t) => logs.push(t));
    p.write(10 * 4, 1);
    p.write(enable(1), 1 << 10);
    p.setLevel(10, true);
    expect(p.read(PLIC.PENDING_BASE)).toBe(1 << 10);
    expect(p.asserted(1)).toBe(true);
    expect(p.asserted(0)).toBe(false);
    expect(p.read(ctxBase(1) + 4)).toBe(10);
    expect(p.asserted(1)).toBe(false);
    expect(p.read(ctxBase(1) + 4)).toBe(0);
    p.setLevel(10, false);
    p.write(ctxBase(1) + 4, 10);
    expect(p.asserted(1)).toBe(false);
  });

  it('re-pends a level source still high at completion', () => {
    const p = new VirtualPlic(2, () => undefined);
    p.write(1 * 4, 3);
    p.write(enable(1), 1 << 1);
    p.setLevel(1, true);
    expect(p.read(ctxBase(1) + 4)).toBe(1);
    p.write(ctxBase(1) + 4, 1);
    expect(p.asserted(1)).toBe(true);
  });

  it('honours priorities (highest first, lowest id on ties) and the threshold', () => {
    const p = new VirtualPlic(2, () => undefined);
    p.write(1 * 4, 2);
    p.write(2 * 4, 5);
    p.write(3 * 4, 5);
    p.write(enable(1), (1 << 1) | (1 << 2) | (1 << 3));
    for (const s of [1, 2, 3]) p.setLevel(s, true);
    p.write(ctxBase(1), 5);
    expect(p.asserted(1)).toBe(false);
    p.write(ctxBase(1), 1);
    expect(p.read(ctxBase(1) + 4)).toBe(2);
    expect(p.read(ctxBase(1) + 4)).toBe(3);
    expect(p.read(ctxBase(1) + 4)).toBe(1);
    p.write(ctxBase(1), 0);
    expect(p.read(ctxBase(1))).toBe(0);
  });

  it('caps priority and threshold at 7, keeps source 0 disabled, logs unknown offsets', () => {
    const logs: string[] = [];
    const p = new VirtualPlic(2, (t) => logs.push(t));
    p.write(4, 99);
    expect(p.read(4)).toBe(7);
    p.write(enable(0), 0xffff_ffff);
    expect(p.read(enable(0))).toBe(0xffff_fffe);
    p.write(0x1f_0000, 1);
    expect(logs.some((l) => /unknown offset/.test(l))).toBe(true);
  });

  it('a completion for a source not enabled in that context is ignored', () => {
    const p = new VirtualPlic(4, () => undefined);
    p.write(5 * 4, 1);
    p.write(enable(1), 1 << 5);
    p.setLevel(5, true);
    expect(p.read(ctxBase(1) + 4)).toBe(5);
    p.write(ctxBase(3) + 4, 5);
    p.setLevel(5, false);
    p.setLevel(5, true);
    expect(p.asserted(1)).toBe(false);
    p.write(ctxBase(1) + 4, 5);
    p.setLevel(5, false);
    p.setLevel(5, true);
    expect(p.asserted(1)).toBe(true);
  });
});
