// The host's physical disk controller: a ring of 32-byte requests in RAM, data buffers moved
// by DMA through the IOMMU (a DmaPort), a completion interrupt. Requests are processed
// synchronously, in ring order, when the driver writes the doorbell: deterministic, no timers.
// Invariants: a bad request gets an error status and changes neither disk nor memory beyond
// its status; a failed entry fetch halts the queue with ERROR set; nothing here throws for guest input.
// Our own device; registers and queue format are specified in docs/hw/host-disk.md.
import {
  type AccessWidth,
  type DeviceLog,
  type DmaPort,
  type IrqLine,
  isDmaFault,
  type MmioDevice,
} from '../device';
import { type DeviceRegister, DeviceRegisters } from '../device-registers';
import { type DiskBacking, SECTOR_SIZE } from './disk-backing';

export const HOST_DISK_REG = {
  MAGIC: 0x00,
  VERSION: 0x04,
  CAPACITY_LO: 0x08,
  CAPACITY_HI: 0x0c,
  SECTOR_SIZE: 0x10,
  FEATURES: 0x14,
  QUEUE_BASE: 0x20,
  QUEUE_SIZE: 0x28,
  QUEUE_ENABLE: 0x2c,
  DOORBELL: 0x30,
  QUEUE_HEAD: 0x34,
  INTERRUPT_STATUS: 0x38,
  INTERRUPT_ENABLE: 0x3c,
  ERROR: 0x40,
  COMPLETED: 0x44,
} as const;

/** "DISK" in little-endian ASCII. */
export const HOST_DISK_MAGIC = 0x4b53_4944;
export const HOST_DISK_VERSION = 1;
export const HOST_DISK_FEATURE = { READ_ONLY: 1 << 0 } as const;
export const HOST_DISK_OP = { READ: 1, WRITE: 2, FLUSH: 3 } as const;
export const HOST_DISK_STATUS = {
  OK: 1,
  IO_ERROR: 2,
  BAD_REQUEST: 3,
  DMA_FAULT: 4,
  OUT_OF_RANGE: 5,
  READ_ONLY: 6,
} as const;
export const HOST_DISK_INT = { COMPLETION: 1 << 0, ERROR: 1 << 1 } as const;
export const HOST_DISK_ERROR = { NONE: 0, BAD_QUEUE_CONFIG: 1, QUEUE_DMA_FAULT: 2, BAD_DOORBELL: 3 } as const;
export const HOST_DISK_ENTRY = {
  SIZE: 32,
  OPCODE: 0x00,
  STATUS: 0x01,
  FLAGS: 0x02,
  COUNT: 0x04,
  SECTOR_LO: 0x08,
  SECTOR_HI: 0x0c,
  BUFFER: 0x10,
  BUFFER_HI: 0x14,
  TAG: 0x18,
  RESULT: 0x1c,
} as const;
/** Largest transfer of one request: 2048 sectors (1 MiB). */
export const HOST_DISK_MAX_SECTORS = 2048;
export const HOST_DISK_MAX_QUEUE = 256;
export const HOST_DISK_STATE_VERSION = 1;

export interface HostDiskState {
  readonly version: number;
  readonly capacity: number;
  readonly queueBase: number;
  readonly queueSize: number;
  readonly enabled: boolean;
  readonly head: number;
  readonly interruptStatus: number;
  readonly interruptEnable: number;
  readonly error: number;
  readonly completed: number;
}

/** The outcome of one request: the status and the number of bytes moved. */
interface Outcome {
  readonly status: number;
  readonly bytes: number;
}

export class HostDisk implements MmioDevice {
  readonly name = 'host-disk';
  readonly size = 0x1000;
  private queueBase = 0;
  private queueSize = 0;
  private enabled = false;
  private head = 0;
  private interruptStatus = 0;
  private interruptEnable = 0;
  private error: number = HOST_DISK_ERROR.NONE;
  private completed = 0;
  private readonly registers: DeviceRegisters<keyof typeof HOST_DISK_REG>;

  constructor(
    private readonly backing: DiskBacking,
    private readonly dma: DmaPort,
    private readonly irq: IrqLine,
    log: DeviceLog,
  ) {
    const capacity = backing.sectorCount;
    const table: readonly DeviceRegister<keyof typeof HOST_DISK_REG>[] = [
      { offset: HOST_DISK_REG.MAGIC, name: 'MAGIC', read: () => HOST_DISK_MAGIC },
      { offset: HOST_DISK_REG.VERSION, name: 'VERSION', read: () => HOST_DISK_VERSION },
      { offset: HOST_DISK_REG.CAPACITY_LO, name: 'CAPACITY_LO', read: () => capacity % 2 ** 32 },
      { offset: HOST_DISK_REG.CAPACITY_HI, name: 'CAPACITY_HI', read: () => Math.floor(capacity / 2 ** 32) },
      { offset: HOST_DISK_REG.SECTOR_SIZE, name: 'SECTOR_SIZE', read: () => SECTOR_SIZE },
      {
        offset: HOST_DISK_REG.FEATURES,
        name: 'FEATURES',
        read: () => (backing.readOnly ? HOST_DISK_FEATURE.READ_ONLY : 0),
      },
      {
        offset: HOST_DISK_REG.QUEUE_BASE,
        name: 'QUEUE_BASE',
        read: () => this.queueBase,
        write: (v) => this.configure(() => (this.queueBase = v)),
      },
      {
        offset: HOST_DISK_REG.QUEUE_SIZE,
        name: 'QUEUE_SIZE',
        read: () => this.queueSize,
        write: (v) => this.configure(() => (this.queueSize = v)),
      },
      {
        offset: HOST_DISK_REG.QUEUE_ENABLE,
        name: 'QUEUE_ENABLE',
        read: () => (this.enabled ? 1 : 0),
        write: (v) => this.setEnable(v),
      },
      { offset: HOST_DISK_REG.DOORBELL, name: 'DOORBELL', read: () => 0, write: (v) => this.doorbell(v) },
      { offset: HOST_DISK_REG.QUEUE_HEAD, name: 'QUEUE_HEAD', read: () => this.head },
      {
        offset: HOST_DISK_REG.INTERRUPT_STATUS,
        name: 'INTERRUPT_STATUS',
        read: () => this.interruptStatus,
        write: (v) => this.setInterrupts(this.interruptStatus & ~v, this.interruptEnable),
      },
      {
        offset: HOST_DISK_REG.INTERRUPT_ENABLE,
        name: 'INTERRUPT_ENABLE',
        read: () => this.interruptEnable,
        write: (v) => this.setInterrupts(this.interruptStatus, v & 3),
      },
      { offset: HOST_DISK_REG.ERROR, name: 'ERROR', read: () => this.error },
      { offset: HOST_DISK_REG.COMPLETED, name: 'COMPLETED', read: () => this.completed },
    ];
    this.registers = new DeviceRegisters(this.name, table, log);
  }

  read(offset: number, width: AccessWidth): number {
    return this.registers.read(offset, width);
  }

  write(offset: number, width: AccessWidth, value: number): void {
    this.registers.write(offset, width, value);
  }

  reset(): void {
    this.queueBase = 0;
    this.queueSize = 0;
    this.enabled = false;
    this.head = 0;
    this.error = HOST_DISK_ERROR.NONE;
    this.completed = 0;
    this.setInterrupts(0, 0);
  }

  /** Queue base and size may change only while the queue is disabled. */
  private configure(apply: () => void): void {
    if (this.enabled) {
      this.fail(HOST_DISK_ERROR.BAD_QUEUE_CONFIG);
      return;
    }
    apply();
  }

  private setEnable(value: number): void {
    if ((value & 1) === 0) {
      this.enabled = false;
      this.head = 0;
      return;
    }
    const size = this.queueSize;
    const sizeOk = size >= 1 && size <= HOST_DISK_MAX_QUEUE && (size & (size - 1)) === 0;
    if (!sizeOk || this.queueBase % HOST_DISK_ENTRY.SIZE !== 0) {
      this.fail(HOST_DISK_ERROR.BAD_QUEUE_CONFIG);
      return;
    }
    this.enabled = true;
    this.head = 0;
    this.error = HOST_DISK_ERROR.NONE;
  }

  /** The driver's tail: every entry from head up to (not including) tail is processed now. */
  private doorbell(tail: number): void {
    if (!this.enabled || tail >= this.queueSize) {
      this.fail(HOST_DISK_ERROR.BAD_DOORBELL);
      return;
    }
    let done = 0;
    while (this.head !== tail && this.enabled) {
      if (!this.processEntry(this.queueBase + this.head * HOST_DISK_ENTRY.SIZE)) return;
      this.head = (this.head + 1) % this.queueSize;
      done++;
    }
    if (done > 0) this.setInterrupts(this.interruptStatus | HOST_DISK_INT.COMPLETION, this.interruptEnable);
  }

  /** Fetches, executes and completes one entry; false if the entry itself could not be reached. */
  private processEntry(address: number): boolean {
    const raw = this.dma.read(address, HOST_DISK_ENTRY.SIZE);
    if (isDmaFault(raw)) {
      this.halt();
      return false;
    }
    const entry = new DataView(raw.buffer, raw.byteOffset, HOST_DISK_ENTRY.SIZE);
    const outcome = this.execute(entry);
    const result = new Uint8Array(HOST_DISK_ENTRY.SIZE);
    result.set(raw);
    const out = new DataView(result.buffer);
    out.setUint8(HOST_DISK_ENTRY.STATUS, outcome.status);
    out.setUint32(HOST_DISK_ENTRY.RESULT, outcome.bytes, true);
    // Status and result are written back in one DMA of the whole entry (the driver's fields unchanged).
    if (this.dma.write(address, result) !== null) {
      this.halt();
      return false;
    }
    this.completed = (this.completed + 1) >>> 0;
    return true;
  }

  private execute(entry: DataView): Outcome {
    const op = entry.getUint8(HOST_DISK_ENTRY.OPCODE);
    const count = entry.getUint32(HOST_DISK_ENTRY.COUNT, true);
    const sector =
      entry.getUint32(HOST_DISK_ENTRY.SECTOR_LO, true) +
      entry.getUint32(HOST_DISK_ENTRY.SECTOR_HI, true) * 2 ** 32;
    const buffer = entry.getUint32(HOST_DISK_ENTRY.BUFFER, true);
    const bad = { status: HOST_DISK_STATUS.BAD_REQUEST, bytes: 0 };
    if (
      entry.getUint16(HOST_DISK_ENTRY.FLAGS, true) !== 0 ||
      entry.getUint32(HOST_DISK_ENTRY.BUFFER_HI, true) !== 0
    )
      return bad;
    if (op === HOST_DISK_OP.FLUSH) return count === 0 ? this.guard(() => this.backing.flush(), 0) : bad;
    if (op !== HOST_DISK_OP.READ && op !== HOST_DISK_OP.WRITE) return bad;
    if (count === 0 || count > HOST_DISK_MAX_SECTORS) return bad;
    if (sector + count > this.backing.sectorCount) return { status: HOST_DISK_STATUS.OUT_OF_RANGE, bytes: 0 };
    return op === HOST_DISK_OP.READ
      ? this.diskToMemory(sector, count, buffer)
      : this.memoryToDisk(sector, count, buffer);
  }

  private diskToMemory(sector: number, count: number, buffer: number): Outcome {
    let data: Uint8Array;
    try {
      data = this.backing.read(sector, count);
    } catch {
      return { status: HOST_DISK_STATUS.IO_ERROR, bytes: 0 };
    }
    if (this.dma.write(buffer, data) !== null) return { status: HOST_DISK_STATUS.DMA_FAULT, bytes: 0 };
    return { status: HOST_DISK_STATUS.OK, bytes: data.length };
  }

  private memoryToDisk(sector: number, count: number, buffer: number): Outcome {
    if (this.backing.readOnly) return { status: HOST_DISK_STATUS.READ_ONLY, bytes: 0 };
    const data = this.dma.read(buffer, count * SECTOR_SIZE);
    if (isDmaFault(data)) return { status: HOST_DISK_STATUS.DMA_FAULT, bytes: 0 };
    return this.guard(() => this.backing.write(sector, data), data.length);
  }

  /** Backing errors (a vanished or failing image file) become IO_ERROR, never an exception. */
  private guard(op: () => void, bytes: number): Outcome {
    try {
      op();
      return { status: HOST_DISK_STATUS.OK, bytes };
    } catch {
      return { status: HOST_DISK_STATUS.IO_ERROR, bytes: 0 };
    }
  }

  private halt(): void {
    this.enabled = false;
    this.fail(HOST_DISK_ERROR.QUEUE_DMA_FAULT);
  }

  private fail(code: number): void {
    this.error = code;
    this.setInterrupts(this.interruptStatus | HOST_DISK_INT.ERROR, this.interruptEnable);
  }

  private setInterrupts(status: number, enable: number): void {
    this.interruptStatus = status & 3;
    this.interruptEnable = enable & 3;
    this.irq((this.interruptStatus & this.interruptEnable) !== 0);
  }

  saveState(): HostDiskState {
    return {
      version: HOST_DISK_STATE_VERSION,
      capacity: this.backing.sectorCount,
      queueBase: this.queueBase,
      queueSize: this.queueSize,
      enabled: this.enabled,
      head: this.head,
      interruptStatus: this.interruptStatus,
      interruptEnable: this.interruptEnable,
      error: this.error,
      completed: this.completed,
    };
  }

  /** Restores registers; the disk contents are the backing's (the image file), not part of this state. */
  loadState(state: HostDiskState): void {
    if (state.version !== HOST_DISK_STATE_VERSION)
      throw new Error(`host-disk: state version ${String(state.version)} is not ${HOST_DISK_STATE_VERSION}`);
    if (state.capacity !== this.backing.sectorCount)
      throw new Error(
        `host-disk: state is for a ${state.capacity}-sector disk, this one has ${this.backing.sectorCount}`,
      );
    if (state.enabled && (state.queueSize < 1 || state.head >= state.queueSize))
      throw new Error('host-disk: state has an enabled queue with an invalid size or head');
    this.queueBase = state.queueBase >>> 0;
    this.queueSize = state.queueSize >>> 0;
    this.enabled = state.enabled;
    this.head = state.head >>> 0;
    this.error = state.error >>> 0;
    this.completed = state.completed >>> 0;
    this.setInterrupts(state.interruptStatus, state.interruptEnable);
  }
}
