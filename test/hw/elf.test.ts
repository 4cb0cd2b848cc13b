// ELF32 loader validation: the committed benchmark ELF parses (segments at p_paddr, symbols);
// every malformed variant is an ElfError naming the problem, never a crash or a partial load.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError, parseElf } from '../../core/hw/elf';

const good = new Uint8Array(readFileSync(new URL('../../assets/bench/bench.elf', import.meta.url)));

/** Offset of the first PT_LOAD program header. */
function firstLoad(v: DataView): number {
  const phoff = v.getUint32(28, true);
  for (let i = 0; ; i++) if (v.getUint32(phoff + 32 * i, true) === 1) return phoff + 32 * i;
}

function mutate(f: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = good.slice();
  f(new DataView(b.buffer), b);
  return b;
}

describe('parseElf', () => {
  it('reads the entry, the loadable segments and the symbol table', () => {
    const image = parseElf(good);
    expect(image.entry).toBe(0x8000_0000);
    expect(image.segments.length).toBeGreaterThan(0);
    expect(image.symbols.get('_start')).toBe(0x8000_0000);
    expect(image.symbols.has('bench_iterations')).toBe(true);
  });

  const broken: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /shorter than an ELF32 header/],
    ['bad magic', mutate((_v, b) => (b[0] = 0)), /bad magic/],
    ['64-bit class', mutate((_v, b) => (b[4] = 2)), /ELFCLASS32/],
    ['big-endian', mutate((_v, b) => (b[5] = 2)), /little-endian/],
    ['not RISC-V', mutate((v) => v.setUint16(18, 62, true)), /e_machine/],
    ['shared object', mutate((v) => v.setUint16(16, 3, true)), /ET_EXEC/],
    ['program headers past the end', mutate((v) => v.setUint32(28, 0xffff_fff0, true)), /program headers/],
    ['odd phentsize', mutate((v) => v.setUint16(42, 56, true)), /e_phentsize/],
    ['filesz > memsz', mutate((v) => v.setUint32(firstLoad(v) + 20, 0, true)), /p_filesz/],
    [
      'segment data past the end',
      mutate((v) => v.setUint32(firstLoad(v) + 4, 0x7fff_0000, true)),
      /runs past the end/,
    ],
    ['entry outside code', mutate((v) => v.setUint32(24, 0x1000, true)), /entry point/],
    ['section headers past the end', mutate((v) => v.setUint32(32, 0x7fff_0000, true)), /section headers/],
    ['truncated file', good.subarray(0, 200), /past the end/],
  ];
  for (const [name, bytes, message] of broken) {
    it(`rejects ${name}`, () => {
      expect(() => parseElf(bytes)).toThrow(ElfError);
      expect(() => parseElf(bytes)).toThrow(message);
    });
  }
});
