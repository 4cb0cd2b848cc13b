// The virtio-mmio (version 2) transport of one device slot: the register file of virtio 1.2
// section 4.2.2, feature negotiation, the device status state machine (2.1, 3.1.1), queue setup,
// notifications and the interrupt status/ack pair, over split virtqueues in guest memory.
// Invariants: FEATURES_OK is accepted only for a subset of the offered features that includes
// VIRTIO_F_VERSION_1; status bits are never cleared except by a reset (a write of 0); queue
// registers change only while the queue is not ready; the IRQ line is high iff InterruptStatus != 0.
import type { GuestMemory } from '../guest-memory';
import { Virtqueue, type VirtqChain } from './virtqueue';

export const VIRTIO_MMIO = {
  MAGIC_VALUE: 0x000,
  VERSION: 0x004,
  DEVICE_ID: 0x008,
  VENDOR_ID: 0x00c,
  DEVICE_FEATURES: 0x010,
  DEVICE_FEATURES_SEL: 0x014,
  DRIVER_FEATURES: 0x020,
  DRIVER_FEATURES_SEL: 0x024,
  QUEUE_SEL: 0x030,
  QUEUE_NUM_MAX: 0x034,
  QUEUE_NUM: 0x038,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  INTERRUPT_STATUS: 0x060,
  INTERRUPT_ACK: 0x064,
  STATUS: 0x070,
  QUEUE_DESC_LOW: 0x080,
  QUEUE_DESC_HIGH: 0x084,
  QUEUE_DRIVER_LOW: 0x090,
  QUEUE_DRIVER_HIGH: 0x094,
  QUEUE_DEVICE_LOW: 0x0a0,
  QUEUE_DEVICE_HIGH: 0x0a4,
  SHM_SEL: 0x0ac,
  SHM_LEN_LOW: 0x0b0,
  SHM_LEN_HIGH: 0x0b4,
  SHM_BASE_LOW: 0x0b8,
  SHM_BASE_HIGH: 0x0bc,
  QUEUE_RESET: 0x0c0,
  CONFIG_GENERATION: 0x0fc,
  CONFIG: 0x100,
  MAGIC: 0x7472_6976,
  /** QEMU's vendor ID ("QEMU"), which Linux and labOS accept like any other. */
  VENDOR_QEMU: 0x554d_4551,
} as const;

export const VIRTIO_STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  DEVICE_NEEDS_RESET: 64,
  FAILED: 128,
} as const;

export const VIRTIO_INT = { USED_BUFFER: 1, CONFIG_CHANGE: 2 } as const;
/** VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of the high word. */
export const VIRTIO_F_VERSION_1_HI = 1;

/** What a device type supplies to the transport. */
export interface VirtioBackend {
  readonly deviceId: number;
  readonly name: string;
  readonly queueCount: number;
  readonly queueMax: number;
  /** Offered features as [bits 0..31, bits 32..63]; must include VERSION_1. */
  features(): readonly [number, number];
  configRead(offset: number, width: number): number;
  configWrite(offset: number, width: number, value: number): void;
  /** The driver notified `queue`: pop its chains and complete them (now or later). */
  process(transport: VirtioMmio, queue: number): void;
  reset(): void;
}

export class VirtioMmio {
  status = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  readonly driverFeatures: [number, number] = [0, 0];
  private queueSel = 0;
  readonly queues: Virtqueue[];
  interruptStatus = 0;
  private configGeneration = 0;
  /** Set when the domain is destroyed: late completions (host disk I/O in flight) are dropped. */
  detached = false;

  constructor(
    readonly mem: GuestMemory,
    readonly backend: VirtioBackend | null,
    private readonly setIrq: (level: boolean) => void,
    private readonly log: (text: string) => void,
  ) {
    this.queues = [];
    for (let i = 0; i < (backend?.queueCount ?? 0); i++) this.queues.push(new Virtqueue(i, backend?.queueMax ?? 0));
  }

  read(offset: number, width: number): number {
    if (offset >= VIRTIO_MMIO.CONFIG) return this.backend === null ? 0 : this.backend.configRead(offset - VIRTIO_MMIO.CONFIG, width);
    if (width !== 4 || offset % 4 !== 0) {
      this.log(`virtio-mmio: ${width}-byte read at 0x${offset.toString(16)}: control registers are 32-bit only (4.2.2.2)`);
      return 0;
    }
    const M = VIRTIO_MMIO;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case M.MAGIC_VALUE: return M.MAGIC;
      case M.VERSION: return 2;
      case M.DEVICE_ID: return this.backend?.deviceId ?? 0;
      case M.VENDOR_ID: return M.VENDOR_QEMU;
      case M.DEVICE_FEATURES: return this.backend === null || this.deviceFeaturesSel > 1 ? 0 : (this.backend.features()[this.deviceFeaturesSel] ?? 0) >>> 0;
      case M.QUEUE_NUM_MAX: return q?.numMax ?? 0;
      case M.QUEUE_READY: return q?.ready === true ? 1 : 0;
      case M.INTERRUPT_STATUS: return this.interruptStatus;
      case M.STATUS: return this.status;
      case M.QUEUE_DESC_LOW: return q?.descAddr ?? 0;
      case M.QUEUE_DRIVER_LOW: return q?.driverAddr ?? 0;
      case M.QUEUE_DEVICE_LOW: return q?.deviceAddr ?? 0;
      case M.QUEUE_DESC_HIGH: case M.QUEUE_DRIVER_HIGH: case M.QUEUE_DEVICE_HIGH: return 0;
      // No shared memory regions: length and base read as all ones (4.2.2).
      case M.SHM_LEN_LOW: case M.SHM_LEN_HIGH: case M.SHM_BASE_LOW: case M.SHM_BASE_HIGH: return 0xffff_ffff;
      case M.QUEUE_NUM: return q?.num ?? 0;
      case M.CONFIG_GENERATION: return this.configGeneration;
      default:
        this.log(`virtio-mmio: read of write-only or unknown register 0x${offset.toString(16)}`);
        return 0;
    }
  }

  write(offset: number, width: number, value: number): void {
    if (offset >= VIRTIO_MMIO.CONFIG) {
      this.backend?.configWrite(offset - VIRTIO_MMIO.CONFIG, width, value);
      return;
    }
    if (width !== 4 || offset % 4 !== 0) {
      this.log(`virtio-mmio: ${width}-byte write at 0x${offset.toString(16)} ignored: control registers are 32-bit only`);
      return;
    }
    const M = VIRTIO_MMIO;
    const v = value >>> 0;
    switch (offset) {
      case M.DEVICE_FEATURES_SEL: this.deviceFeaturesSel = v; return;
      case M.DRIVER_FEATURES_SEL: this.driverFeaturesSel = v; return;
      case M.DRIVER_FEATURES: return this.setDriverFeatures(v);
      case M.QUEUE_SEL: this.queueSel = v; return;
      case M.QUEUE_NOTIFY: return this.notify(v);
      case M.INTERRUPT_ACK:
        this.interruptStatus &= ~v;
        this.setIrq(this.interruptStatus !== 0);
        return;
      case M.STATUS: return this.setStatus(v);
      case M.SHM_SEL: return;
      default: return this.writeQueueRegister(offset, v);
    }
  }

  /** The backend's access to its queues: the next chain, or null (a malformed chain breaks the device). */
  pop(queue: number): VirtqChain | null {
    const q = this.queues[queue];
    if (q === undefined) return null;
    try {
      return q.pop(this.mem);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  /** Puts a chain in the used ring and interrupts the driver unless it asked not to be. */
  complete(queue: number, head: number, written: number): void {
    const q = this.queues[queue];
    if (this.detached || q === undefined || !q.ready) return;
    if (q.push(this.mem, head, written)) this.raise(VIRTIO_INT.USED_BUFFER);
  }

  private raise(bit: number): void {
    this.interruptStatus |= bit;
    this.setIrq(true);
  }

  /** Spec 2.1.2: a device in an error state sets DEVICE_NEEDS_RESET and tells a live driver. */
  private fail(reason: string): void {
    this.log(`virtio-mmio (${this.backend?.name ?? 'empty'}): ${reason}; device needs reset`);
    this.status |= VIRTIO_STATUS.DEVICE_NEEDS_RESET;
    if ((this.status & VIRTIO_STATUS.DRIVER_OK) !== 0) {
      this.configGeneration = (this.configGeneration + 1) >>> 0;
      this.raise(VIRTIO_INT.CONFIG_CHANGE);
    }
  }

  private setDriverFeatures(v: number): void {
    if ((this.status & VIRTIO_STATUS.FEATURES_OK) !== 0) {
      this.log('virtio-mmio: driver features written after FEATURES_OK; ignored (3.1.1)');
      return;
    }
    if (this.driverFeaturesSel <= 1) this.driverFeatures[this.driverFeaturesSel] = v;
  }

  private setStatus(v: number): void {
    if (v === 0) return this.reset();
    if ((v & this.status) !== this.status) {
      this.log(`virtio-mmio: status 0x${v.toString(16)} clears bits of 0x${this.status.toString(16)}; only a reset may (2.1.1)`);
      return;
    }
    let next = v & 0xff;
    if ((next & VIRTIO_STATUS.FEATURES_OK) !== 0 && (this.status & VIRTIO_STATUS.FEATURES_OK) === 0 && !this.featuresAcceptable()) {
      // The driver re-reads status, sees FEATURES_OK unset and gives up (3.1.1 step 6).
      next &= ~VIRTIO_STATUS.FEATURES_OK;
      this.log('virtio-mmio: driver features refused (not a subset of the offer, or VERSION_1 missing)');
    }
    this.status = next | (this.status & VIRTIO_STATUS.DEVICE_NEEDS_RESET);
  }

  private featuresAcceptable(): boolean {
    if (this.backend === null) return false;
    const [lo, hi] = this.backend.features();
    const [dlo, dhi] = this.driverFeatures;
    return (dlo & ~lo) === 0 && (dhi & ~hi) === 0 && (dhi & VIRTIO_F_VERSION_1_HI) !== 0;
  }

  private reset(): void {
    this.status = 0;
    this.driverFeatures[0] = this.driverFeatures[1] = 0;
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0;
    for (const q of this.queues) q.reset();
    this.interruptStatus = 0;
    this.setIrq(false);
    this.backend?.reset();
  }

  private notify(queue: number): void {
    const q = this.queues[queue & 0xffff];
    if (this.backend === null || q === undefined || !q.ready) {
      this.log(`virtio-mmio: notify of queue ${queue}, which is not ready`);
      return;
    }
    if ((this.status & VIRTIO_STATUS.DRIVER_OK) === 0 || (this.status & VIRTIO_STATUS.DEVICE_NEEDS_RESET) !== 0) return;
    this.backend.process(this, queue & 0xffff);
  }

  private writeQueueRegister(offset: number, v: number): void {
    const M = VIRTIO_MMIO;
    const q = this.queues[this.queueSel];
    if (q === undefined) {
      this.log(`virtio-mmio: queue register 0x${offset.toString(16)} written for absent queue ${this.queueSel}`);
      return;
    }
    if (offset === M.QUEUE_READY) return this.setQueueReady(q, v);
    if (q.ready) {
      this.log(`virtio-mmio: queue ${q.index} register 0x${offset.toString(16)} written while ready; ignored`);
      return;
    }
    switch (offset) {
      case M.QUEUE_NUM: q.num = v; return;
      case M.QUEUE_DESC_LOW: q.descAddr = v; return;
      case M.QUEUE_DRIVER_LOW: q.driverAddr = v; return;
      case M.QUEUE_DEVICE_LOW: q.deviceAddr = v; return;
      case M.QUEUE_DESC_HIGH: case M.QUEUE_DRIVER_HIGH: case M.QUEUE_DEVICE_HIGH:
        if (v !== 0) this.log('virtio-mmio: queue address above 4 GiB is outside guest RAM; ignored');
        return;
      default:
        this.log(`virtio-mmio: write to read-only or unknown register 0x${offset.toString(16)}`);
    }
  }

  private setQueueReady(q: Virtqueue, v: number): void {
    if (v === 0) {
      q.ready = false;
      return;
    }
    const n = q.num;
    const problem =
      n === 0 || n > q.numMax || (n & (n - 1)) !== 0 ? `size ${n} is not a power of two in 1..${q.numMax}` :
      q.descAddr % 16 !== 0 || q.driverAddr % 2 !== 0 || q.deviceAddr % 4 !== 0 ? 'ring addresses are misaligned (2.7)' :
      !this.mem.contains(q.descAddr, 16 * n) || !this.mem.contains(q.driverAddr, 6 + 2 * n) || !this.mem.contains(q.deviceAddr, 6 + 8 * n) ? 'rings are outside guest RAM' :
      null;
    if (problem !== null) {
      this.log(`virtio-mmio: queue ${q.index} not made ready: ${problem}`);
      return;
    }
    // Ring indices start at 0 with a fresh queue (2.7.6, 2.7.8); a restore sets them afterwards.
    q.ready = true;
  }

  /** Transport and queue state for save/restore (a plain, JSON-safe object). */
  snapshot(): VirtioMmioState {
    return {
      status: this.status, driverFeatures: [this.driverFeatures[0], this.driverFeatures[1]], interruptStatus: this.interruptStatus,
      queueSel: this.queueSel, configGeneration: this.configGeneration,
      queues: this.queues.map((q) => ({ num: q.num, ready: q.ready, descAddr: q.descAddr, driverAddr: q.driverAddr, deviceAddr: q.deviceAddr, lastAvail: q.lastAvail, usedIdx: q.usedIdx })),
    };
  }

  restore(s: VirtioMmioState): void {
    if (s.queues.length !== this.queues.length) throw new Error(`saved transport has ${s.queues.length} queues, device has ${this.queues.length}`);
    this.status = s.status;
    this.driverFeatures[0] = s.driverFeatures[0];
    this.driverFeatures[1] = s.driverFeatures[1];
    this.interruptStatus = s.interruptStatus;
    this.queueSel = s.queueSel;
    this.configGeneration = s.configGeneration;
    s.queues.forEach((saved, i) => Object.assign(this.queues[i] ?? {}, saved));
    this.setIrq(this.interruptStatus !== 0);
  }
}

export interface VirtioMmioState {
  status: number;
  driverFeatures: [number, number];
  interruptStatus: number;
  queueSel: number;
  configGeneration: number;
  queues: { num: number; ready: boolean; descAddr: number; driverAddr: number; deviceAddr: number; lastAvail: number; usedIdx: number }[];
}
