// The physical address space: RAM plus memory-mapped device windows (core/hw/device.ts).
// Devices may overlay RAM pages (HTIF tohost); such pages never reach the hart's fast path.
// An access that hits nothing is a bus error, which the hart reports as an access fault,
// as QEMU virt does for unassigned addresses. Writes by DMA or slow-path stores to pages
// holding decoded code notify the registered code-write listeners.
import type { AccessWidth, MmioDevice } from '../device';
import { Ram } from './ram';

interface Window {
  readonly base: number;
  readonly end: number;
  readonly device: MmioDevice;
}

export type CodeWriteListener = (ramPage: number) => void;

export class PhysicalBus {
  readonly ram: Ram;
  private readonly windows: Window[] = [];
  /** Per RAM page: 1 when a device window overlays part of it. */
  private readonly overlay: Uint8Array;
  private readonly codeListeners: CodeWriteListener[] = [];
  /** Set by load() when the access hit nothing (read it right after the call). */
  busError = false;
  /** Set whenever a device window handles a store; the hart clears it to re-poll interrupts. */
  deviceWritten = false;

  constructor(ram: Ram) {
    this.ram = ram;
    this.overlay = new Uint8Array(ram.size / 4096);
  }

  /** Map a device window at `base`. Overlapping another device is a configuration error. */
  addDevice(base: number, device: MmioDevice): void {
    const end = base + device.size;
    if (!Number.isInteger(base) || base < 0 || end > 0x1_0000_0000 || device.size <= 0) {
      throw new RangeError(
        `device ${device.name}: window 0x${base.toString(16)}+0x${device.size.toString(16)} is outside the 32-bit space`,
      );
    }
    for (const w of this.windows) {
      if (base < w.end && w.base < end)
        throw new RangeError(`device ${device.name} overlaps ${w.device.name}`);
    }
    this.windows.push({ base, end, device });
    const r = this.ram;
    for (let p = Math.max(base, r.base); p < Math.min(end, r.base + r.size); p += 4096) {
      this.overlay[Math.floor((p - r.base) / 4096)] = 1;
    }
  }

  devices(): readonly { base: number; device: MmioDevice }[] {
    return this.windows.map((w) => ({ base: w.base, device: w.device }));
  }

  onCodeWrite(listener: CodeWriteListener): void {
    this.codeListeners.push(listener);
  }

  /** RAM page index for a physical page number, or -1 when the page is not plain RAM. */
  ramPage(ppn: number): number {
    const idx = ppn - this.ram.base / 4096;
    if (idx < 0 || idx >= this.overlay.length || this.overlay[idx] !== 0) return -1;
    return idx;
  }

  private find(pa: number): Window | undefined {
    for (const w of this.windows) if (pa >= w.base && pa < w.end) return w;
    return undefined;
  }

  /** A load of `width` bytes; sets busError when nothing answers. Little-endian, zero-extended. */
  load(pa: number, width: AccessWidth): number {
    this.busError = false;
    const w = this.find(pa);
    if (w !== undefined) {
      if (pa + width > w.end) return this.fail();
      return w.device.read(pa - w.base, width) >>> 0;
    }
    const r = this.ram;
    if (!r.contains(pa, width)) return this.fail();
    const a = pa - r.base;
    if (width === 1) return r.u8[a] ?? 0;
    if (width === 2) return (r.u8[a] ?? 0) | ((r.u8[a + 1] ?? 0) << 8);
    return (
      ((r.u8[a] ?? 0) |
        ((r.u8[a + 1] ?? 0) << 8) |
        ((r.u8[a + 2] ?? 0) << 16) |
        ((r.u8[a + 3] ?? 0) << 24)) >>>
      0
    );
  }

  /** A store of `width` bytes; returns false on a bus error. */
  store(pa: number, width: AccessWidth, value: number): boolean {
    const w = this.find(pa);
    if (w !== undefined) {
      if (pa + width > w.end) return false;
      this.deviceWritten = true;
      w.device.write(pa - w.base, width, width === 4 ? value >>> 0 : value & (width === 1 ? 0xff : 0xffff));
      return true;
    }
    const r = this.ram;
    if (!r.contains(pa, width)) return false;
    const a = pa - r.base;
    for (let i = 0; i < width; i++) r.u8[a + i] = (value >>> (8 * i)) & 0xff;
    this.codeWritten(a, width);
    return true;
  }

  private fail(): number {
    this.busError = true;
    return 0;
  }

  /** Tell decoders that bytes [ramOffset, ramOffset+length) of RAM changed. */
  codeWritten(ramOffset: number, length: number): void {
    const first = Math.floor(ramOffset / 4096);
    const last = Math.floor((ramOffset + Math.max(length, 1) - 1) / 4096);
    for (let p = first; p <= last; p++) {
      if (this.ram.codePages[p] !== 0) {
        this.ram.codePages[p] = 0;
        for (const l of this.codeListeners) l(p);
      }
    }
  }

  private checkRam(pa: number, length: number): number {
    if (!Number.isInteger(pa) || !Number.isInteger(length) || length < 0 || !this.ram.contains(pa, length)) {
      throw new RangeError(`physical range 0x${pa.toString(16)}+${length} is not inside RAM`);
    }
    return pa - this.ram.base;
  }

  /** DMA read: a copy of RAM bytes. Throws RangeError outside RAM. */
  readBytes(pa: number, length: number): Uint8Array {
    const a = this.checkRam(pa, length);
    return this.ram.u8.slice(a, a + length);
  }

  /** DMA write of RAM bytes (invalidates decoded code there). Throws RangeError outside RAM. */
  writeBytes(pa: number, bytes: Uint8Array): void {
    const a = this.checkRam(pa, bytes.length);
    this.ram.u8.set(bytes, a);
    this.codeWritten(a, bytes.length);
  }

  /** 32-bit little-endian RAM read (unsigned). Throws RangeError outside RAM. */
  read32(pa: number): number {
    const a = this.checkRam(pa, 4);
    const u = this.ram.u8;
    return ((u[a] ?? 0) | ((u[a + 1] ?? 0) << 8) | ((u[a + 2] ?? 0) << 16) | ((u[a + 3] ?? 0) << 24)) >>> 0;
  }

  /** 32-bit little-endian RAM write. Throws RangeError outside RAM. */
  write32(pa: number, value: number): void {
    const a = this.checkRam(pa, 4);
    const u = this.ram.u8;
    u[a] = value & 0xff;
    u[a + 1] = (value >>> 8) & 0xff;
    u[a + 2] = (value >>> 16) & 0xff;
    u[a + 3] = (value >>> 24) & 0xff;
    this.codeWritten(a, 4);
  }
}
