// The contract between the bus and every memory-mapped device of the board.
// Devices are plain objects with a register window; the hart reaches them only through
// the bus, so a device never sees a hart and never throws for a guest's mistake: an
// unknown offset is logged through `DeviceLog` and reads as zero.

/** Width in bytes of one MMIO access. */
export type AccessWidth = 1 | 2 | 4;

/** One interrupt wire from a device to an interrupt controller; level-triggered. */
export type IrqLine = (level: boolean) => void;

/** Where devices report accesses they do not understand (never silently ignored). */
export interface DeviceLog {
  unknownAccess(device: string, kind: 'read' | 'write', offset: number, width: AccessWidth, value?: number): void;
}

/** The board's virtual clock, in timebase ticks derived from retired instructions. */
export interface Clock {
  now(): number;
}

/**
 * A memory-mapped device. Offsets are relative to the device's base address.
 * Values are 32-bit; narrower reads return the zero-extended value.
 */
export interface MmioDevice {
  readonly name: string;
  /** Size of the register window in bytes. */
  readonly size: number;
  read(offset: number, width: AccessWidth): number;
  write(offset: number, width: AccessWidth, value: number): void;
  reset(): void;
}

/** Result of a DMA transfer that did not complete. */
export interface DmaFault {
  readonly address: number;
  readonly cause: 'unmapped' | 'read-denied' | 'write-denied' | 'bus-error';
}

/**
 * A device's view of physical memory for DMA. On the board it is the IOMMU
 * (identity until software enables translation).
 */
export interface DmaPort {
  read(address: number, length: number): Uint8Array | DmaFault;
  write(address: number, bytes: Uint8Array): DmaFault | null;
}

export function isDmaFault(value: Uint8Array | DmaFault | null): value is DmaFault {
  return value !== null && !(value instanceof Uint8Array);
}
