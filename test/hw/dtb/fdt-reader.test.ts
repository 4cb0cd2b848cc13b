// The FDT reader on a blob nobody here wrote (QEMU 7.2's own virt DTB, committed as a fixture and
// kept current by virt-dtb.toolchain.test.ts), and our virt DTB compared with it node by node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBoardDescription } from '../../../core/hw/board-description';
import {
  fdtPropString,
  fdtPropStrings,
  fdtPropU32s,
  findFdtNode,
  readFdt,
} from '../../../core/hw/dtb/fdt-reader';
import { buildVirtDtb } from '../../../core/hw/dtb/virt-dtb';
import { SeededRandom } from '../../../core/hw/seeded-random';
import { compareCommonVirtNodes, flattenTree } from './fdt-tree';

const qemuBlob = new Uint8Array(readFileSync(join(__dirname, 'fixtures', 'qemu-virt-1hart.dtb')));

describe('FDT reader on QEMU virt', () => {
  it('parses QEMU 7.2 virt`s blob', () => {
    const fdt = readFdt(qemuBlob);
    expect(fdt.version).toBe(17);
    const plic = findFdtNode(fdt.root, '/soc/plic@c000000')!;
    expect(fdtPropU32s(plic, 'riscv,ndev')).toEqual([96]);
    expect(fdtPropStrings(plic, 'compatible')).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(fdtPropString(findFdtNode(fdt.root, '/chosen')!, 'stdout-path')).toBe('/soc/serial@10000000');
    expect(fdtPropU32s(findFdtNode(fdt.root, '/memory@80000000')!, 'reg')).toEqual([
      0, 0x8000_0000, 0, 0x800_0000,
    ]);
    expect(fdtPropString(findFdtNode(fdt.root, '/cpus/cpu@0')!, 'riscv,isa')).toMatch(/^rv32imah/);
    expect(fdtPropU32s(findFdtNode(fdt.root, '/cpus')!, 'timebase-frequency')).toEqual([10_000_000]);
  });

  it('finds our virt DTB equal to QEMU`s on every common node, but for the listed differences', () => {
    const ours = flattenTree(
      readFdt(buildVirtDtb(defaultBoardDescription(1), SeededRandom.fromSeed('fixture'))).root,
    );
    expect(compareCommonVirtNodes(flattenTree(readFdt(qemuBlob).root), ours)).toEqual([]);
  });
});
