// The hart-free Sv32x4 walk used by the IOMMU (priv 1.12 section 8.5.1), checked on tables
// built in physical memory: 4 KiB and 4 MiB leaves, the 16 KiB root, U=1, A/D, faults.
import { describe, expect, it } from 'vitest';
import { translateGStage } from '../../../core/hw/cpu/g-stage';
import { PhysicalBus } from '../../../core/hw/memory/physical-bus';
import { Ram } from '../../../core/hw/memory/ram';

const BASE = 0x8000_0000;
const ROOT = BASE + 0x10_0000;
const L0 = BASE + 0x10_4000;
const V = 1,
  R = 2,
  W = 4,
  X = 8,
  U = 16,
  A = 64,
  D = 128;

function memory(): PhysicalBus {
  return new PhysicalBus(new Ram(BASE, 4 * 1024 * 1024));
}

describe('translateGStage', () => {
  it('walks a 4 KiB leaf in the third root page and sets A, then D on a write', () => {
    const mem = memory();
    const gpa = 0x2_0040_1234; // VPN[1] = 0x801: root page 2
    mem.write32(ROOT + 4 * 0x801, (((L0 >>> 12) << 10) | V) >>> 0);
    mem.write32(L0 + 4 * 1, ((((BASE + 0x20_0000) >>> 12) << 10) | V | R | W | U) >>> 0);
    expect(translateGStage(mem, ROOT / 4096, gpa, 'read')).toEqual({ pa: BASE + 0x20_0234 });
    expect(mem.read32(L0 + 4) & (A | D)).toBe(A);
    expect(translateGStage(mem, ROOT / 4096, gpa, 'write')).toEqual({ pa: BASE + 0x20_0234 });
    expect(mem.read32(L0 + 4) & (A | D)).toBe(A | D);
  });

  it('maps a 4 MiB superpage and rejects a misaligned one', () => {
    const mem = memory();
    mem.write32(ROOT + 4 * 3, (((BASE >>> 12) << 10) | V | R | X | U | A) >>> 0);
    expect(translateGStage(mem, ROOT / 4096, 3 * 0x40_0000 + 0x1_2345, 'execute')).toEqual({
      pa: BASE + 0x1_2345,
    });
    mem.write32(ROOT + 4 * 3, ((((BASE + 0x1000) >>> 12) << 10) | V | R | X | U | A) >>> 0);
    expect(translateGStage(mem, ROOT / 4096, 3 * 0x40_0000, 'read')).toEqual({
      fault: 'guest-page-fault',
      gpa: 3 * 0x40_0000,
    });
  });

  it('faults without U, without permission, on invalid entries and on tables outside RAM', () => {
    const mem = memory();
    mem.write32(ROOT, (((BASE >>> 12) << 10) | V | R | W | A | D) >>> 0);
    expect(translateGStage(mem, ROOT / 4096, 0x10, 'read')).toEqual({ fault: 'guest-page-fault', gpa: 0x10 });
    mem.write32(ROOT, (((BASE >>> 12) << 10) | V | R | U | A) >>> 0);
    expect(translateGStage(mem, ROOT / 4096, 0x10, 'write')).toEqual({
      fault: 'guest-page-fault',
      gpa: 0x10,
    });
    expect(translateGStage(mem, ROOT / 4096, 0x40_0000, 'read')).toEqual({
      fault: 'guest-page-fault',
      gpa: 0x40_0000,
    });
    expect(translateGStage(mem, 0x1000, 0x10, 'read')).toEqual({ fault: 'access-fault', gpa: 0x10 });
  });

  it('rejects arguments outside the architecture', () => {
    const mem = memory();
    expect(() => translateGStage(mem, ROOT / 4096 + 1, 0, 'read')).toThrow(RangeError);
    expect(() => translateGStage(mem, ROOT / 4096, 2 ** 34, 'read')).toThrow(RangeError);
  });
});
