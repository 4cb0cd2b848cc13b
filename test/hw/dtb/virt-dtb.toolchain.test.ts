// Our virt DTB against two references nobody here wrote: dtc (decompiles it, warns no more
// than on QEMU's own blob, and re-emits a blob our reader sees as the same tree) and QEMU 7.2
// `-M virt ... -machine dumpdtb`: the devices both boards have must match node for node,
// property for property (phandles resolved to paths), except for the values listed below.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBoardDescription } from '../../../core/hw/board-description';
import { readFdt } from '../../../core/hw/dtb/fdt-reader';
import { buildVirtDtb } from '../../../core/hw/dtb/virt-dtb';
import { SeededRandom } from '../../../core/hw/seeded-random';
import { compareCommonVirtNodes, flattenTree } from './fdt-tree';

const dir = mkdtempSync(join(tmpdir(), 'cvl-dtb-'));

function qemuDtb(harts: number): Uint8Array {
  const file = join(dir, `qemu-${harts}.dtb`);
  execFileSync(
    'qemu-system-riscv32',
    [
      '-M',
      'virt',
      '-cpu',
      'rv32,c=false,f=false,d=false,v=false,h=true',
      '-smp',
      String(harts),
      '-m',
      '128M',
      '-bios',
      'none',
      '-nographic',
      '-machine',
      `dumpdtb=${file}`,
    ],
    { stdio: 'pipe', timeout: 30_000 },
  );
  return new Uint8Array(readFileSync(file));
}

function ours(harts: number): Uint8Array {
  return buildVirtDtb(defaultBoardDescription(harts, 128 * 1024 * 1024), SeededRandom.fromSeed('toolchain'));
}

function dtcWarnings(blob: Uint8Array, name: string): string[] {
  const file = join(dir, name);
  writeFileSync(file, blob);
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-o', join(dir, `${name}.dts`), file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr
    .split('\n')
    .filter((l) => l.includes('Warning'))
    .map((l) => l.replace(/^[^:]*: /, ''));
}

describe('virt DTB against dtc and QEMU', () => {
  it('the committed QEMU fixture is what QEMU 7.2 dumps today (except the random seed)', () => {
    const fixture = flattenTree(
      readFdt(new Uint8Array(readFileSync(join(__dirname, 'fixtures', 'qemu-virt-1hart.dtb')))).root,
    );
    const live = flattenTree(readFdt(qemuDtb(1)).root);
    fixture.get('/chosen')!.delete('rng-seed');
    live.get('/chosen')!.delete('rng-seed');
    expect(live).toEqual(fixture);
  });

  for (const harts of [1, 4]) {
    it(`decompiles cleanly with dtc (${harts} harts)`, () => {
      const ourWarnings = dtcWarnings(ours(harts), `ours-${harts}.dtb`);
      const qemuWarnings = new Set(dtcWarnings(qemuDtb(harts), `qemu-${harts}.dtb`));
      expect(ourWarnings.filter((w) => !qemuWarnings.has(w))).toEqual([]);
      const dts = readFileSync(join(dir, `ours-${harts}.dtb.dts`), 'utf8');
      expect(dts).toContain('compatible = "cloudvisor-lab,host-disk";');
      expect(dts).toContain(`cpu@${harts - 1} {`);
    });

    it(`re-emitted by dtc, parses to the same tree (${harts} harts)`, () => {
      const blob = ours(harts);
      const src = join(dir, `rt-${harts}.dtb`);
      writeFileSync(src, blob);
      const again = execFileSync('dtc', ['-I', 'dtb', '-O', 'dtb', src], { timeout: 30_000, stdio: 'pipe' });
      expect(readFdt(new Uint8Array(again)).root).toEqual(readFdt(blob).root);
    });

    it(`matches QEMU's node structure for the common devices (${harts} harts)`, () => {
      const q = flattenTree(readFdt(qemuDtb(harts)).root);
      const o = flattenTree(readFdt(ours(harts)).root);
      expect(compareCommonVirtNodes(q, o)).toEqual([]);
      expect([...q.keys()].filter((p) => p.startsWith('/soc/virtio_mmio')).length).toBe(8);
      expect([...q.keys()].filter((p) => /^\/cpus\/cpu@\d+$/.test(p)).length).toBe(harts);
      expect(Buffer.from(q.get('/cpus/cpu@0')!.get('riscv,isa')!, 'hex').toString()).toMatch(
        /^rv32imah_zicsr_zifencei/,
      );
    });
  }
});
