// One fuzz run: boot the protected host, play a sequence of malicious operations, check every
// invariant after each step and the guests' selftest at the end. The same run drives the
// operations either from the lab side (DirectExecutor) or as a generated VMM patch (PatchExecutor).
import type { Defenses, DetectionPolicy } from '../../cloudvisor/monitor-events';
import { FuzzHost } from './fuzz-host';
import { describeOp, type FuzzOp } from './fuzz-op';
import { InvariantChecker, type Violation } from './invariant-checker';

export interface RunOptions {
  readonly seed: string;
  readonly guests?: number;
  readonly policy?: DetectionPolicy;
  readonly defenses?: Partial<Defenses>;
  /** Stop at the first step with a violation (minimisation wants only that). */
  readonly stopAtFirst?: boolean;
  /** Type `selftest` into every guest not fail-stopped at the end. */
  readonly liveness?: boolean;
}

export interface FoundViolation extends Violation {
  /** Index of the operation after which it was seen; ops.length for the final checks. */
  readonly step: number;
}

export interface RunReport {
  readonly seed: string;
  readonly stepsRun: number;
  readonly violations: readonly FoundViolation[];
  /** Per step: the operation and what the monitor did with it. */
  readonly trace: readonly string[];
  readonly failStopped: readonly number[];
  readonly bootMs: number;
  readonly opsMs: number;
  /** Milliseconds spent per operation kind (step and checks). */
  readonly msByKind: Readonly<Record<string, number>>;
}

/** How a run plays operations on a booted host. */
export interface StepDriver {
  step(op: FuzzOp): { readonly outcome: string; readonly violations: readonly Violation[] };
}

export async function runSequence(
  ops: readonly FuzzOp[],
  options: RunOptions,
  driver: (fuzz: FuzzHost, checker: InvariantChecker) => StepDriver,
): Promise<RunReport> {
  const bootStart = performance.now();
  const fuzz = await FuzzHost.boot({
    seed: options.seed,
    ...(options.guests !== undefined ? { guests: options.guests } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.defenses ? { defenses: options.defenses } : {}),
  });
  try {
    const bootMs = performance.now() - bootStart;
    const checker = new InvariantChecker(fuzz);
    const violations: FoundViolation[] = checker.checkState().map((v) => ({ ...v, step: -1 }));
    const trace: string[] = [];
    const start = performance.now();
    const play = driver(fuzz, checker);
    let stepsRun = 0;
    const msByKind: Record<string, number> = {};
    for (const [i, op] of ops.entries()) {
      if (options.stopAtFirst && violations.length > 0) break;
      const opStart = performance.now();
      const result = play.step(op);
      msByKind[op.op] = (msByKind[op.op] ?? 0) + performance.now() - opStart;
      stepsRun++;
      trace.push(`${i}: ${describeOp(op)} -> ${result.outcome}`);
      violations.push(...dedupe(result.violations).map((v) => ({ ...v, step: i })));
    }
    if (options.liveness !== false && !(options.stopAtFirst && violations.length > 0)) {
      violations.push(...checker.checkLiveness().map((v) => ({ ...v, step: ops.length })));
    }
    const failStopped = fuzz.guests.filter((g) => checker.isFailStopped(g)).map((g) => g.index);
    return { seed: options.seed, stepsRun, violations, trace, failStopped, bootMs, opsMs: performance.now() - start, msByKind };
  } finally {
    fuzz.dispose();
  }
}

function dedupe(found: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return found.filter((v) => {
    const key = `${v.invariant}:${v.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The failing steps of a report, for a test's failure message: seed, sequence, violations. */
export function describeFailure(report: RunReport, ops: readonly FuzzOp[]): string {
  const first = report.violations[0]?.step ?? ops.length;
  return [
    `seed ${JSON.stringify(report.seed)}: ${report.violations.length} violation(s)`,
    ...report.violations.slice(0, 10).map((v) => `  after step ${v.step}: [${v.invariant}] ${v.detail}`),
    'sequence up to the first violation:',
    ...report.trace.slice(0, first + 1).map((t) => `  ${t}`),
  ].join('\n');
}
