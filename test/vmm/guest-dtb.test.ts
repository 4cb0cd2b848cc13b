import { describe, expect, it } from 'vitest';
import { fdtPropString, fdtPropStrings, fdtPropU32s, findFdtNode, readFdt } from '../../core/hw/dtb/fdt-reader';
import { buildGuestDtb } from '../../core/vmm/guest-dtb';

describe('guest device tree', () => {
  const blob = buildGuestDtb({ vcpus: 2, ramSize: 64 * 1024 * 1024, bootargs: 'console=ttyS0' });
  const { root } = readFdt(blob);
  const node = (p: string) => {
    const n = findFdtNode(root, p);
    if (n === undefined) throw new Error(`missing ${p}`);
    return n;
  };

  it('describes guest RAM at 0x80000000 with the configured size', () => {
    expect(fdtPropU32s(node('/memory@80000000'), 'reg')).toEqual([0, 0x8000_0000, 0, 64 * 1024 * 1024]);
    expect(fdtPropString(node('/memory@80000000'), 'device_type')).toBe('memory');
  });

  it('lists one cpu per vCPU with the guest ISA, Sv32 and a cpu-intc', () => {
    for (const h of [0, 1]) {
      const cpu = node(`/cpus/cpu@${h}`);
      expect(fdtPropU32s(cpu, 'reg')).toEqual([h]);
      expect(fdtPropString(cpu, 'riscv,isa')).toBe('rv32ima_zicsr_zifencei');
      expect(fdtPropString(cpu, 'mmu-type')).toBe('riscv,sv32');
      expect(fdtPropString(node(`/cpus/cpu@${h}/interrupt-controller`), 'compatible')).toBe('riscv,cpu-intc');
    }
    expect(findFdtNode(root, '/cpus/cpu@2')).toBeUndefined();
    expect(fdtPropU32s(node('/cpus'), 'timebase-frequency')).toEqual([10_000_000]);
  });

  it('wires the PLIC to each hart as QEMU virt does (M ext 11, S ext 9) and devices to the PLIC', () => {
    const plic = node('/soc/plic@c000000');
    const ph = fdtPropU32s(plic, 'phandle')?.[0];
    const intc0 = fdtPropU32s(node('/cpus/cpu@0/interrupt-controller'), 'phandle')?.[0];
    const intc1 = fdtPropU32s(node('/cpus/cpu@1/interrupt-controller'), 'phandle')?.[0];
    expect(fdtPropU32s(plic, 'interrupts-extended')).toEqual([intc0, 11, intc0, 9, intc1, 11, intc1, 9]);
    expect(fdtPropStrings(plic, 'compatible')).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(fdtPropU32s(plic, 'riscv,ndev')).toEqual([95]);
    const uart = node('/soc/serial@10000000');
    expect(fdtPropString(uart, 'compatible')).toBe('ns16550a');
    expect(fdtPropU32s(uart, 'interrupts')).toEqual([10]);
    expect(fdtPropU32s(uart, 'interrupt-parent')).toEqual([ph]);
    for (let i = 0; i < 8; i++) {
      const v = node(`/soc/virtio_mmio@${(0x1000_1000 + i * 0x1000).toString(16)}`);
      expect(fdtPropString(v, 'compatible')).toBe('virtio,mmio');
      expect(fdtPropU32s(v, 'interrupts')).toEqual([1 + i]);
      expect(fdtPropU32s(v, 'reg')).toEqual([0, 0x1000_1000 + i * 0x1000, 0, 0x1000]);
    }
  });

  it('has no CLINT and no test finisher (SBI TIME and SRST instead), and a stdout-path', () => {
    const soc = node('/soc');
    expect(soc.children.some((c) => c.name.startsWith('clint') || c.name.startsWith('test'))).toBe(false);
    expect(fdtPropString(node('/chosen'), 'stdout-path')).toBe('/soc/serial@10000000');
    expect(fdtPropString(node('/chosen'), 'bootargs')).toBe('console=ttyS0');
  });
});
