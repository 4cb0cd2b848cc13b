// The monitor's own frames: a region of RAM it claims at launch and hands out for shadow tables
// and saved contexts. Frames come back zeroed, so nothing of one use leaks into the next.
import { MONITOR, type FrameOwners } from './frame-owners';
import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';

export class MonitorFramePool {
  private readonly free: number[] = [];

  constructor(
    private readonly memory: PhysicalMemoryPort,
    private readonly owners: FrameOwners,
    firstFrame: number,
    count: number,
  ) {
    for (let f = firstFrame; f < firstFrame + count; f++) {
      if (!owners.isOwnedBy(f, MONITOR)) throw new Error(`frame 0x${f.toString(16)} is not the monitor's`);
      this.free.push(f);
    }
    this.free.sort((a, b) => a - b);
  }

  get available(): number {
    return this.free.length;
  }

  /** `count` contiguous frames whose first frame is aligned to `alignFrames`; null when exhausted. */
  allocate(count = 1, alignFrames = 1): number | null {
    for (let i = 0; i + count <= this.free.length; i++) {
      const first = this.free[i] as number;
      if (first % alignFrames !== 0) continue;
      if (this.free[i + count - 1] !== first + count - 1) continue;
      this.free.splice(i, count);
      this.memory.fill(first << PAGE_SHIFT >>> 0, count * PAGE_SIZE, 0);
      return first;
    }
    return null;
  }

  release(first: number, count = 1): void {
    for (let f = first; f < first + count; f++) {
      if (!this.owners.isOwnedBy(f, MONITOR)) throw new Error(`releasing frame 0x${f.toString(16)} the monitor does not own`);
      this.memory.fill(f << PAGE_SHIFT >>> 0, PAGE_SIZE, 0);
      this.free.push(f);
    }
    this.free.sort((a, b) => a - b);
  }
}
