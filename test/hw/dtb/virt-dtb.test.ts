// The virt DTB parsed back with our reader: every node the board description implies, with
// QEMU virt's cells, interrupt wiring per hart, rng-seed from the seeded source, our devices.
import { describe, expect, it } from 'vitest';
import { defaultBoardDescription, VIRT_MEMMAP } from '../../../core/hw/board-description';
import {
  fdtProp,
  fdtPropString,
  fdtPropStrings,
  fdtPropU32s,
  findFdtNode,
  readFdt,
} from '../../../core/hw/dtb/fdt-reader';
import { buildVirtDtb } from '../../../core/hw/dtb/virt-dtb';
import { SeededRandom } from '../../../core/hw/seeded-random';

const node = (blob: Uint8Array, path: string) => {
  const n = findFdtNode(readFdt(blob).root, path);
  if (n === undefined) throw new Error(`missing node ${path}`);
  return n;
};

describe('buildVirtDtb', () => {
  const blob = buildVirtDtb(defaultBoardDescription(3, 64 * 1024 * 1024), SeededRandom.fromSeed('dtb-test'));

  it('describes memory, cells and the chosen node', () => {
    expect(fdtPropU32s(node(blob, '/'), '#address-cells')).toEqual([2]);
    expect(fdtPropU32s(node(blob, '/memory@80000000'), 'reg')).toEqual([0, 0x8000_0000, 0, 64 * 1024 * 1024]);
    expect(fdtPropString(node(blob, '/chosen'), 'stdout-path')).toBe('/soc/serial@10000000');
    const seed = fdtProp(node(blob, '/chosen'), 'rng-seed')!;
    expect(seed.length).toBe(32);
    const again = buildVirtDtb(
      defaultBoardDescription(3, 64 * 1024 * 1024),
      SeededRandom.fromSeed('dtb-test'),
    );
    expect(Buffer.from(again).equals(Buffer.from(blob))).toBe(true);
    const other = buildVirtDtb(defaultBoardDescription(3, 64 * 1024 * 1024), SeededRandom.fromSeed('other'));
    expect(Buffer.from(fdtProp(node(other, '/chosen'), 'rng-seed')!).equals(Buffer.from(seed))).toBe(false);
  });

  it('has one cpu node per hart with its interrupt controller, wired to CLINT and PLIC', () => {
    const cpus = node(blob, '/cpus');
    expect(fdtPropU32s(cpus, 'timebase-frequency')).toEqual([10_000_000]);
    const intc: number[] = [];
    for (let h = 0; h < 3; h++) {
      const cpu = node(blob, `/cpus/cpu@${h}`);
      expect(fdtPropString(cpu, 'riscv,isa')).toBe('rv32imah_zicsr_zifencei');
      expect(fdtPropString(cpu, 'mmu-type')).toBe('riscv,sv32');
      expect(fdtPropU32s(cpu, 'reg')).toEqual([h]);
      intc.push(fdtPropU32s(node(blob, `/cpus/cpu@${h}/interrupt-controller`), 'phandle')![0]!);
    }
    expect(findFdtNode(readFdt(blob).root, '/cpus/cpu@3')).toBeUndefined();
    const plic = node(blob, '/soc/plic@c000000');
    expect(fdtPropU32s(plic, 'interrupts-extended')).toEqual(intc.flatMap((p) => [p, 11, p, 9]));
    expect(fdtPropU32s(plic, 'riscv,ndev')).toEqual([95]);
    expect(fdtPropU32s(node(blob, '/soc/clint@2000000'), 'interrupts-extended')).toEqual(
      intc.flatMap((p) => [p, 3, p, 7]),
    );
  });

  it('lists the UART, eight virtio slots, test device and our own devices', () => {
    const plicPhandle = fdtPropU32s(node(blob, '/soc/plic@c000000'), 'phandle')![0];
    const uart = node(blob, '/soc/serial@10000000');
    expect(fdtPropU32s(uart, 'interrupts')).toEqual([10]);
    expect(fdtPropU32s(uart, 'interrupt-parent')).toEqual([plicPhandle]);
    expect(fdtPropU32s(uart, 'clock-frequency')).toEqual([3_686_400]);
    for (let i = 0; i < 8; i++) {
      const v = node(blob, `/soc/virtio_mmio@${(0x10001000 + i * 0x1000).toString(16)}`);
      expect(fdtPropU32s(v, 'interrupts')).toEqual([i + 1]);
    }
    expect(fdtPropStrings(node(blob, '/soc/test@100000'), 'compatible')).toEqual([
      'sifive,test1',
      'sifive,test0',
      'syscon',
    ]);
    const testPhandle = fdtPropU32s(node(blob, '/soc/test@100000'), 'phandle')![0];
    expect(fdtPropU32s(node(blob, '/poweroff'), 'regmap')).toEqual([testPhandle]);
    expect(fdtPropU32s(node(blob, '/reboot'), 'value')).toEqual([0x7777]);
    const disk = node(blob, `/soc/host-disk@${VIRT_MEMMAP.HOST_DISK.base.toString(16)}`);
    expect(fdtPropString(disk, 'compatible')).toBe('cloudvisor-lab,host-disk');
    expect(fdtPropU32s(disk, 'interrupts')).toEqual([12]);
    const iommu = node(blob, '/soc/iommu@10201000');
    expect(fdtPropU32s(disk, 'iommus')).toEqual([fdtPropU32s(iommu, 'phandle')![0], 1]);
    expect(fdtPropStrings(node(blob, '/soc/serial@10202000'), 'compatible')).toEqual([
      'cloudvisor-lab,monitor-uart',
      'ns16550a',
    ]);
  });

  it('omits rng-seed without a random source and adds bootargs when given', () => {
    const desc = { ...defaultBoardDescription(1), bootargs: 'console=ttyS0' };
    const chosen = node(buildVirtDtb(desc), '/chosen');
    expect(fdtProp(chosen, 'rng-seed')).toBeUndefined();
    expect(fdtPropString(chosen, 'bootargs')).toBe('console=ttyS0');
  });
});
