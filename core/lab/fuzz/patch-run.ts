// A fuzz run as the issue asks for it: the sequence becomes a real VMM patch (patch-renderer.ts)
// loaded into the VMM's engine on a protected host, and the lab keeps the guests busy (typed
// commands: real exits) while the patch performs one step per exit. After every chunk the trusted
// checker reads the real state; what the patch reports (accesses that succeeded, bytes it got,
// DMA completions) is judged against the owner table. Addresses are resolved on a probe host built
// from the same seed: the machine is deterministic, so they are the patched host's addresses too.
import type { Defenses, DetectionPolicy } from '../../cloudvisor/monitor-events';
import type { Exit, GuestRegs } from '../../sandbox/hyp';
import type { Exfiltration } from '../host/guest-session';
import { FuzzHost } from './fuzz-host';
import { describeOp, type FuzzOp } from './fuzz-op';
import type { FoundViolation, RunReport } from './fuzz-run';
import { InvariantChecker, type Violation } from './invariant-checker';
import { OpResolver } from './op-resolver';
import { renderPatch } from './patch-renderer';

export interface PatchRunOptions {
  readonly seed: string;
  readonly guests?: number;
  readonly policy?: DetectionPolicy;
  readonly defenses?: Partial<Defenses>;
  readonly stopAtFirst?: boolean;
  readonly liveness?: boolean;
}

export interface PatchRunReport extends RunReport {
  readonly patchSource: string;
}

const COMMANDS = ['uptime', 'secret', 'secret where'];
const CHUNK_BUDGET = 60_000_000;
/** Chunks without a new step before the run is declared stalled. */
const STALL_CHUNKS = 12;

function hostOptions(options: PatchRunOptions) {
  return {
    seed: options.seed,
    ...(options.guests !== undefined ? { guests: options.guests } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.defenses ? { defenses: options.defenses } : {}),
  };
}

/**
 * Runs sequences as patches on one configuration. The probe host (booted once) only resolves
 * addresses; every run gets a fresh patched host.
 */
export class PatchFuzzer {
  private constructor(
    private readonly probe: FuzzHost,
    readonly options: PatchRunOptions,
  ) {}

  static async create(options: PatchRunOptions): Promise<PatchFuzzer> {
    return new PatchFuzzer(await FuzzHost.boot(hostOptions(options)), options);
  }

  /** The patch source for `ops` on this configuration. */
  render(ops: readonly FuzzOp[], name = `fuzz ${this.options.seed}`): string {
    const resolver = new OpResolver(this.probe);
    const resolved = ops.map((op) => resolver.resolve(op));
    return renderPatch(ops, resolved, {
      name,
      description: `CloudVisor Lab fuzzer, seed ${JSON.stringify(this.options.seed)}: ${ops.length} malicious VMM steps.`,
      guests: this.probe.guests.length,
    });
  }

  /** Frames the sequence touches that the probe's owner table gives to a VM or the monitor. */
  protectedFrames(ops: readonly FuzzOp[]): number[] {
    const resolver = new OpResolver(this.probe);
    const { owners } = this.probe.launched;
    const frames = new Set<number>();
    for (const op of ops.map((o) => resolver.resolve(o))) {
      const pa = op.op === 'read' || op.op === 'write' || op.op === 'dma' ? op.pa : null;
      if (pa === null) continue;
      const last = op.op === 'dma' ? pa + op.count * 512 - 1 : op.op === 'read' ? pa + Math.max(op.length, 1) - 1 : pa + 3;
      for (let f = Math.floor(pa / 4096); f <= Math.floor(last / 4096); f++) {
        const owner = owners.ownerOf(f);
        if (owner !== null && owner.kind !== 'vmm') frames.add(f);
      }
    }
    return [...frames].sort((a, b) => a - b);
  }

  async run(ops: readonly FuzzOp[], overrides: Pick<PatchRunOptions, 'stopAtFirst' | 'liveness'> = {}): Promise<PatchRunReport> {
    const options = { ...this.options, ...overrides };
    const patchSource = this.render(ops);
    const bootStart = performance.now();
    const fuzz = await FuzzHost.boot({ ...hostOptions(options), patch: { fileName: 'fuzz.patch.ts', source: patchSource } });
    try {
      const bootMs = performance.now() - bootStart;
      const start = performance.now();
      const judge = new PatchJudge(fuzz, ops);
      let idle = 0;
      for (let chunk = 0; judge.done < ops.length && idle < STALL_CHUNKS; chunk++) {
        if (options.stopAtFirst && judge.violations.length > 0) break;
        const live = fuzz.guests.filter((g) => !judge.checker.isStopped(g));
        const guest = live[chunk % Math.max(live.length, 1)];
        if (guest) fuzz.type(guest.domain, COMMANDS[chunk % COMMANDS.length] ?? 'uptime', CHUNK_BUDGET);
        else fuzz.host.run(1_000_000);
        idle = judge.absorb() ? 0 : idle + 1;
      }
      if (judge.done < ops.length && !(options.stopAtFirst && judge.violations.length > 0)) {
        judge.trace.push(`stalled after ${judge.done} of ${ops.length} steps (no exit took the next step)`);
      }
      if (options.liveness !== false && !(options.stopAtFirst && judge.violations.length > 0)) {
        judge.violations.push(...judge.checker.checkLiveness().map((v) => ({ ...v, step: ops.length })));
      }
      const failStopped = fuzz.guests.filter((g) => judge.checker.isFailStopped(g)).map((g) => g.index);
      return {
        seed: options.seed, stepsRun: judge.done, violations: judge.violations, trace: judge.trace, failStopped,
        bootMs, opsMs: performance.now() - start, msByKind: {}, patchSource,
      };
    } finally {
      fuzz.dispose();
    }
  }

  dispose(): void {
    this.probe.dispose();
  }
}

export async function runPatchSequence(ops: readonly FuzzOp[], options: PatchRunOptions): Promise<PatchRunReport> {
  const fuzzer = await PatchFuzzer.create(options);
  try {
    return await fuzzer.run(ops);
  } finally {
    fuzzer.dispose();
  }
}

/** Reads the patch's reports in order and checks each, then the whole state. */
class PatchJudge {
  readonly checker: InvariantChecker;
  readonly violations: FoundViolation[] = [];
  readonly trace: string[] = [];
  done = 0;
  private cursor = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly fuzz: FuzzHost,
    private readonly ops: readonly FuzzOp[],
  ) {
    this.checker = new InvariantChecker(fuzz);
  }

  /** Takes the new reports; true when at least one more step ran. */
  absorb(): boolean {
    const before = this.done;
    const reports = this.fuzz.session.exfiltrated;
    for (; this.cursor < reports.length; this.cursor++) this.judge(reports[this.cursor] as Exfiltration);
    this.add(this.checker.checkState(), Math.max(this.done - 1, 0));
    return this.done > before;
  }

  private judge(report: Exfiltration): void {
    const step = /^fuzz:step (\d+) (.*)$/s.exec(report.label);
    if (step) {
      const i = Number(step[1]);
      this.trace.push(`${i}: ${describeOp(this.ops[i] as FuzzOp)} -> ${step[2]}`);
      this.done = i + 1;
      return;
    }
    const found: Violation[] = [...this.checker.checkObtained(report.label, report.bytes)];
    const access = /^fuzz:(load|store) 0x([0-9a-f]+) (\d+)$/.exec(report.label);
    if (access) found.push(...this.checker.checkAccess(parseInt(access[2] ?? '0', 16), Number(access[3]), access[1] as 'load' | 'store', true));
    const peek = /^fuzz:regs (\d+) (null|\{.*?\}) (\{.*\})$/s.exec(report.label);
    if (peek && peek[2] !== 'null') {
      found.push(...this.checker.checkRegsView(Number(peek[1]), JSON.parse(peek[2] ?? 'null') as Exit, JSON.parse(peek[3] ?? '{}') as GuestRegs));
    }
    const dma = /^fuzz:dma (\S+) 0x([0-9a-f]+) (\d+) (\S+)$/.exec(report.label);
    if (dma) found.push(...this.checker.checkDma(parseInt(dma[2] ?? '0', 16), Number(dma[3]) * 512, dma[1] ?? '', dma[4] ?? '', true));
    this.add(found, this.done);
  }

  private add(found: readonly Violation[], step: number): void {
    for (const v of found) {
      const key = `${v.invariant}:${v.detail}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.violations.push({ ...v, step: Math.min(step, this.ops.length - 1) });
    }
  }
}
