// A minimal virtio-mmio driver for the tests, written from virtio 1.2 sections 3.1.1 and 2.7
// (not from the device code): status handshake, feature negotiation, split-queue setup in guest
// memory, descriptor chains, notify, and reading the used ring.
import type { GuestMemory } from '../../../core/vmm/guest-memory';
import type { VirtioMmio } from '../../../core/vmm/devices/virtio-mmio';

export const R = {
  MAGIC: 0x0, VERSION: 0x4, DEVICE_ID: 0x8, DEVICE_FEATURES: 0x10, DEVICE_FEATURES_SEL: 0x14, DRIVER_FEATURES: 0x20,
  DRIVER_FEATURES_SEL: 0x24, QUEUE_SEL: 0x30, QUEUE_NUM_MAX: 0x34, QUEUE_NUM: 0x38, QUEUE_READY: 0x44, QUEUE_NOTIFY: 0x50,
  INTERRUPT_STATUS: 0x60, INTERRUPT_ACK: 0x64, STATUS: 0x70, DESC_LO: 0x80, DRIVER_LO: 0x90, DEVICE_LO: 0xa0,
} as const;

export interface Seg {
  gpa: number;
  len: number;
  write?: boolean;
}

export class TestVirtioDriver {
  private nextDesc = 0;
  private availIdx = 0;
  constructor(readonly dev: VirtioMmio, readonly mem: GuestMemory, readonly desc: number, readonly avail: number, readonly used: number, readonly num: number) {}

  /** 3.1.1 steps 1-8; returns the status read back after FEATURES_OK. */
  init(featuresLo: number, featuresHi: number): number {
    this.dev.write(R.STATUS, 4, 0);
    this.dev.write(R.STATUS, 4, 1);
    this.dev.write(R.STATUS, 4, 1 | 2);
    this.dev.write(R.DRIVER_FEATURES_SEL, 4, 0);
    this.dev.write(R.DRIVER_FEATURES, 4, featuresLo);
    this.dev.write(R.DRIVER_FEATURES_SEL, 4, 1);
    this.dev.write(R.DRIVER_FEATURES, 4, featuresHi);
    this.dev.write(R.STATUS, 4, 1 | 2 | 8);
    return this.dev.read(R.STATUS, 4);
  }

  setupQueue(q: number): void {
    this.dev.write(R.QUEUE_SEL, 4, q);
    this.dev.write(R.QUEUE_NUM, 4, this.num);
    this.dev.write(R.DESC_LO, 4, this.desc);
    this.dev.write(R.DRIVER_LO, 4, this.avail);
    this.dev.write(R.DEVICE_LO, 4, this.used);
    this.dev.write(R.QUEUE_READY, 4, 1);
  }

  driverOk(): void {
    this.dev.write(R.STATUS, 4, 1 | 2 | 8 | 4);
  }

  /** Writes a chain into the descriptor table and the available ring, then notifies. */
  submit(q: number, segs: readonly Seg[], notify = true): number {
    const head = this.nextDesc;
    segs.forEach((s, i) => {
      const d = (head + i) % this.num;
      const bytes = new Uint8Array(16);
      const v = new DataView(bytes.buffer);
      v.setUint32(0, s.gpa, true);
      v.setUint32(8, s.len, true);
      v.setUint16(12, (i + 1 < segs.length ? 1 : 0) | (s.write === true ? 2 : 0), true);
      v.setUint16(14, (d + 1) % this.num, true);
      this.mem.write(this.desc + d * 16, bytes);
    });
    this.nextDesc = (head + segs.length) % this.num;
    this.mem.write16(this.avail + 4 + 2 * (this.availIdx % this.num), head);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    this.mem.write16(this.avail + 2, this.availIdx);
    if (notify) this.dev.write(R.QUEUE_NOTIFY, 4, q);
    return head;
  }

  usedIdx(): number {
    return this.mem.read16(this.used + 2);
  }

  usedElem(i: number): { id: number; len: number } {
    return { id: this.mem.read32(this.used + 4 + 8 * i), len: this.mem.read32(this.used + 8 + 8 * i) };
  }
}
