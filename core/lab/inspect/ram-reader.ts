// The inspectors' view of RAM as a PhysicalMemoryPort: reads straight from the RAM's typed arrays
// (no bus dispatch, no device, no side effect), so walking a few thousand table entries per
// refresh stays cheap. Inspecting never writes: a write here is a bug and throws.
import type { PhysicalMemoryPort } from '../../cloudvisor/physical-memory-port';
import type { Ram } from '../../hw/memory/ram';

export class RamReader implements PhysicalMemoryPort {
  readonly ramBase: number;
  readonly ramSize: number;
  private readonly view: DataView;

  constructor(private readonly ram: Ram) {
    this.ramBase = ram.base;
    this.ramSize = ram.size;
    this.view = new DataView(ram.buffer);
  }

  read32(pa: number): number {
    this.check(pa, 4);
    return this.view.getUint32(pa - this.ramBase, true);
  }

  readBytes(pa: number, length: number): Uint8Array {
    this.check(pa, length);
    return this.ram.u8.subarray(pa - this.ramBase, pa - this.ramBase + length);
  }

  write32(): void {
    throw new Error('the inspectors never write memory');
  }

  writeBytes(): void {
    throw new Error('the inspectors never write memory');
  }

  fill(): void {
    throw new Error('the inspectors never write memory');
  }

  private check(pa: number, length: number): void {
    if (!this.ram.contains(pa, length)) throw new RangeError(`0x${pa.toString(16)} + ${length} is not RAM`);
  }
}
