// With the RISC-V toolchain and QEMU: the committed benchmark ELF is exactly what its sources
// build to, and at several sizes the hart prints what qemu-system-riscv32 prints for it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseElf } from '../../core/hw/elf';
import { runElf } from '../../core/hw/run-elf';

const SRC = fileURLToPath(new URL('../../assets/bench', import.meta.url));
const committed = new Uint8Array(readFileSync(join(SRC, 'bench.elf')));
const dir = mkdtempSync(join(tmpdir(), 'cvl-bench-src-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withIterations(elf: Uint8Array, n: number): Uint8Array {
  const image = parseElf(elf);
  const at = image.symbols.get('bench_iterations')!;
  const seg = image.segments.find((s) => at >= s.vaddr && at < s.vaddr + s.data.length)!;
  const copy = elf.slice();
  new DataView(copy.buffer).setUint32(seg.data.byteOffset + (at - seg.vaddr), n, true);
  return copy;
}

describe('benchmark program against its sources and QEMU', () => {
  it('rebuilds from assets/bench to the same loaded image', () => {
    cpSync(SRC, join(dir, 'src'), { recursive: true });
    execFileSync('make', ['-s', '-B', '-C', join(dir, 'src'), 'bench.elf']);
    // Symbol names of the compiler's temporary files differ per build; what loads must not.
    const loaded = (elf: Uint8Array) => {
      const image = parseElf(elf);
      return {
        entry: image.entry,
        segments: image.segments.map((s) => ({ paddr: s.paddr, memsz: s.memsz, data: [...s.data] })),
      };
    };
    expect(loaded(new Uint8Array(readFileSync(join(dir, 'src', 'bench.elf'))))).toEqual(loaded(committed));
  });

  for (const n of [1, 3, 7]) {
    it(`prints QEMU's checksum at ${n} iterations`, () => {
      const elf = withIterations(committed, n);
      const path = join(dir, `bench-${n}.elf`);
      writeFileSync(path, elf);
      const q = spawnSync(
        'timeout',
        [
          '60',
          'qemu-system-riscv32',
          '-M',
          'virt',
          '-cpu',
          'rv32,c=false,f=false,d=false,v=false,h=true',
          '-bios',
          'none',
          '-nographic',
          '-kernel',
          path,
        ],
        { encoding: 'latin1' },
      );
      expect(q.status).toBe(0);
      const r = runElf(elf);
      expect([r.reason, r.exitCode]).toEqual(['finisher', 0]);
      expect(new TextDecoder('latin1').decode(r.output)).toBe(q.stdout);
    });
  }
});
