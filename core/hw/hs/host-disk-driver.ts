// The HS layer's driver for the host disk controller (docs/hw/host-disk.md): a request ring in
// HS-owned RAM, a doorbell, completions read back from the ring. The controller processes a
// batch synchronously on the doorbell, so a completion is visible as soon as submit returns; the
// completion interrupt still goes through the PLIC for the layer above to notice.
import { HOST_DISK_ENTRY, HOST_DISK_OP, HOST_DISK_REG, HOST_DISK_STATUS } from '../devices/host-disk';
import type { PhysicalBus } from '../memory/physical-bus';

export interface DiskDriverRequest {
  readonly op: 'read' | 'write' | 'flush';
  readonly sector: number;
  readonly count: number;
  readonly pa: number;
}

export interface DiskDriverCompletion {
  readonly tag: number;
  readonly status: 'ok' | 'io-error' | 'dma-fault';
}

const OPCODE = { read: HOST_DISK_OP.READ, write: HOST_DISK_OP.WRITE, flush: HOST_DISK_OP.FLUSH } as const;
const INT_ALL = 3;

export class HostDiskDriver {
  private tail = 0;
  private polled = 0;
  private nextTag = 1;
  private readonly capacity: number;

  constructor(
    private readonly bus: PhysicalBus,
    private readonly base: number,
    /** RAM for the ring: 32 bytes per entry, owned by the HS layer. */
    private readonly ringPa: number,
    private readonly size = 64,
  ) {
    this.reg(HOST_DISK_REG.QUEUE_ENABLE, 0);
    this.reg(HOST_DISK_REG.QUEUE_BASE, ringPa);
    this.reg(HOST_DISK_REG.QUEUE_SIZE, size);
    this.reg(HOST_DISK_REG.QUEUE_ENABLE, 1);
    this.reg(HOST_DISK_REG.INTERRUPT_ENABLE, INT_ALL);
    this.capacity = this.read(HOST_DISK_REG.CAPACITY_LO) + this.read(HOST_DISK_REG.CAPACITY_HI) * 0x1_0000_0000;
  }

  sectors(): number {
    return this.capacity;
  }

  /** Queues a request and returns its tag; throws when the ring is full or the request malformed. */
  submit(request: DiskDriverRequest): number {
    if (this.tail - this.polled >= this.size) throw new RangeError('the host disk queue is full: poll completions first');
    if (!Number.isSafeInteger(request.sector) || request.sector < 0) throw new RangeError(`bad sector ${request.sector}`);
    const tag = this.nextTag++ >>> 0;
    const entry = this.ringPa + (this.tail % this.size) * HOST_DISK_ENTRY.SIZE;
    const bytes = new Uint8Array(HOST_DISK_ENTRY.SIZE);
    const view = new DataView(bytes.buffer);
    view.setUint8(HOST_DISK_ENTRY.OPCODE, OPCODE[request.op]);
    view.setUint32(HOST_DISK_ENTRY.COUNT, request.count >>> 0, true);
    view.setUint32(HOST_DISK_ENTRY.SECTOR_LO, request.sector % 0x1_0000_0000, true);
    view.setUint32(HOST_DISK_ENTRY.SECTOR_HI, Math.floor(request.sector / 0x1_0000_0000), true);
    view.setUint32(HOST_DISK_ENTRY.BUFFER, request.pa >>> 0, true);
    view.setUint32(HOST_DISK_ENTRY.TAG, tag, true);
    this.bus.writeBytes(entry, bytes);
    this.tail++;
    this.reg(HOST_DISK_REG.DOORBELL, this.tail % this.size);
    return tag;
  }

  /** Completions since the last poll, oldest first; acknowledges the controller's interrupt. */
  poll(): DiskDriverCompletion[] {
    const done: DiskDriverCompletion[] = [];
    while (this.polled < this.tail) {
      const entry = this.ringPa + (this.polled % this.size) * HOST_DISK_ENTRY.SIZE;
      const status = this.bus.readBytes(entry + HOST_DISK_ENTRY.STATUS, 1)[0] ?? 0;
      if (status === 0) break; // not processed (the queue was disabled by an error)
      const tag = this.bus.read32(entry + HOST_DISK_ENTRY.TAG) >>> 0;
      done.push({ tag, status: statusName(status) });
      this.polled++;
    }
    this.reg(HOST_DISK_REG.INTERRUPT_STATUS, INT_ALL);
    return done;
  }

  private reg(offset: number, value: number): void {
    this.bus.store(this.base + offset, 4, value);
  }

  private read(offset: number): number {
    return this.bus.load(this.base + offset, 4) >>> 0;
  }
}

function statusName(status: number): DiskDriverCompletion['status'] {
  if (status === HOST_DISK_STATUS.OK) return 'ok';
  if (status === HOST_DISK_STATUS.DMA_FAULT) return 'dma-fault';
  return 'io-error';
}
