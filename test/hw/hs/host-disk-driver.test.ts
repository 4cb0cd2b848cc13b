// The HS layer's disk driver against the real host disk controller, behind the real IOMMU.
import { describe, expect, it } from 'vitest';
import { HostDisk } from '../../../core/hw/devices/host-disk';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import { HostDiskDriver } from '../../../core/hw/hs/host-disk-driver';
import { Iommu } from '../../../core/hw/iommu/iommu';
import { PhysicalBus } from '../../../core/hw/memory/physical-bus';
import { Ram } from '../../../core/hw/memory/ram';
import type { DeviceLog } from '../../../core/hw/device';

const DISK_BASE = 0x1020_0000;
const RING = 0x8000_0000;
const BUFFER = 0x8001_0000;

function setup(contents: Uint8Array, readOnly = false) {
  const ram = new Ram(0x8000_0000, 1 << 20);
  const bus = new PhysicalBus(ram);
  const log: DeviceLog = { unknownAccess: () => undefined };
  let irq = false;
  const iommu = new Iommu(bus, { base: ram.base, size: ram.size }, () => undefined, log);
  const disk = new HostDisk(new MemoryDiskBacking(contents, readOnly), iommu.port(1), (level) => (irq = level), log);
  bus.addDevice(DISK_BASE, disk);
  const driver = new HostDiskDriver(bus, DISK_BASE, RING, 4);
  return { bus, driver, irq: () => irq };
}

describe('HostDiskDriver', () => {
  it('reads and writes sectors by DMA and reports completions by tag', () => {
    const image = new Uint8Array(8 * 512);
    image.fill(0xab, 512, 1024);
    const { bus, driver, irq } = setup(image);
    expect(driver.sectors()).toBe(8);
    const readTag = driver.submit({ op: 'read', sector: 1, count: 1, pa: BUFFER });
    expect(irq()).toBe(true);
    expect(bus.readBytes(BUFFER, 4)).toEqual(new Uint8Array([0xab, 0xab, 0xab, 0xab]));
    bus.writeBytes(BUFFER, new Uint8Array(512).fill(0x5a));
    const writeTag = driver.submit({ op: 'write', sector: 7, count: 1, pa: BUFFER });
    expect(driver.poll()).toEqual([
      { tag: readTag, status: 'ok' },
      { tag: writeTag, status: 'ok' },
    ]);
    expect(irq()).toBe(false);
    driver.submit({ op: 'read', sector: 7, count: 1, pa: BUFFER + 512 });
    expect(bus.readBytes(BUFFER + 512, 2)).toEqual(new Uint8Array([0x5a, 0x5a]));
  });

  it('reports failures as statuses and wraps around its ring', () => {
    const { driver } = setup(new Uint8Array(4 * 512), true);
    const tags = [];
    for (let i = 0; i < 6; i++) {
      tags.push(driver.submit({ op: i % 2 === 0 ? 'read' : 'write', sector: i === 4 ? 100 : 0, count: 1, pa: BUFFER }));
      const done = driver.poll();
      expect(done).toHaveLength(1);
      expect(done[0]?.tag).toBe(tags[i]);
      expect(done[0]?.status).toBe(i % 2 === 1 || i === 4 ? 'io-error' : 'ok');
    }
  });

  it('refuses to overrun a full ring', () => {
    const { driver } = setup(new Uint8Array(512));
    for (let i = 0; i < 4; i++) driver.submit({ op: 'flush', sector: 0, count: 0, pa: 0 });
    expect(() => driver.submit({ op: 'flush', sector: 0, count: 0, pa: 0 })).toThrow(/queue is full/);
    expect(driver.poll()).toHaveLength(4);
  });
});
