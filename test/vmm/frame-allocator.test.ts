import { describe, expect, it } from 'vitest';
import { FrameAllocator } from '../../core/vmm/frame-allocator';

describe('FrameAllocator', () => {
  it('hands out aligned contiguous runs and accounts for every frame', () => {
    const a = new FrameAllocator(0x8010_0000, 64 * 4096);
    const one = a.allocate(1);
    expect(one).toBe(0x8010_0000);
    const root = a.allocate(4, 16 * 1024);
    expect(root).not.toBeNull();
    expect((root ?? 1) % (16 * 1024)).toBe(0);
    expect(a.freeFrames).toBe(64 - 5);
    a.release(one ?? 0, 1);
    expect(a.freeFrames).toBe(64 - 4);
    expect(a.isAllocated(root ?? 0)).toBe(true);
  });

  it('respects alignment when the pool base is not aligned', () => {
    const a = new FrameAllocator(0x8000_1000, 32 * 4096);
    const root = a.allocate(4, 16 * 1024);
    expect(root).toBe(0x8000_4000);
  });

  it('returns null when no run fits and leaves the map unchanged', () => {
    const a = new FrameAllocator(0x8000_0000, 8 * 4096);
    expect(a.allocate(3)).not.toBeNull();
    expect(a.allocate(3)).not.toBeNull();
    expect(a.allocate(3)).toBeNull();
    expect(a.freeFrames).toBe(2);
    expect(a.allocateRuns(3)).toBeNull();
    expect(a.freeFrames).toBe(2);
  });

  it('allocateRuns gathers scattered frames all or nothing', () => {
    const a = new FrameAllocator(0x8000_0000, 8 * 4096);
    const x = a.allocate(1);
    a.allocate(1);
    a.release(x ?? 0);
    const runs = a.allocateRuns(7);
    expect(runs?.reduce((n, r) => n + r.frames, 0)).toBe(7);
    expect(runs?.length).toBe(2);
    expect(a.freeFrames).toBe(0);
  });

  it('refuses double frees and foreign frames', () => {
    const a = new FrameAllocator(0x8000_0000, 8 * 4096);
    const f = a.allocate(1) ?? 0;
    a.release(f);
    expect(() => a.release(f)).toThrow(/double free/);
    expect(() => a.release(0x9000_0000)).toThrow(/not in the VMM's pool/);
    expect(() => new FrameAllocator(0x8000_0001, 4096)).toThrow(/page-aligned/);
  });

  it('wipes a frame before reuse only when it may hold old data', () => {
    const wiped: [number, number][] = [];
    const zero = (pa: number, n: number): void => void wiped.push([pa, n]);
    const a = new FrameAllocator(0x8000_0000, 8 * 4096);
    const f = a.allocate(3) ?? 0;
    a.prepare(f, 3, zero);
    expect(wiped).toEqual([[0x8000_0000, 3 * 4096]]);
    a.release(f + 4096, 1, true);
    a.release(f, 1, false);
    wiped.length = 0;
    const g = a.allocate(2) ?? 0;
    expect(g).toBe(0x8000_3000);
    const h = a.allocateRuns(3) ?? [];
    for (const r of h) a.prepare(r.pa, r.frames, zero);
    expect(wiped).toEqual([[0x8000_0000, 4096], [0x8000_5000, 4096]]);
    const fresh = new FrameAllocator(0x8000_0000, 4 * 4096, true);
    wiped.length = 0;
    fresh.prepare(fresh.allocate(4) ?? 0, 4, zero);
    expect(wiped).toEqual([]);
  });
});
