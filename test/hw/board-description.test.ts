// Board description validation: the default virt map is valid, and every bad input
// (hart count, RAM, overlaps, IRQs, unknown kinds) is refused with a message naming it.
import { describe, expect, it } from 'vitest';
import {
  defaultBoardDescription,
  findBoardDevice,
  validateBoardDescription,
  VIRT_MEMMAP,
} from '../../core/hw/board-description';

describe('board description', () => {
  it('builds the default virt-shaped map', () => {
    const d = defaultBoardDescription(4);
    expect(d.harts).toBe(4);
    expect(d.ram).toEqual({ base: 0x8000_0000, size: 128 * 1024 * 1024 });
    expect(findBoardDevice(d, 'uart')).toEqual({ kind: 'uart', base: 0x1000_0000, size: 0x100, irq: 10 });
    expect(findBoardDevice(d, 'plic')?.base).toBe(0x0c00_0000);
    expect(findBoardDevice(d, 'host-disk')).toEqual({
      kind: 'host-disk',
      base: VIRT_MEMMAP.HOST_DISK.base,
      size: 0x1000,
      irq: 12,
    });
    expect(d.devices.filter((x) => x.kind === 'virtio-mmio').map((x) => x.irq)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('refuses bad hart counts and RAM', () => {
    expect(() => defaultBoardDescription(0)).toThrow(/harts must be 1\.\.8/);
    expect(() => defaultBoardDescription(9)).toThrow(/harts must be 1\.\.8/);
    expect(() => defaultBoardDescription(1, 1000)).toThrow(/multiple of 4 KiB/);
    expect(() => defaultBoardDescription(1, 0x8000_1000)).toThrow(/at most 2 GiB/);
    expect(() =>
      validateBoardDescription({ ...defaultBoardDescription(1), ram: { base: 0x4000_0000, size: 4096 } }),
    ).toThrow(/0x80000000/);
    expect(() => validateBoardDescription(null)).toThrow(/not an object/);
  });

  it('refuses overlapping windows, shared or out-of-range IRQs and unknown kinds', () => {
    const base = defaultBoardDescription(1);
    const withDev = (dev: unknown) => ({ ...base, devices: [...base.devices, dev] });
    expect(() =>
      validateBoardDescription(withDev({ kind: 'virtio-mmio', base: 0x1000_0080, size: 0x1000, irq: 40 })),
    ).toThrow(/overlaps/);
    expect(() =>
      validateBoardDescription(withDev({ kind: 'virtio-mmio', base: 0x1300_0000, size: 0x1000, irq: 10 })),
    ).toThrow(/irq 10 is used by both/);
    expect(() =>
      validateBoardDescription(withDev({ kind: 'virtio-mmio', base: 0x1300_0000, size: 0x1000, irq: 96 })),
    ).toThrow(/irq in 1\.\.95/);
    expect(() => validateBoardDescription(withDev({ kind: 'gpu', base: 0x1300_0000, size: 0x1000 }))).toThrow(
      /kind gpu is unknown/,
    );
    expect(() =>
      validateBoardDescription(withDev({ kind: 'uart', base: 0x1300_0000, size: 0x100, irq: 40 })),
    ).toThrow(/more than one uart/);
    expect(() =>
      validateBoardDescription(withDev({ kind: 'test', base: 0x1300_0000, size: 0x100, irq: 3 })),
    ).toThrow(/does not interrupt/);
    expect(() =>
      validateBoardDescription({ ...base, devices: base.devices.filter((d) => d.kind !== 'plic') }),
    ).toThrow(/no plic/);
  });
});
