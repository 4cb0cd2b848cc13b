// Debugger attachment for one hart: breakpoints on virtual pcs, single stepping and an
// instruction trace ring buffer. Off the hot path: while attached and active, the board runs
// the hart one instruction at a time through step(); a detached hart runs full blocks.
import type { Hart } from './hart';
import { csrExists, readCsr, writeCsr } from './csr-file';
import { fetchSlow } from './hart-memory';

export interface TraceEntry {
  readonly pc: number;
  readonly insn: number;
  readonly priv: number;
  readonly virt: number;
}

export type StopReason = 'breakpoint' | 'step' | 'budget' | 'halted';

export class HartDebug {
  readonly hart: Hart;
  readonly breakpoints = new Set<number>();
  /** Ring of (pc, insn, priv | virt << 2) triples; capacity entries. */
  private readonly ring: Int32Array;
  private readonly capacity: number;
  private head = 0;
  private count = 0;
  tracing = false;

  constructor(hart: Hart, traceCapacity = 1024) {
    if (!Number.isInteger(traceCapacity) || traceCapacity < 1)
      throw new RangeError('trace capacity must be a positive integer');
    this.hart = hart;
    this.capacity = traceCapacity;
    this.ring = new Int32Array(traceCapacity * 3);
    hart.debug = this;
  }

  /** True when the board must single-step this hart (breakpoints set or tracing on). */
  get active(): boolean {
    return this.tracing || this.breakpoints.size > 0;
  }

  detach(): void {
    this.hart.debug = null;
  }

  /**
   * Execute one instruction (taking a pending interrupt first, as the hart would); records it
   * in the trace when tracing. Returns the hart's step count (1, or 0 when parked in WFI).
   */
  step(): number {
    const h = this.hart;
    h.checkInterrupts();
    if (h.waiting) return 0;
    const pc = h.pc;
    const priv = h.priv;
    const virt = h.virt;
    let insn = 0;
    if (this.tracing) {
      insn = fetchSlow(h, pc);
      h.excCause = -1;
    }
    const steps = h.run(1);
    if (this.tracing && steps > 0) this.record(pc, insn, priv, virt);
    return steps;
  }

  /**
   * Run up to `max` instructions, stopping before any instruction at a breakpoint (other than
   * the first one, so continuing from a breakpoint makes progress).
   */
  continue(max: number): { reason: StopReason; retired: number } {
    const h = this.hart;
    let retired = 0;
    for (let i = 0; i < max; i++) {
      if (i > 0 && this.breakpoints.has(h.pc >>> 0)) return { reason: 'breakpoint', retired };
      if (h.waiting && !h.checkInterrupts() && h.waiting) return { reason: 'halted', retired };
      retired += this.step();
    }
    return { reason: 'budget', retired };
  }

  private record(pc: number, insn: number, priv: number, virt: number): void {
    const i = this.head * 3;
    this.ring[i] = pc;
    this.ring[i + 1] = insn;
    this.ring[i + 2] = priv | (virt << 2);
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The trace, oldest first. */
  trace(): TraceEntry[] {
    const out: TraceEntry[] = [];
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = ((start + k) % this.capacity) * 3;
      const m = this.ring[i + 2] ?? 0;
      out.push({
        pc: (this.ring[i] ?? 0) >>> 0,
        insn: (this.ring[i + 1] ?? 0) >>> 0,
        priv: m & 3,
        virt: m >>> 2,
      });
    }
    return out;
  }

  clearTrace(): void {
    this.head = 0;
    this.count = 0;
  }

  readRegister(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index > 31) throw new RangeError(`no register x${index}`);
    return (this.hart.x[index] ?? 0) >>> 0;
  }

  writeRegister(index: number, value: number): void {
    if (!Number.isInteger(index) || index < 1 || index > 31)
      throw new RangeError(`register x${index} is not writable`);
    this.hart.x[index] = value;
  }

  readCsr(csr: number): number {
    if (!csrExists(csr)) throw new RangeError(`no CSR 0x${csr.toString(16)}`);
    return readCsr(this.hart, csr) >>> 0;
  }

  writeCsr(csr: number, value: number): void {
    if (!csrExists(csr)) throw new RangeError(`no CSR 0x${csr.toString(16)}`);
    writeCsr(this.hart, csr, value);
    this.hart.contextChanged();
  }
}
