// A guest's PLIC, emulated by trap-and-emulate of MMIO: QEMU virt's SiFive PLIC register map,
// sources 1..95, priorities 0..7, two contexts per vCPU (2h = M-mode, unused by guests;
// 2h+1 = S-mode, whose output the VMM injects as hvip.VSEIP).
// Invariants: a source is claimable only when pending, not in flight, enabled and above the
// context's threshold; level-triggered gateways re-pend a completed source whose line is still high.
// Implements the RISC-V PLIC Specification 1.0.0, sections 3-8 (register map as QEMU 7.2).
import { PLIC } from '../../spec/plic';

const WORDS = PLIC.NUM_SOURCES / 32;

export class VirtualPlic {
  private readonly priority = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly level = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly pending = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly claimed = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly enable: Uint32Array;
  private readonly threshold: Uint8Array;
  /** Bumped on every change that may alter an output, so the VMM recomputes hvip only then. */
  generation = 0;

  constructor(readonly contexts: number, private readonly log: (text: string) => void) {
    this.enable = new Uint32Array(contexts * WORDS);
    this.threshold = new Uint8Array(contexts);
  }

  /** A device's interrupt line (level-triggered, as virtio-mmio and the NS16550A are). */
  setLevel(source: number, high: boolean): void {
    const v = high ? 1 : 0;
    if (this.level[source] === v) return;
    this.level[source] = v;
    // Gateway: a rising line pends the source unless it is in flight; a falling line clears it (QEMU).
    this.pending[source] = high && this.claimed[source] === 0 ? 1 : 0;
    this.generation++;
  }

  /** Whether the context's interrupt output is asserted. */
  asserted(context: number): boolean {
    return this.best(context) !== 0;
  }

  read(offset: number): number {
    if (offset < PLIC.PENDING_BASE) return this.priority[offset >>> 2] ?? 0;
    if (offset < PLIC.PENDING_BASE + WORDS * 4) return this.packPending((offset - PLIC.PENDING_BASE) >>> 2);
    const en = this.enableIndex(offset);
    if (en !== null) return this.enable[en] ?? 0;
    const ctx = this.contextReg(offset);
    if (ctx !== null && ctx.reg === PLIC.CONTEXT_THRESHOLD) return this.threshold[ctx.context] ?? 0;
    if (ctx !== null && ctx.reg === PLIC.CONTEXT_CLAIM) return this.claim(ctx.context);
    this.log(`plic: read of unknown offset 0x${offset.toString(16)}`);
    return 0;
  }

  write(offset: number, value: number): void {
    this.generation++;
    if (offset < PLIC.PENDING_BASE) {
      const src = offset >>> 2;
      if (src !== 0) this.priority[src] = Math.min(value >>> 0, PLIC.MAX_PRIORITY);
      return;
    }
    if (offset < PLIC.PENDING_BASE + WORDS * 4) {
      this.log('plic: write to the read-only pending array ignored');
      return;
    }
    const en = this.enableIndex(offset);
    if (en !== null) {
      // Source 0 does not exist: its enable bit is hard-wired to 0.
      this.enable[en] = (en % WORDS === 0 ? value & ~1 : value) >>> 0;
      return;
    }
    const ctx = this.contextReg(offset);
    if (ctx !== null && ctx.reg === PLIC.CONTEXT_THRESHOLD) {
      this.threshold[ctx.context] = Math.min(value >>> 0, PLIC.MAX_PRIORITY);
      return;
    }
    if (ctx !== null && ctx.reg === PLIC.CONTEXT_CLAIM) {
      this.complete(ctx.context, value >>> 0);
      return;
    }
    this.log(`plic: write of 0x${value.toString(16)} to unknown offset 0x${offset.toString(16)}`);
  }

  private claim(context: number): number {
    const src = this.best(context);
    if (src !== 0) {
      this.pending[src] = 0;
      this.claimed[src] = 1;
      this.generation++;
    }
    return src;
  }

  private complete(context: number, src: number): void {
    // Spec 1.0.0 section 9: a completion for a source not enabled for this context is ignored.
    if (src === 0 || src >= PLIC.NUM_SOURCES || !this.enabled(context, src)) return;
    this.claimed[src] = 0;
    if (this.level[src] === 1) this.pending[src] = 1;
  }

  /** Highest-priority claimable source for a context (lowest id wins ties), or 0. */
  private best(context: number): number {
    let best = 0;
    let bestPrio = this.threshold[context] ?? PLIC.MAX_PRIORITY;
    for (let src = 1; src < PLIC.NUM_SOURCES; src++) {
      if (this.pending[src] === 0 || this.claimed[src] === 1) continue;
      const p = this.priority[src] ?? 0;
      if (p > bestPrio && this.enabled(context, src)) {
        best = src;
        bestPrio = p;
      }
    }
    return best;
  }

  private enabled(context: number, src: number): boolean {
    return (((this.enable[context * WORDS + (src >>> 5)] ?? 0) >>> (src & 31)) & 1) === 1;
  }

  private packPending(word: number): number {
    let v = 0;
    for (let b = 0; b < 32; b++) if (this.pending[word * 32 + b] === 1) v |= 1 << b;
    return v >>> 0;
  }

  private enableIndex(offset: number): number | null {
    if (offset < PLIC.ENABLE_BASE) return null;
    const ctx = Math.floor((offset - PLIC.ENABLE_BASE) / PLIC.ENABLE_STRIDE);
    const word = ((offset - PLIC.ENABLE_BASE) % PLIC.ENABLE_STRIDE) >>> 2;
    return ctx < this.contexts && word < WORDS ? ctx * WORDS + word : null;
  }

  private contextReg(offset: number): { context: number; reg: number } | null {
    if (offset < PLIC.CONTEXT_BASE) return null;
    const context = Math.floor((offset - PLIC.CONTEXT_BASE) / PLIC.CONTEXT_STRIDE);
    const reg = (offset - PLIC.CONTEXT_BASE) % PLIC.CONTEXT_STRIDE;
    return context < this.contexts ? { context, reg } : null;
  }

  /** State for save/restore (a plain object). */
  snapshot(): VirtualPlicState {
    return { priority: [...this.priority], level: [...this.level], pending: [...this.pending], claimed: [...this.claimed], enable: [...this.enable], threshold: [...this.threshold] };
  }

  restore(s: VirtualPlicState): void {
    this.priority.set(s.priority);
    this.level.set(s.level);
    this.pending.set(s.pending);
    this.claimed.set(s.claimed);
    this.enable.set(s.enable);
    this.threshold.set(s.threshold);
    this.generation++;
  }
}

export interface VirtualPlicState {
  priority: number[];
  level: number[];
  pending: number[];
  claimed: number[];
  enable: number[];
  threshold: number[];
}
