import { describe, expect, it } from 'vitest';
import { FrameAllocator } from '../../core/vmm/frame-allocator';
import { GuestMemory } from '../../core/vmm/guest-memory';
import { GStageTable } from '../../core/vmm/g-stage';
import { MemoryHyp } from './support/memory-hyp';
import { walkSv32x4 } from './support/sv32x4-walk';
import { translateGStage } from '../../core/hw/cpu';

function setup(): { hyp: MemoryHyp; frames: FrameAllocator } {
  const hyp = new MemoryHyp({ ramSize: 16 * 1024 * 1024 });
  return { hyp, frames: new FrameAllocator(0x8000_0000 + 0x10_0000, 15 * 1024 * 1024) };
}

describe('G-stage Sv32x4 tables', () => {
  it('builds an hgatp and leaves that an independent walker resolves', () => {
    const { hyp, frames } = setup();
    const t = new GStageTable(hyp.mem, frames, 5);
    const hgatp = t.hgatp();
    expect(hgatp >>> 31).toBe(1);
    expect((hgatp >>> 22) & 0x7f).toBe(5);
    expect(((hgatp & 0x3f_ffff) * 4096) % 16384).toBe(0);
    t.map(0x8020_0000, 0x8050_3000);
    t.map(0x1_2345_6000, 0x8050_4000);
    const w = walkSv32x4(hyp.mem.read32, hgatp, 0x8020_0abc, 'store');
    expect(w).toEqual({ pa: 0x8050_3abc, pte: expect.any(Number) });
    expect(walkSv32x4(hyp.mem.read32, hgatp, 0x1_2345_6010, 'fetch')).toMatchObject({ pa: 0x8050_4010 });
    expect(walkSv32x4(hyp.mem.read32, hgatp, 0x8020_1000, 'load')).toHaveProperty('fault');
    expect(t.unmap(0x8020_0000)).toBe(true);
    expect(walkSv32x4(hyp.mem.read32, hgatp, 0x8020_0abc, 'load')).toHaveProperty('fault');
  });

  it('reports remapping a valid entry so the caller fences', () => {
    const { hyp, frames } = setup();
    const t = new GStageTable(hyp.mem, frames, 1);
    expect(t.map(0x8000_0000, 0x8020_0000)).toBe(false);
    expect(t.map(0x8000_0000, 0x8020_1000)).toBe(true);
  });

  it('eager population maps all of guest RAM in bulk and fences once', () => {
    const { hyp, frames } = setup();
    const before = frames.freeFrames;
    const m = new GuestMemory(hyp, frames, 0x8000_0000, 6 * 1024 * 1024, 3);
    m.populateAll();
    expect(hyp.fences).toEqual([{ vmid: 3 }]);
    const hgatp = m.table.hgatp();
    for (const gpa of [0x8000_0000, 0x803f_f000, 0x8040_0000, 0x805f_fffc]) {
      const w = walkSv32x4(hyp.mem.read32, hgatp, gpa, 'store');
      expect(w).toMatchObject({ pa: m.machineAddress(gpa) });
    }
    expect(walkSv32x4(hyp.mem.read32, hgatp, 0x8060_0000, 'load')).toHaveProperty('fault');
    // The hart's own G-stage walker agrees, page by page.
    for (let gpa = 0x8000_0000; gpa < 0x8060_0000; gpa += 0x3_3000) {
      expect(translateGStage(hyp.mem, hgatp & 0x3f_ffff, gpa + 0x18, 'execute')).toEqual({ pa: m.machineAddress(gpa) + 0x18 });
    }
    expect(translateGStage(hyp.mem, hgatp & 0x3f_ffff, 0x8060_0000, 'read')).toEqual({ fault: 'guest-page-fault', gpa: 0x8060_0000 });
    m.write(0x8040_0ffe, new Uint8Array([1, 2, 3, 4]));
    expect(m.read32(0x8040_0ffe)).toBe(0x04030201);
    m.release();
    expect(frames.freeFrames).toBe(before);
  });

  it('lazy population maps one page per fault, fencing that GPA, and scrubs on release', () => {
    const { hyp, frames } = setup();
    const m = new GuestMemory(hyp, frames, 0x8000_0000, 4 * 1024 * 1024, 2);
    expect(m.populate(0x8000_5123)).toBe(true);
    expect(hyp.fences.at(-1)).toEqual({ vmid: 2, gpa: 0x8000_5000 });
    expect(m.populatedPages).toBe(1);
    expect(m.populate(0x9000_0000)).toBe(false);
    const pa = m.machineAddress(0x8000_5000);
    expect(walkSv32x4(hyp.mem.read32, m.table.hgatp(), 0x8000_5123, 'fetch')).toMatchObject({ pa: pa + 0x123 });
    hyp.mem.write(pa, new Uint8Array([0xaa]));
    m.release();
    expect(hyp.mem.read(pa, 1)[0]).toBe(0);
  });
});
