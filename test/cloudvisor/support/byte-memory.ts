// Physical memory for the monitor's unit tests: a little-endian byte array at a RAM base, the
// same contract the board's RAM implements.
import type { PhysicalMemoryPort } from '../../../core/cloudvisor/physical-memory-port';

export class ByteMemory implements PhysicalMemoryPort {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(
    readonly ramBase: number,
    readonly ramSize: number,
  ) {
    this.bytes = new Uint8Array(ramSize);
    this.view = new DataView(this.bytes.buffer);
  }

  private offset(pa: number, length: number): number {
    const off = pa - this.ramBase;
    if (off < 0 || off + length > this.ramSize) throw new RangeError(`0x${pa.toString(16)} is outside RAM`);
    return off;
  }

  read32(pa: number): number {
    return this.view.getUint32(this.offset(pa, 4), true);
  }

  write32(pa: number, value: number): void {
    this.view.setUint32(this.offset(pa, 4), value >>> 0, true);
  }

  readBytes(pa: number, length: number): Uint8Array {
    const off = this.offset(pa, length);
    return this.bytes.slice(off, off + length);
  }

  writeBytes(pa: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, this.offset(pa, bytes.length));
  }

  fill(pa: number, length: number, value: number): void {
    const off = this.offset(pa, length);
    this.bytes.fill(value, off, off + length);
  }
}
