// The monitor's PhysicalMemoryPort over the board's physical bus: HS-mode code touching RAM
// directly. Writes go through the bus so decoded-instruction caches see code changes.
// Invariant: only the RAM window [ramBase, ramBase + ramSize) is this port's to touch.
import type { PhysicalMemoryPort } from './physical-memory-port';

export interface RamBus {
  readBytes(pa: number, length: number): Uint8Array;
  writeBytes(pa: number, bytes: Uint8Array): void;
  read32(pa: number): number;
  write32(pa: number, value: number): void;
}

export class BusMemoryPort implements PhysicalMemoryPort {
  constructor(
    private readonly bus: RamBus,
    readonly ramBase: number,
    readonly ramSize: number,
  ) {}

  read32(pa: number): number {
    return this.bus.read32(pa) >>> 0;
  }

  write32(pa: number, value: number): void {
    this.bus.write32(pa, value >>> 0);
  }

  readBytes(pa: number, length: number): Uint8Array {
    return this.bus.readBytes(pa, length);
  }

  writeBytes(pa: number, bytes: Uint8Array): void {
    this.bus.writeBytes(pa, bytes);
  }

  fill(pa: number, length: number, value: number): void {
    this.bus.writeBytes(pa, new Uint8Array(length).fill(value));
  }
}
