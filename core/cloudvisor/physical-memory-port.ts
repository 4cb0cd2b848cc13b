// How the monitor touches physical memory: directly, as HS-mode code on the real machine does.
// The board's RAM implements it; the monitor never goes through the VMM's view (EPT-x).

export interface PhysicalMemoryPort {
  readonly ramBase: number;
  readonly ramSize: number;
  read32(pa: number): number;
  write32(pa: number, value: number): void;
  readBytes(pa: number, length: number): Uint8Array;
  writeBytes(pa: number, bytes: Uint8Array): void;
  fill(pa: number, length: number, value: number): void;
}

export { PAGE_SHIFT, PAGE_SIZE } from '../spec/riscv-priv';
