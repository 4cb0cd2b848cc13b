import { describe, expect, it } from 'vitest';
import { parseElf32 } from '../../core/vmm/elf-loader';
import { tinyElf } from './support/tiny-elf';

describe('ELF32 kernel images', () => {
  it('returns the entry and the PT_LOAD segments at their physical addresses', () => {
    const img = tinyElf(0x8020_0010, [{ paddr: 0x8020_0000, data: new Uint8Array(100), memSize: 4096 }, { paddr: 0x8030_0000, data: new Uint8Array(8) }]);
    const elf = parseElf32(img);
    expect(elf.entry).toBe(0x8020_0010);
    expect(elf.segments.map((s) => [s.paddr, s.fileSize, s.memSize])).toEqual([[0x8020_0000, 100, 4096], [0x8030_0000, 8, 8]]);
  });

  it('refuses files that are not RV32 executables, or whose segments run past the file', () => {
    const good = tinyElf(0x8020_0000, [{ paddr: 0x8020_0000, data: new Uint8Array(16) }]);
    const bad = (patch: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      patch(b);
      return b;
    };
    expect(() => parseElf32(bad((b) => (b[0] = 0)))).toThrow(/bad magic/);
    expect(() => parseElf32(bad((b) => (b[4] = 2)))).toThrow(/not ELF32/);
    expect(() => parseElf32(tinyElf(0, [{ paddr: 0, data: new Uint8Array(4) }], 62))).toThrow(/not RISC-V/);
    expect(() => parseElf32(good.subarray(0, good.length - 1))).toThrow(/past the end/);
    expect(() => parseElf32(tinyElf(0, []))).toThrow(/no PT_LOAD/);
  });
});
