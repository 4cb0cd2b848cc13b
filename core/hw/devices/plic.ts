// The platform-level interrupt controller, laid out as QEMU virt's SiFive PLIC: 95 sources,
// priorities 0..7, two contexts per hart (2*hart = M-mode, 2*hart+1 = S-mode).
// Invariants: a source is claimable only when pending, not in flight, enabled for the context
// and above its threshold; source 0 never exists; each context's output is recomputed after every change.
// Implements the RISC-V PLIC Specification 1.0.0 (gateways, claim/complete) with QEMU 7.2's
// hw/intc/sifive_plic.c register map and level semantics (a deasserted line clears pending).
import { PLIC } from '../../spec/plic';
import type { AccessWidth, DeviceLog, IrqLine, MmioDevice } from '../device';

export const PLIC_STATE_VERSION = 1;

export interface PlicState {
  readonly version: number;
  readonly contexts: number;
  readonly priority: readonly number[];
  readonly level: Uint8Array;
  readonly pending: Uint8Array;
  readonly claimed: Uint8Array;
  readonly enable: readonly (readonly number[])[];
  readonly threshold: readonly number[];
}

/** Called when a context's external-interrupt line changes (the board sets MEIP or SEIP). */
export type PlicOutput = (context: number, level: boolean) => void;

/** A block of same-shaped registers: read/write get the register index inside the block. */
interface RegisterBlock {
  readonly offset: number;
  readonly count: number;
  readonly stride: number;
  readonly name: string;
  readonly read: (index: number) => number;
  readonly write: (index: number, value: number) => void;
}

const WORDS = PLIC.NUM_SOURCES / 32;

export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly size = PLIC.WINDOW_SIZE;
  readonly contexts: number;
  private readonly priority = new Uint32Array(PLIC.NUM_SOURCES);
  private readonly level = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly pending = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly claimed = new Uint8Array(PLIC.NUM_SOURCES);
  private readonly enable: Uint32Array[];
  private readonly threshold: Uint32Array;
  private readonly outputs: boolean[];
  private readonly registers: readonly RegisterBlock[];

  constructor(
    harts: number,
    private readonly output: PlicOutput,
    private readonly log: DeviceLog,
  ) {
    if (!Number.isInteger(harts) || harts < 1 || harts > 8)
      throw new Error(`plic: harts must be 1..8, got ${harts}`);
    this.contexts = harts * 2;
    this.enable = Array.from({ length: this.contexts }, () => new Uint32Array(WORDS));
    this.threshold = new Uint32Array(this.contexts);
    this.outputs = new Array<boolean>(this.contexts).fill(false);
    this.registers = this.registerTable();
  }

  private registerTable(): RegisterBlock[] {
    return [
      {
        offset: PLIC.PRIORITY_BASE + 4,
        count: PLIC.NUM_SOURCES - 1,
        stride: 4,
        name: 'PRIORITY',
        read: (i) => this.priority[i + 1]!,
        write: (i, v) => this.setPriority(i + 1, v),
      },
      {
        offset: PLIC.PENDING_BASE,
        count: WORDS,
        stride: 4,
        name: 'PENDING',
        read: (w) => this.pendingWord(w),
        write: () => undefined,
      },
      {
        offset: PLIC.ENABLE_BASE,
        count: this.contexts * (PLIC.ENABLE_STRIDE / 4),
        stride: 4,
        name: 'ENABLE',
        read: (i) => this.enableWord(i),
        write: (i, v) => this.setEnableWord(i, v),
      },
      {
        offset: PLIC.CONTEXT_BASE + PLIC.CONTEXT_THRESHOLD,
        count: this.contexts,
        stride: PLIC.CONTEXT_STRIDE,
        name: 'THRESHOLD',
        read: (c) => this.threshold[c]!,
        write: (c, v) => this.setThreshold(c, v),
      },
      {
        offset: PLIC.CONTEXT_BASE + PLIC.CONTEXT_CLAIM,
        count: this.contexts,
        stride: PLIC.CONTEXT_STRIDE,
        name: 'CLAIM_COMPLETE',
        read: (c) => this.claim(c),
        write: (c, v) => this.complete(c, v),
      },
    ];
  }

  /** The wire a device drives for `source` (1..95). */
  irqLine(source: number): IrqLine {
    if (!Number.isInteger(source) || source < 1 || source >= PLIC.NUM_SOURCES)
      throw new Error(`plic: no interrupt source ${source}`);
    return (level: boolean) => this.setLevel(source, level);
  }

  /** Current level of a context's output (2*hart = M external, 2*hart+1 = S external). */
  outputLevel(context: number): boolean {
    return this.outputs[context] ?? false;
  }

  read(offset: number, width: AccessWidth): number {
    const hit = this.lookup(offset, width);
    if (hit === undefined) {
      this.log.unknownAccess(this.name, 'read', offset, width);
      return 0;
    }
    return hit.block.read(hit.index) >>> 0;
  }

  write(offset: number, width: AccessWidth, value: number): void {
    const hit = this.lookup(offset, width);
    if (hit === undefined) {
      this.log.unknownAccess(this.name, 'write', offset, width, value);
      return;
    }
    hit.block.write(hit.index, value >>> 0);
  }

  /** PLIC registers are 32-bit only (QEMU: min/max access size 4); anything else is unknown. */
  private lookup(offset: number, width: AccessWidth): { block: RegisterBlock; index: number } | undefined {
    if (width !== 4 || offset % 4 !== 0) return undefined;
    for (const block of this.registers) {
      const rel = offset - block.offset;
      if (rel < 0 || rel % block.stride !== 0 || rel / block.stride >= block.count) continue;
      return { block, index: rel / block.stride };
    }
    return undefined;
  }

  reset(): void {
    this.priority.fill(0);
    this.pending.fill(0);
    this.claimed.fill(0);
    for (const e of this.enable) e.fill(0);
    this.threshold.fill(0);
    // Lines keep their level across a controller reset: the devices still drive them.
    for (let s = 1; s < PLIC.NUM_SOURCES; s++) if (this.level[s]) this.pending[s] = 1;
    this.update();
  }

  private setLevel(source: number, level: boolean): void {
    // Devices may re-signal an unchanged level; with an unchanged line the gateway has nothing to do.
    if ((this.level[source] === 1) === level) return;
    this.level[source] = level ? 1 : 0;
    // Level gateway: a new request is forwarded only when none is in flight (PLIC spec 1.0.0
    // "Interrupt Gateways"); a deasserted line withdraws a not-yet-claimed request (QEMU).
    if (level && !this.claimed[source]) this.pending[source] = 1;
    if (!level) this.pending[source] = 0;
    this.update();
  }

  private setPriority(source: number, value: number): void {
    this.priority[source] = value & PLIC.MAX_PRIORITY;
    this.update();
  }

  private pendingWord(word: number): number {
    let bits = 0;
    for (let b = 0; b < 32; b++) if (this.pending[word * 32 + b]) bits |= 1 << b;
    return bits >>> 0;
  }

  /** The enable block is contexts x 32 words; only the first 3 words of each context hold sources 0..95. */
  private enableWord(index: number): number {
    const ctx = Math.floor(index / (PLIC.ENABLE_STRIDE / 4));
    const word = index % (PLIC.ENABLE_STRIDE / 4);
    return word < WORDS ? this.enable[ctx]![word]! : 0;
  }

  private setEnableWord(index: number, value: number): void {
    const ctx = Math.floor(index / (PLIC.ENABLE_STRIDE / 4));
    const word = index % (PLIC.ENABLE_STRIDE / 4);
    if (word >= WORDS) {
      this.log.unknownAccess(this.name, 'write', PLIC.ENABLE_BASE + index * 4, 4, value);
      return;
    }
    // Source 0 does not exist: its enable bit is hardwired to zero (WARL).
    this.enable[ctx]![word] = (word === 0 ? value & ~1 : value) >>> 0;
    this.update();
  }

  private setThreshold(context: number, value: number): void {
    this.threshold[context] = value & PLIC.MAX_PRIORITY;
    this.update();
  }

  private isEnabled(context: number, source: number): boolean {
    return ((this.enable[context]![source >>> 5]! >>> (source & 31)) & 1) === 1;
  }

  /** Highest-priority claimable source for a context; ties go to the lowest ID (PLIC spec). */
  private best(context: number): number {
    let best = 0;
    let bestPriority = this.threshold[context]!;
    for (let s = 1; s < PLIC.NUM_SOURCES; s++) {
      if (!this.pending[s] || this.claimed[s] || !this.isEnabled(context, s)) continue;
      const p = this.priority[s]!;
      if (p > bestPriority) {
        best = s;
        bestPriority = p;
      }
    }
    return best;
  }

  private claim(context: number): number {
    const source = this.best(context);
    if (source !== 0) {
      this.pending[source] = 0;
      this.claimed[source] = 1;
      this.update();
    }
    return source;
  }

  /** A completion for a source not enabled for this context is ignored (PLIC spec 1.0.0, "Interrupt Completion"). */
  private complete(context: number, source: number): void {
    if (
      source === 0 ||
      source >= PLIC.NUM_SOURCES ||
      !this.isEnabled(context, source) ||
      !this.claimed[source]
    )
      return;
    this.claimed[source] = 0;
    if (this.level[source]) this.pending[source] = 1;
    this.update();
  }

  private update(): void {
    for (let c = 0; c < this.contexts; c++) {
      const level = this.best(c) !== 0;
      if (level !== this.outputs[c]) {
        this.outputs[c] = level;
        this.output(c, level);
      }
    }
  }

  saveState(): PlicState {
    return {
      version: PLIC_STATE_VERSION,
      contexts: this.contexts,
      priority: Array.from(this.priority),
      level: this.level.slice(),
      pending: this.pending.slice(),
      claimed: this.claimed.slice(),
      enable: this.enable.map((e) => Array.from(e)),
      threshold: Array.from(this.threshold),
    };
  }

  loadState(state: PlicState): void {
    if (state.version !== PLIC_STATE_VERSION)
      throw new Error(`plic: state version ${String(state.version)} is not ${PLIC_STATE_VERSION}`);
    if (
      state.contexts !== this.contexts ||
      state.enable.length !== this.contexts ||
      state.threshold.length !== this.contexts
    ) {
      throw new Error(`plic: state has ${String(state.contexts)} contexts, this board has ${this.contexts}`);
    }
    const n = PLIC.NUM_SOURCES;
    if (
      state.priority.length !== n ||
      state.level.length !== n ||
      state.pending.length !== n ||
      state.claimed.length !== n
    ) {
      throw new Error(`plic: state arrays must have ${n} sources`);
    }
    this.priority.set(state.priority.map((p) => p & PLIC.MAX_PRIORITY));
    this.level.set(state.level);
    this.pending.set(state.pending);
    this.claimed.set(state.claimed);
    state.enable.forEach((words, c) => this.enable[c]!.set(words.slice(0, WORDS)));
    this.threshold.set(state.threshold.map((t) => t & PLIC.MAX_PRIORITY));
    this.update();
  }
}
