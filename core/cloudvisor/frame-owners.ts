// The owner table (CLOUDVISOR.md section 2): every 4 KiB frame of RAM has exactly one owner,
// MONITOR, VMM or one VM. Owners change only through `transfer`, which checks the expected
// current owner, fails closed, and zeroes the frame first whenever the spec of the move asks
// for it, so no byte of one owner ever becomes readable by another.
// Invariant: a frame owned by a VM is mapped only in that VM's shadow G-stage table.
import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';

export type VmId = number;

export type FrameOwner = { readonly kind: 'monitor' } | { readonly kind: 'vmm' } | { readonly kind: 'vm'; readonly vm: VmId };

export const MONITOR: FrameOwner = { kind: 'monitor' };
export const VMM: FrameOwner = { kind: 'vmm' };
export const vmOwner = (vm: VmId): FrameOwner => ({ kind: 'vm', vm });

const CODE_VMM = 0;
const CODE_MONITOR = 0xffff;
export const MAX_VM_ID = 0xfffe;

export type TransferStatus = 'ok' | 'not-ram' | 'wrong-owner';

export type TransferListener = (frame: number, from: FrameOwner, to: FrameOwner) => void;

export class FrameOwners {
  private readonly codes: Uint16Array;
  private readonly listeners: TransferListener[] = [];
  readonly firstFrame: number;

  constructor(private readonly memory: PhysicalMemoryPort) {
    this.firstFrame = memory.ramBase >>> PAGE_SHIFT;
    // Everything starts as the VMM's: at late launch the monitor then claims its own frames.
    this.codes = new Uint16Array(memory.ramSize >>> PAGE_SHIFT);
  }

  get frameCount(): number {
    return this.codes.length;
  }

  /** Frame number (pa >> 12) -> index in the table, or -1 outside RAM. */
  index(frame: number): number {
    const i = frame - this.firstFrame;
    return i >= 0 && i < this.codes.length ? i : -1;
  }

  ownerOf(frame: number): FrameOwner | null {
    const i = this.index(frame);
    if (i < 0) return null;
    return decode(this.codes[i] as number);
  }

  isOwnedBy(frame: number, owner: FrameOwner): boolean {
    const i = this.index(frame);
    return i >= 0 && this.codes[i] === encode(owner);
  }

  /**
   * Moves `frame` from `from` to `to`. With `scrub`, the frame is zeroed before it changes hands
   * (required whenever data would otherwise cross owners).
   */
  transfer(frame: number, from: FrameOwner, to: FrameOwner, scrub: boolean): TransferStatus {
    const i = this.index(frame);
    if (i < 0) return 'not-ram';
    if (this.codes[i] !== encode(from)) return 'wrong-owner';
    if (scrub) this.memory.fill(frame << PAGE_SHIFT >>> 0, PAGE_SIZE, 0);
    this.codes[i] = encode(to);
    for (const listener of this.listeners) listener(frame, from, to);
    return 'ok';
  }

  /** Called after every change of owner (the IOMMU contexts follow the table). */
  onTransfer(listener: TransferListener): void {
    this.listeners.push(listener);
  }

  /** Frames currently owned by `owner`, in address order. */
  framesOf(owner: FrameOwner): number[] {
    const code = encode(owner);
    const frames: number[] = [];
    for (let i = 0; i < this.codes.length; i++) if (this.codes[i] === code) frames.push(this.firstFrame + i);
    return frames;
  }

  /** Counts per owner, for the lab's views. */
  census(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const code of this.codes) {
      const key = describeOwner(decode(code));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  snapshot(): Uint16Array {
    return this.codes.slice();
  }
}

function encode(owner: FrameOwner): number {
  switch (owner.kind) {
    case 'monitor':
      return CODE_MONITOR;
    case 'vmm':
      return CODE_VMM;
    case 'vm':
      if (!Number.isInteger(owner.vm) || owner.vm < 1 || owner.vm > MAX_VM_ID) throw new RangeError(`bad VM id ${owner.vm}`);
      return owner.vm;
  }
}

function decode(code: number): FrameOwner {
  if (code === CODE_MONITOR) return MONITOR;
  if (code === CODE_VMM) return VMM;
  return { kind: 'vm', vm: code };
}

export function describeOwner(owner: FrameOwner): string {
  return owner.kind === 'vm' ? `vm${owner.vm}` : owner.kind;
}
