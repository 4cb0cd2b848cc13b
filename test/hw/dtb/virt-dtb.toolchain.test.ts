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
import { flattenTree } from './fdt-tree';

const dir = mkdtempSync(join(tmpdir(), 'cvl-dtb-'));

function qemuDtb(harts: number): Uint8Array {
  const file = join(dir, `qemu-${harts}.dtb`);
  execFileSync('qemu-system-riscv32', [
    '-M', 'virt', '-cpu', 'rv32,c=false,f=false,d=false,v=false,h=true', '-smp', String(harts), '-m', '128M',
    '-bios', 'none', '-nographic', '-machine', `dumpdtb=${file}`,
  ], { stdio: 'pipe', timeout: 30_000 });
  return new Uint8Array(readFileSync(file));
}

function ours(harts: number): Uint8Array {
  return buildVirtDtb(defaultBoardDescription(harts, 128 * 1024 * 1024), SeededRandom.fromSeed('toolchain'));
}

function dtcWarnings(blob: Uint8Array, name: string): string[] {
  const file = join(dir, name);
  writeFileSync(file, blob);
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-o', join(dir, `${name}.dts`), file], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((l) => l.includes('Warning')).map((l) => l.replace(/^[^:]*: /, ''));
}

/** Paths of the nodes both boards have; QEMU's extra devices (pci, rtc, flash, fw-cfg, pmu) are not ours. */
function common(path: string): boolean {
  return /^\/(chosen|poweroff|reboot|memory@80000000|cpus(\/.*)?|soc|soc\/(clint|plic|serial|virtio_mmio|test)@[0-9a-f]+)$/.test(path) && path !== '/soc/serial@10202000';
}

/** Values that differ on purpose: the random seed, our ISA string, and QEMU 7.2's riscv,ndev off-by-one (96 vs. 95 sources). */
const EXPECTED_DIFFERENCES = new Set(['/chosen:rng-seed', '/soc/plic@c000000:riscv,ndev']);

describe('virt DTB against dtc and QEMU', () => {
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
      const qPaths = [...q.keys()].filter(common).sort();
      expect([...o.keys()].filter(common).sort()).toEqual(qPaths);
      expect(qPaths.filter((p) => p.startsWith('/soc/virtio_mmio')).length).toBe(8);
      for (const path of qPaths) {
        const qp = q.get(path)!;
        const op = o.get(path)!;
        expect([...op.keys()].sort(), path).toEqual([...qp.keys()].sort());
        for (const [name, value] of qp) {
          if (EXPECTED_DIFFERENCES.has(`${path}:${name}`) || name === 'riscv,isa') continue;
          expect(op.get(name), `${path}:${name}`).toBe(value);
        }
      }
      expect(Buffer.from(q.get('/cpus/cpu@0')!.get('riscv,isa')!, 'hex').toString()).toMatch(/^rv32imah_zicsr_zifencei/);
    });
  }
});
