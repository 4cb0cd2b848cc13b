// Host disk controller against docs/hw/host-disk.md: identification, queue setup, requests
// processed in ring order on the doorbell with DMA through a real IOMMU, statuses for every
// malformed entry, DMA faults recorded by the IOMMU, halts on unreachable entries, state.
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileDiskBacking, MemoryDiskBacking, SECTOR_SIZE } from '../../../core/hw/devices/disk-backing';
import {
  HOST_DISK_ERROR,
  HOST_DISK_INT,
  HOST_DISK_MAGIC,
  HOST_DISK_OP,
  HOST_DISK_REG as REG,
  HOST_DISK_STATUS as ST,
  HostDisk,
} from '../../../core/hw/devices/host-disk';
import { Iommu, IOMMU_CAUSE, type DmaMemory } from '../../../core/hw/iommu/iommu';
import { Plic } from '../../../core/hw/devices/plic';
import { PLIC } from '../../../core/spec/plic';
import { VIRT_IRQ } from '../../../core/hw/board-description';

const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 0x10_0000;
const QUEUE = RAM_BASE + 0x1000;
const BUF = RAM_BASE + 0x8000;

class Ram implements DmaMemory {
  readonly bytes = new Uint8Array(RAM_SIZE);
  readBytes(pa: number, length: number): Uint8Array {
    return this.bytes.slice(pa - RAM_BASE, pa - RAM_BASE + length);
  }
  writeBytes(pa: number, data: Uint8Array): void {
    this.bytes.set(data, pa - RAM_BASE);
  }
  view(): DataView {
    return new DataView(this.bytes.buffer);
  }
}

interface Entry {
  op: number;
  count: number;
  sector: number;
  buffer: number;
  tag?: number;
  flags?: number;
  bufferHi?: number;
  sectorHi?: number;
}

describe('HostDisk', () => {
  let ram: Ram;
  let iommu: Iommu;
  let backing: MemoryDiskBacking;
  let disk: HostDisk;
  let irq: boolean;
  let unknown: number[];

  const make = (b: MemoryDiskBacking | FileDiskBacking) => {
    ram = new Ram();
    iommu = new Iommu(ram, { base: RAM_BASE, size: RAM_SIZE }, () => undefined, {
      unknownAccess: () => undefined,
    });
    irq = false;
    unknown = [];
    return new HostDisk(
      b,
      iommu.port(1),
      (l) => {
        irq = l;
      },
      { unknownAccess: (_d, _k, off) => unknown.push(off) },
    );
  };
  beforeEach(() => {
    backing = new MemoryDiskBacking(16 * SECTOR_SIZE);
    disk = make(backing);
  });

  const put = (slot: number, e: Entry, base = QUEUE) => {
    const v = ram.view();
    const at = base - RAM_BASE + slot * 32;
    ram.bytes.fill(0, at, at + 32);
    v.setUint8(at, e.op);
    v.setUint16(at + 2, e.flags ?? 0, true);
    v.setUint32(at + 4, e.count, true);
    v.setUint32(at + 8, e.sector, true);
    v.setUint32(at + 12, e.sectorHi ?? 0, true);
    v.setUint32(at + 16, e.buffer, true);
    v.setUint32(at + 20, e.bufferHi ?? 0, true);
    v.setUint32(at + 24, e.tag ?? 0, true);
  };
  const status = (slot: number) => ram.bytes[QUEUE - RAM_BASE + slot * 32 + 1];
  const result = (slot: number) => ram.view().getUint32(QUEUE - RAM_BASE + slot * 32 + 28, true);
  const start = (size = 4) => {
    disk.write(REG.QUEUE_BASE, 4, QUEUE);
    disk.write(REG.QUEUE_SIZE, 4, size);
    disk.write(REG.QUEUE_ENABLE, 4, 1);
    disk.write(REG.INTERRUPT_ENABLE, 4, 3);
  };

  it('identifies itself', () => {
    expect(disk.read(REG.MAGIC, 4)).toBe(HOST_DISK_MAGIC);
    expect(disk.read(REG.CAPACITY_LO, 4)).toBe(16);
    expect(disk.read(REG.CAPACITY_HI, 4)).toBe(0);
    expect(disk.read(REG.SECTOR_SIZE, 4)).toBe(512);
    expect(disk.read(REG.FEATURES, 4)).toBe(0);
    disk.read(0x80, 4);
    disk.read(REG.MAGIC, 2);
    disk.write(REG.MAGIC, 4, 1);
    expect(unknown).toEqual([0x80, REG.MAGIC, REG.MAGIC]);
  });

  it('writes and reads back sectors through the ring, in order, with a completion interrupt', () => {
    start();
    ram.bytes.fill(0x5a, BUF - RAM_BASE, BUF - RAM_BASE + 2 * SECTOR_SIZE);
    put(0, { op: HOST_DISK_OP.WRITE, count: 2, sector: 3, buffer: BUF, tag: 0xdead });
    put(1, { op: HOST_DISK_OP.READ, count: 1, sector: 4, buffer: BUF + 0x1000, tag: 7 });
    put(2, { op: HOST_DISK_OP.FLUSH, count: 0, sector: 0, buffer: 0 });
    disk.write(REG.DOORBELL, 4, 3);
    expect([status(0), status(1), status(2)]).toEqual([ST.OK, ST.OK, ST.OK]);
    expect([result(0), result(1)]).toEqual([1024, 512]);
    expect(ram.view().getUint32(QUEUE - RAM_BASE + 24, true)).toBe(0xdead);
    expect(backing.contents()[3 * 512]).toBe(0x5a);
    expect(backing.contents()[4 * 512 + 511]).toBe(0x5a);
    expect(backing.contents()[5 * 512]).toBe(0);
    expect(ram.bytes[0x9000]).toBe(0x5a);
    expect(disk.read(REG.QUEUE_HEAD, 4)).toBe(3);
    expect(disk.read(REG.COMPLETED, 4)).toBe(3);
    expect(disk.read(REG.INTERRUPT_STATUS, 4)).toBe(HOST_DISK_INT.COMPLETION);
    expect(irq).toBe(true);
    disk.write(REG.INTERRUPT_STATUS, 4, HOST_DISK_INT.COMPLETION);
    expect(irq).toBe(false);
    // Wrap around the 4-entry ring: slots 3 and 0.
    put(3, { op: HOST_DISK_OP.READ, count: 1, sector: 0, buffer: BUF });
    put(0, { op: HOST_DISK_OP.READ, count: 1, sector: 1, buffer: BUF });
    disk.write(REG.DOORBELL, 4, 1);
    expect([status(3), status(0)]).toEqual([ST.OK, ST.OK]);
    expect(disk.read(REG.QUEUE_HEAD, 4)).toBe(1);
  });

  it('gives every malformed entry an error status and leaves the disk unchanged', () => {
    start(8);
    ram.bytes.fill(0xee, BUF - RAM_BASE, BUF - RAM_BASE + 4096);
    put(0, { op: 9, count: 1, sector: 0, buffer: BUF });
    put(1, { op: HOST_DISK_OP.WRITE, count: 1, sector: 0, buffer: BUF, flags: 1 });
    put(2, { op: HOST_DISK_OP.WRITE, count: 0, sector: 0, buffer: BUF });
    put(3, { op: HOST_DISK_OP.WRITE, count: 4096, sector: 0, buffer: BUF });
    put(4, { op: HOST_DISK_OP.WRITE, count: 2, sector: 15, buffer: BUF });
    put(5, { op: HOST_DISK_OP.WRITE, count: 1, sector: 0, buffer: BUF, bufferHi: 1 });
    put(6, { op: HOST_DISK_OP.WRITE, count: 1, sector: 0, buffer: BUF, sectorHi: 1 });
    put(7, { op: HOST_DISK_OP.FLUSH, count: 1, sector: 0, buffer: 0 });
    disk.write(REG.DOORBELL, 4, 7);
    disk.write(REG.DOORBELL, 4, 0);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(status)).toEqual([
      ST.BAD_REQUEST,
      ST.BAD_REQUEST,
      ST.BAD_REQUEST,
      ST.BAD_REQUEST,
      ST.OUT_OF_RANGE,
      ST.BAD_REQUEST,
      ST.OUT_OF_RANGE,
      ST.BAD_REQUEST,
    ]);
    expect(backing.contents().every((b) => b === 0)).toBe(true);
  });

  it('reports DMA faults on data buffers as a status, recorded by the IOMMU with the device ID', () => {
    start();
    put(0, { op: HOST_DISK_OP.READ, count: 1, sector: 0, buffer: 0x1000_0000 });
    put(1, { op: HOST_DISK_OP.WRITE, count: 2, sector: 0, buffer: RAM_BASE + RAM_SIZE - 512 });
    disk.write(REG.DOORBELL, 4, 2);
    expect([status(0), status(1)]).toEqual([ST.DMA_FAULT, ST.DMA_FAULT]);
    expect(iommu.faultLog().map((f) => [f.deviceId, f.iova, f.cause])).toEqual([
      [1, 0x1000_0000, IOMMU_CAUSE.WRITE_ACCESS_FAULT],
      [1, RAM_BASE + RAM_SIZE, IOMMU_CAUSE.READ_ACCESS_FAULT], // the first byte outside RAM
    ]);
    expect(backing.contents().every((b) => b === 0)).toBe(true);
  });

  it('halts the queue when an entry cannot be fetched, and refuses bad configuration', () => {
    disk.write(REG.QUEUE_SIZE, 4, 3);
    disk.write(REG.QUEUE_ENABLE, 4, 1);
    expect(disk.read(REG.QUEUE_ENABLE, 4)).toBe(0);
    expect(disk.read(REG.ERROR, 4)).toBe(HOST_DISK_ERROR.BAD_QUEUE_CONFIG);
    disk.write(REG.DOORBELL, 4, 1);
    expect(disk.read(REG.ERROR, 4)).toBe(HOST_DISK_ERROR.BAD_DOORBELL);
    disk.write(REG.QUEUE_BASE, 4, RAM_BASE + RAM_SIZE - 32);
    disk.write(REG.QUEUE_SIZE, 4, 2);
    disk.write(REG.INTERRUPT_ENABLE, 4, HOST_DISK_INT.ERROR);
    disk.write(REG.QUEUE_ENABLE, 4, 1);
    expect(disk.read(REG.ERROR, 4)).toBe(HOST_DISK_ERROR.NONE);
    disk.write(REG.QUEUE_BASE, 4, QUEUE);
    expect(disk.read(REG.ERROR, 4)).toBe(HOST_DISK_ERROR.BAD_QUEUE_CONFIG);
    disk.write(REG.DOORBELL, 4, 2);
    expect(disk.read(REG.DOORBELL, 4)).toBe(0);
    disk.write(REG.DOORBELL, 4, 1);
    disk.write(REG.DOORBELL, 4, 0); // entry 1 lies beyond RAM: fetch faults, queue halts
    expect(disk.read(REG.ERROR, 4)).toBe(HOST_DISK_ERROR.QUEUE_DMA_FAULT);
    expect(disk.read(REG.QUEUE_ENABLE, 4)).toBe(0);
    expect(disk.read(REG.QUEUE_HEAD, 4)).toBe(1);
    expect(irq).toBe(true);
  });

  it('answers READ_ONLY and IO_ERROR from its backing without throwing', () => {
    disk = make(new MemoryDiskBacking(4 * SECTOR_SIZE, true));
    start();
    expect(disk.read(REG.FEATURES, 4)).toBe(1);
    put(0, { op: HOST_DISK_OP.WRITE, count: 1, sector: 0, buffer: BUF });
    disk.write(REG.DOORBELL, 4, 1);
    expect(status(0)).toBe(ST.READ_ONLY);
    const path = join(mkdtempSync(join(tmpdir(), 'cvl-hd-')), 'd.img');
    writeFileSync(path, new Uint8Array(4 * SECTOR_SIZE));
    const file = FileDiskBacking.open(path);
    disk = make(file);
    start();
    truncateSync(path, SECTOR_SIZE);
    put(0, { op: HOST_DISK_OP.READ, count: 1, sector: 2, buffer: BUF });
    disk.write(REG.DOORBELL, 4, 1);
    expect(status(0)).toBe(ST.IO_ERROR);
    file.close();
  });

  it('raises its completion through the PLIC on source 12 until the driver acknowledges it', () => {
    const levels: boolean[] = [];
    const plic = new Plic(
      1,
      (ctx, level) => {
        if (ctx === 1) levels.push(level);
      },
      { unknownAccess: () => undefined },
    );
    disk = new HostDisk(backing, iommu.port(1), plic.irqLine(VIRT_IRQ.HOST_DISK), {
      unknownAccess: () => undefined,
    });
    plic.write(4 * VIRT_IRQ.HOST_DISK, 4, 1);
    plic.write(PLIC.ENABLE_BASE + 0x80, 4, 1 << VIRT_IRQ.HOST_DISK);
    start();
    put(0, { op: HOST_DISK_OP.READ, count: 1, sector: 0, buffer: BUF });
    disk.write(REG.DOORBELL, 4, 1);
    expect(levels).toEqual([true]);
    const claimReg = PLIC.CONTEXT_BASE + PLIC.CONTEXT_STRIDE + 4;
    expect(plic.read(claimReg, 4)).toBe(VIRT_IRQ.HOST_DISK);
    disk.write(REG.INTERRUPT_STATUS, 4, HOST_DISK_INT.COMPLETION);
    plic.write(claimReg, 4, VIRT_IRQ.HOST_DISK);
    expect(levels).toEqual([true, false]);
    expect(plic.read(claimReg, 4)).toBe(0);
  });

  it('round-trips its state and refuses foreign versions or another disk size', () => {
    start();
    put(0, { op: HOST_DISK_OP.READ, count: 1, sector: 0, buffer: BUF });
    disk.write(REG.DOORBELL, 4, 1);
    const saved = disk.saveState();
    const other = new HostDisk(backing, iommu.port(1), () => undefined, { unknownAccess: () => undefined });
    other.loadState(saved);
    expect(other.saveState()).toEqual(saved);
    expect(() => other.loadState({ ...saved, version: 5 })).toThrow(/version 5/);
    expect(() =>
      new HostDisk(new MemoryDiskBacking(512), iommu.port(1), () => undefined, {
        unknownAccess: () => undefined,
      }).loadState(saved),
    ).toThrow(/16-sector disk/);
  });
});
