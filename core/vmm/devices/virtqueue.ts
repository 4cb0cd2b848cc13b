// One split virtqueue as the device side sees it (virtio 1.2, section 2.7): the descriptor
// table, the driver (available) ring and the device (used) ring, all in guest memory, read and
// written only through the domain's GuestMemory: the minimum a real device model touches.
// Invariants: chains are validated before use (bounded length, no loops, readable descriptors
// before writable ones, in-range addresses); lastAvail only moves forward, modulo 2^16.
import type { GuestMemory } from '../guest-memory';
import { readLe } from '../guest-memory';
import type { VirtqBuffer, VirtqChain } from '../patch-api';

export type { VirtqBuffer, VirtqChain } from '../patch-api';

export const VIRTQ = {
  DESC_F_NEXT: 1,
  DESC_F_WRITE: 2,
  DESC_F_INDIRECT: 4,
  AVAIL_F_NO_INTERRUPT: 1,
  DESC_SIZE: 16,
} as const;


export class Virtqueue {
  num = 0;
  ready = false;
  descAddr = 0;
  driverAddr = 0;
  deviceAddr = 0;
  lastAvail = 0;
  usedIdx = 0;

  constructor(readonly index: number, readonly numMax: number) {}

  reset(): void {
    this.num = 0;
    this.ready = false;
    this.descAddr = this.driverAddr = this.deviceAddr = 0;
    this.lastAvail = this.usedIdx = 0;
  }

  /** The next available chain, or null when the driver has made nothing new available. */
  pop(mem: GuestMemory): VirtqChain | null {
    if (!this.ready || this.num === 0) return null;
    const availIdx = mem.read16(this.driverAddr + 2);
    if (availIdx === this.lastAvail) return null;
    if (((availIdx - this.lastAvail) & 0xffff) > this.num) {
      throw new Error(`virtqueue ${this.index}: avail idx ${availIdx} is more than ${this.num} ahead of ${this.lastAvail}`);
    }
    const head = mem.read16(this.driverAddr + 4 + 2 * (this.lastAvail % this.num));
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    return this.walk(mem, head);
  }

  /** Returns a chain to the driver with `written` bytes written; true if the driver wants an interrupt. */
  push(mem: GuestMemory, head: number, written: number): boolean {
    const slot = this.deviceAddr + 4 + 8 * (this.usedIdx % this.num);
    mem.write32(slot, head);
    mem.write32(slot + 4, written);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    // The used element must be visible before the index (2.7.13): written in that order.
    mem.write16(this.deviceAddr + 2, this.usedIdx);
    return (mem.read16(this.driverAddr) & VIRTQ.AVAIL_F_NO_INTERRUPT) === 0;
  }

  private walk(mem: GuestMemory, head: number): VirtqChain {
    if (head >= this.num) throw new Error(`virtqueue ${this.index}: head ${head} out of range (size ${this.num})`);
    const readable: VirtqBuffer[] = [];
    const writable: VirtqBuffer[] = [];
    let i = head;
    for (let n = 0; ; n++) {
      if (n >= this.num) throw new Error(`virtqueue ${this.index}: descriptor chain from ${head} loops`);
      const d = mem.read(this.descAddr + i * VIRTQ.DESC_SIZE, VIRTQ.DESC_SIZE);
      const addrHi = readLe(d, 4, 4);
      const gpa = readLe(d, 0, 4) + addrHi * 0x1_0000_0000;
      const len = readLe(d, 8, 4);
      const flags = readLe(d, 12, 2);
      if ((flags & VIRTQ.DESC_F_INDIRECT) !== 0) throw new Error(`virtqueue ${this.index}: indirect descriptors were not negotiated`);
      if (!mem.contains(gpa, len)) throw new Error(`virtqueue ${this.index}: buffer 0x${gpa.toString(16)}+${len} is outside guest RAM`);
      if ((flags & VIRTQ.DESC_F_WRITE) !== 0) writable.push({ gpa, len });
      else if (writable.length > 0) throw new Error(`virtqueue ${this.index}: readable descriptor after a writable one`);
      else readable.push({ gpa, len });
      if ((flags & VIRTQ.DESC_F_NEXT) === 0) break;
      i = readLe(d, 14, 2);
      if (i >= this.num) throw new Error(`virtqueue ${this.index}: next ${i} out of range`);
    }
    return { head, readable, writable };
  }
}

/** Gathers a chain's readable bytes (at most `max`). */
export function gather(mem: GuestMemory, buffers: readonly VirtqBuffer[], max: number): Uint8Array {
  const total = Math.min(max, buffers.reduce((n, b) => n + b.len, 0));
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    if (at >= total) break;
    const n = Math.min(b.len, total - at);
    out.set(mem.read(b.gpa, n), at);
    at += n;
  }
  return out;
}

/** Scatters bytes over writable buffers; returns how many were written. */
export function scatter(mem: GuestMemory, buffers: readonly VirtqBuffer[], bytes: Uint8Array): number {
  let at = 0;
  for (const b of buffers) {
    if (at >= bytes.length) break;
    const n = Math.min(b.len, bytes.length - at);
    mem.write(b.gpa, bytes.subarray(at, at + n));
    at += n;
  }
  return at;
}
