import { describe, expect, it } from 'vitest';
import { FrameAllocator } from '../../../core/vmm/frame-allocator';
import { GuestMemory } from '../../../core/vmm/guest-memory';
import { HostDiskDriver } from '../../../core/vmm/host-disk-driver';
import { VolumeStore } from '../../../core/vmm/volume-store';
import { VirtioMmio, type VirtioBackend } from '../../../core/vmm/devices/virtio-mmio';
import { VirtioBlk, VIRTIO_BLK, type BlkRequest } from '../../../core/vmm/devices/virtio-blk';
import { VirtioRng } from '../../../core/vmm/devices/virtio-rng';
import { MemoryHyp } from '../support/memory-hyp';
import { R, TestVirtioDriver } from '../support/virtio-driver';

const G = 0x8000_0000;

function machine(): { hyp: MemoryHyp; frames: FrameAllocator; mem: GuestMemory } {
  const hyp = new MemoryHyp({ ramSize: 8 * 1024 * 1024, diskSectors: 4096 });
  const frames = new FrameAllocator(0x8000_0000 + 0x10_0000, 7 * 1024 * 1024);
  const mem = new GuestMemory(hyp, frames, G, 2 * 1024 * 1024, 1);
  mem.populateAll();
  return { hyp, frames, mem };
}

function transport(mem: GuestMemory, backend: VirtioBackend | null): { dev: VirtioMmio; irq: boolean[]; logs: string[] } {
  const irq: boolean[] = [];
  const logs: string[] = [];
  const dev = new VirtioMmio(mem, backend, (l) => irq.push(l), (t) => logs.push(t));
  return { dev, irq, logs };
}

function rngDevice(mem: GuestMemory): { dev: VirtioMmio; irq: boolean[]; logs: string[] } {
  return transport(mem, new VirtioRng((n) => new Uint8Array(n).fill(0xa5), () => undefined));
}

describe('virtio-mmio transport', () => {
  it('identifies itself as a version 2 device and empty slots as DeviceID 0', () => {
    const { mem } = machine();
    const { dev } = rngDevice(mem);
    expect(dev.read(R.MAGIC, 4)).toBe(0x74726976);
    expect(dev.read(R.VERSION, 4)).toBe(2);
    expect(dev.read(R.DEVICE_ID, 4)).toBe(4);
    dev.write(R.DEVICE_FEATURES_SEL, 4, 1);
    expect(dev.read(R.DEVICE_FEATURES, 4) & 1).toBe(1);
    expect(transport(mem, null).dev.read(R.DEVICE_ID, 4)).toBe(0);
  });

  it('accepts FEATURES_OK only for a subset of the offer that includes VERSION_1', () => {
    const { mem } = machine();
    const a = new TestVirtioDriver(rngDevice(mem).dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    expect(a.init(0, 0) & 8).toBe(0);
    const b = new TestVirtioDriver(rngDevice(mem).dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    expect(b.init(1 << 3, 1) & 8).toBe(0);
    const c = new TestVirtioDriver(rngDevice(mem).dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    expect(c.init(0, 1) & 8).toBe(8);
  });

  it('refuses status writes that clear bits, and resets on 0', () => {
    const { mem } = machine();
    const { dev, logs } = rngDevice(mem);
    const d = new TestVirtioDriver(dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    d.init(0, 1);
    dev.write(R.STATUS, 4, 1);
    expect(dev.read(R.STATUS, 4)).toBe(1 | 2 | 8);
    expect(logs.some((l) => /clears bits/.test(l))).toBe(true);
    d.setupQueue(0);
    dev.write(R.STATUS, 4, 0);
    expect(dev.read(R.STATUS, 4)).toBe(0);
    dev.write(R.QUEUE_SEL, 4, 0);
    expect(dev.read(R.QUEUE_READY, 4)).toBe(0);
  });

  it('validates queue setup: power-of-two size within QueueNumMax, aligned rings in RAM', () => {
    const { mem } = machine();
    const { dev, logs } = rngDevice(mem);
    dev.write(R.QUEUE_SEL, 4, 0);
    expect(dev.read(R.QUEUE_NUM_MAX, 4)).toBe(64);
    dev.write(R.QUEUE_NUM, 4, 6);
    dev.write(R.QUEUE_READY, 4, 1);
    expect(dev.read(R.QUEUE_READY, 4)).toBe(0);
    dev.write(R.QUEUE_NUM, 4, 8);
    dev.write(R.DESC_LO, 4, 0x1000);
    dev.write(R.QUEUE_READY, 4, 1);
    expect(dev.read(R.QUEUE_READY, 4)).toBe(0);
    expect(logs.join('\n')).toMatch(/power of two[\s\S]*misaligned|power of two[\s\S]*outside/);
    dev.write(R.QUEUE_SEL, 4, 1);
    expect(dev.read(R.QUEUE_NUM_MAX, 4)).toBe(0);
  });

  it('processes a notified chain into the used ring and interrupts until acknowledged', () => {
    const { mem } = machine();
    const { dev, irq } = rngDevice(mem);
    const d = new TestVirtioDriver(dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    d.init(0, 1);
    d.setupQueue(0);
    d.driverOk();
    const head = d.submit(0, [{ gpa: G + 0x8000, len: 16, write: true }]);
    expect(d.usedIdx()).toBe(1);
    expect(d.usedElem(0)).toEqual({ id: head, len: 16 });
    expect([...mem.read(G + 0x8000, 16)].every((b) => b === 0xa5)).toBe(true);
    expect(dev.read(R.INTERRUPT_STATUS, 4)).toBe(1);
    expect(irq.at(-1)).toBe(true);
    dev.write(R.INTERRUPT_ACK, 4, 1);
    expect(dev.read(R.INTERRUPT_STATUS, 4)).toBe(0);
    expect(irq.at(-1)).toBe(false);
  });

  it('suppresses the interrupt when the driver sets VIRTQ_AVAIL_F_NO_INTERRUPT', () => {
    const { mem } = machine();
    const { dev } = rngDevice(mem);
    const d = new TestVirtioDriver(dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    d.init(0, 1);
    d.setupQueue(0);
    d.driverOk();
    mem.write16(G + 0x2000, 1);
    d.submit(0, [{ gpa: G + 0x8000, len: 4, write: true }]);
    expect(d.usedIdx()).toBe(1);
    expect(dev.read(R.INTERRUPT_STATUS, 4)).toBe(0);
  });

  it('a looping chain sets DEVICE_NEEDS_RESET and raises a configuration-change interrupt', () => {
    const { mem } = machine();
    const { dev } = rngDevice(mem);
    const d = new TestVirtioDriver(dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    d.init(0, 1);
    d.setupQueue(0);
    d.driverOk();
    const bytes = new Uint8Array(16);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, G + 0x8000, true);
    v.setUint32(8, 4, true);
    v.setUint16(12, 1 | 2, true);
    v.setUint16(14, 0, true);
    mem.write(G + 0x1000, bytes);
    mem.write16(G + 0x2000 + 4, 0);
    mem.write16(G + 0x2000 + 2, 1);
    dev.write(R.QUEUE_NOTIFY, 4, 0);
    expect(dev.read(R.STATUS, 4) & 64).toBe(64);
    expect(dev.read(R.INTERRUPT_STATUS, 4)).toBe(2);
  });
});

describe('virtio-blk over the host disk', () => {
  function blk(): { hyp: MemoryHyp; mem: GuestMemory; disk: HostDiskDriver; d: TestVirtioDriver; dev: VirtioMmio; seen: BlkRequest[] } {
    const { hyp, frames, mem } = machine();
    const disk = new HostDiskDriver(hyp, frames, 2, 8 * 1024);
    const store = new VolumeStore(disk.sectors);
    store.create('pad', 100);
    const vol = store.create('vol0', 64);
    const seen: BlkRequest[] = [];
    const backend = new VirtioBlk(1, vol, false, disk, {
      submit: (r) => void seen.push(r),
      complete: (r, finish) => {
        finish(r);
        return r.status;
      },
      request: () => undefined,
    });
    const { dev } = transport(mem, backend);
    const d = new TestVirtioDriver(dev, mem, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    expect(d.init(VIRTIO_BLK.F_FLUSH, 1) & 8).toBe(8);
    d.setupQueue(0);
    d.driverOk();
    return { hyp, mem, disk, d, dev, seen };
  }

  function header(mem: GuestMemory, at: number, type: number, sector: number): void {
    const h = new Uint8Array(16);
    new DataView(h.buffer).setUint32(0, type, true);
    new DataView(h.buffer).setUint32(8, sector, true);
    mem.write(at, h);
  }

  it('reports capacity in config space', () => {
    const { dev } = blk();
    expect(dev.read(0x100, 4)).toBe(64);
    expect(dev.read(0x104, 4)).toBe(0);
  });

  it('writes then reads sectors at the volume offset on the host disk, split over bounce buffers', () => {
    const { hyp, mem, disk, d, seen } = blk();
    const payload = new Uint8Array(40 * 512).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    mem.write(G + 0x10000, payload.subarray(0, 40 * 512));
    header(mem, G + 0x4000, VIRTIO_BLK.T_OUT, 5);
    d.submit(0, [{ gpa: G + 0x4000, len: 16 }, { gpa: G + 0x10000, len: 40 * 512 }, { gpa: G + 0x5000, len: 1, write: true }]);
    expect(d.usedIdx()).toBe(0);
    while (disk.busy) disk.poll();
    expect(d.usedIdx()).toBe(1);
    expect(mem.read(G + 0x5000, 1)[0]).toBe(0);
    expect([...hyp.diskBytes.subarray((100 + 5) * 512, (100 + 45) * 512)]).toEqual([...payload.subarray(0, 40 * 512)]);
    header(mem, G + 0x4100, VIRTIO_BLK.T_IN, 5);
    d.submit(0, [{ gpa: G + 0x4100, len: 16 }, { gpa: G + 0x20000, len: 40 * 512, write: true }, { gpa: G + 0x5001, len: 1, write: true }]);
    while (disk.busy) disk.poll();
    expect(d.usedElem(1).len).toBe(40 * 512 + 1);
    expect([...mem.read(G + 0x20000, 40 * 512)]).toEqual([...payload.subarray(0, 40 * 512)]);
    expect(seen.map((r) => [r.type, r.sector, r.sectors])).toEqual([[1, 5, 40], [0, 5, 40]]);
  });

  it('answers IOERR beyond capacity, UNSUPP for unknown types, and GET_ID with the volume name', () => {
    const { mem, disk, d } = blk();
    header(mem, G + 0x4000, VIRTIO_BLK.T_IN, 63);
    d.submit(0, [{ gpa: G + 0x4000, len: 16 }, { gpa: G + 0x10000, len: 1024, write: true }, { gpa: G + 0x5000, len: 1, write: true }]);
    header(mem, G + 0x4100, 99, 0);
    d.submit(0, [{ gpa: G + 0x4100, len: 16 }, { gpa: G + 0x5001, len: 1, write: true }]);
    header(mem, G + 0x4200, VIRTIO_BLK.T_GET_ID, 0);
    d.submit(0, [{ gpa: G + 0x4200, len: 16 }, { gpa: G + 0x6000, len: 20, write: true }, { gpa: G + 0x5002, len: 1, write: true }]);
    while (disk.busy) disk.poll();
    expect([...mem.read(G + 0x5000, 3)]).toEqual([VIRTIO_BLK.S_IOERR, VIRTIO_BLK.S_UNSUPP, VIRTIO_BLK.S_OK]);
    expect(String.fromCharCode(...mem.read(G + 0x6000, 11))).toBe('labvol-vol0');
  });
});
