// The VMM's driver for the host disk controller (hyp.disk): DMA goes only to bounce buffers in
// VMM-owned frames (the IOMMU lets the device reach nothing else); data is copied between the
// bounce buffers and its users. Large transfers are split into bounce-sized host requests.
// Invariants: a bounce slot belongs to at most one in-flight request; every submitted tag is
// answered exactly once, from `poll`, in completion order; callbacks never run inside `submit`.
import type { DiskCompletion, Hyp } from '../sandbox/hyp';
import type { FrameAllocator } from './frame-allocator';
import { PAGE_SIZE } from '../spec/riscv-priv';

export const SECTOR = 512;
export type DiskStatus = DiskCompletion['status'];

interface Piece {
  readonly op: 'read' | 'write' | 'flush';
  readonly sector: number;
  readonly count: number;
  readonly data: Uint8Array | null;
  readonly done: (status: DiskStatus, data: Uint8Array | null) => void;
}

export class HostDiskDriver {
  private readonly slots: number[] = [];
  private readonly freeSlots: number[] = [];
  private readonly inflight = new Map<number, { slot: number; piece: Piece }>();
  private readonly waiting: Piece[] = [];
  readonly sectors: number;
  readonly slotSectors: number;

  /** `onError` hears of a completion callback that threw (e.g. a refused guest buffer): the others still run. */
  constructor(
    private readonly hyp: Hyp,
    frames: FrameAllocator,
    slotCount = 4,
    slotBytes = 64 * 1024,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    for (let i = 0; i < slotCount; i++) {
      const pa = frames.allocate(slotBytes / PAGE_SIZE);
      if (pa === null) throw new Error('out of memory for disk bounce buffers');
      this.slots.push(pa);
      this.freeSlots.push(i);
    }
    this.slotSectors = slotBytes / SECTOR;
    this.sectors = hyp.disk.sectors();
  }

  get busy(): boolean {
    return this.inflight.size > 0 || this.waiting.length > 0;
  }

  /** Reads `count` sectors; `done` gets the bytes (or null on error). */
  read(sector: number, count: number, done: (status: DiskStatus, data: Uint8Array | null) => void): void {
    this.split('read', sector, count, null, done);
  }

  write(sector: number, data: Uint8Array, done: (status: DiskStatus) => void): void {
    if (data.length % SECTOR !== 0) throw new Error(`disk write of ${data.length} bytes is not whole sectors`);
    this.split('write', sector, data.length / SECTOR, data, (s) => done(s));
  }

  flush(done: (status: DiskStatus) => void): void {
    this.enqueue({ op: 'flush', sector: 0, count: 0, data: null, done: (s) => done(s) });
  }

  /** Collects completions (call on the disk interrupt and once per scheduling pass). */
  poll(): number {
    if (this.inflight.size === 0) return 0;
    const completions = this.hyp.disk.poll();
    for (const c of completions) {
      const entry = this.inflight.get(c.tag);
      if (entry === undefined) continue;
      this.inflight.delete(c.tag);
      const { slot, piece } = entry;
      let data: Uint8Array | null = null;
      if (c.status === 'ok' && piece.op === 'read') data = this.hyp.mem.read(this.slots[slot] ?? 0, piece.count * SECTOR);
      this.freeSlots.push(slot);
      try {
        piece.done(c.status, data);
      } catch (error) {
        this.onError(error);
      }
    }
    this.pump();
    return completions.length;
  }

  private split(op: 'read' | 'write', sector: number, count: number, data: Uint8Array | null, done: Piece['done']): void {
    if (sector < 0 || count <= 0 || sector + count > this.sectors) {
      throw new Error(`disk ${op} of sectors ${sector}..${sector + count - 1} is beyond the ${this.sectors}-sector disk`);
    }
    const parts = Math.ceil(count / this.slotSectors);
    const out = op === 'read' ? new Uint8Array(count * SECTOR) : null;
    let left = parts;
    let failed: DiskStatus | null = null;
    for (let p = 0; p < parts; p++) {
      const first = p * this.slotSectors;
      const n = Math.min(this.slotSectors, count - first);
      const chunk = data === null ? null : data.subarray(first * SECTOR, (first + n) * SECTOR);
      this.enqueue({
        op, sector: sector + first, count: n, data: chunk,
        done: (status, bytes) => {
          if (status !== 'ok') failed ??= status;
          else if (out !== null && bytes !== null) out.set(bytes, first * SECTOR);
          if (--left === 0) done(failed ?? 'ok', failed === null ? out : null);
        },
      });
    }
  }

  private enqueue(piece: Piece): void {
    this.waiting.push(piece);
    this.pump();
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.freeSlots.length > 0) {
      const piece = this.waiting.shift() as Piece;
      const slot = this.freeSlots.pop() as number;
      const pa = this.slots[slot] ?? 0;
      if (piece.data !== null) this.hyp.mem.write(pa, piece.data);
      const tag = this.hyp.disk.submit({ op: piece.op, sector: piece.sector, count: piece.count, pa });
      this.inflight.set(tag, { slot, piece });
    }
  }
}
