// A fuzzing campaign (issue 8): seeded batches of random malicious-VMM steps, each played as a
// generated patch on a fresh protected host with labOS guests; the first violation of a batch is
// minimised by delta debugging and replayed once more before it becomes a finding. Reports steps,
// operations per second, violations and time, like a benchmark.
import type { Defenses, DetectionPolicy } from '../../cloudvisor/monitor-events';
import type { FuzzOp } from './fuzz-op';
import type { FoundViolation } from './fuzz-run';
import { minimize } from './minimizer';
import { generateOps } from './op-generator';
import { PatchFuzzer, type PatchRunReport } from './patch-run';

export interface CampaignOptions {
  readonly seed: string;
  readonly steps: number;
  /** Steps per generated patch (each on a fresh host). */
  readonly batch?: number;
  readonly guests?: number;
  readonly policy?: DetectionPolicy;
  readonly defenses?: Partial<Defenses>;
  /** Let spawned vCPUs join running guests' VMs. */
  readonly join?: boolean;
  /** Trial budget of one minimisation. */
  readonly maxTrials?: number;
  readonly onProgress?: (line: string) => void;
}

export interface Finding {
  readonly version: 1;
  /** The host's seed (the machine, hence every resolved address). */
  readonly hostSeed: string;
  /** The seed the batch's operations came from. */
  readonly opSeed: string;
  readonly guests: number;
  readonly policy: DetectionPolicy;
  readonly defenses: Partial<Defenses>;
  readonly invariant: string;
  readonly detail: string;
  /** The step of the original batch after which the violation was seen. */
  readonly step: number;
  readonly originalSteps: number;
  readonly ops: readonly FuzzOp[];
  readonly trials: number;
  readonly minimal: boolean;
  /** The minimized sequence reproduced the violation once more. */
  readonly replays: boolean;
  readonly patchSource: string;
  /** Guest and monitor frames (frame numbers) the minimized steps touch on this host. */
  readonly protectedFrames: readonly number[];
}

export interface CampaignReport {
  readonly seed: string;
  readonly stepsRequested: number;
  readonly stepsRun: number;
  readonly batches: number;
  readonly violations: number;
  readonly findings: readonly Finding[];
  readonly seconds: number;
  /** Fuzz steps per second of operation time (host boots excluded). */
  readonly opsPerSecond: number;
  /** Steps per second of wall time, boots, checks and minimisation included. */
  readonly stepsPerWallSecond: number;
}

const DEFAULT_BATCH = 40;

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const start = performance.now();
  const guests = options.guests ?? 2;
  const policy = options.policy ?? 'refuse-and-continue';
  const defenses = options.defenses ?? {};
  const fuzzer = await PatchFuzzer.create({ seed: options.seed, guests, policy, defenses });
  const progress = options.onProgress ?? ((): void => undefined);
  const findings: Finding[] = [];
  let stepsRun = 0;
  let opsMs = 0;
  let violations = 0;
  let batches = 0;
  try {
    for (let done = 0; done < options.steps; batches++) {
      const opSeed = `${options.seed}#${batches}`;
      const ops = generateOps(opSeed, Math.min(options.batch ?? DEFAULT_BATCH, options.steps - done), {
        guests, join: options.join ?? true, exclude: ['rounds'],
      });
      done += ops.length;
      const report = await fuzzer.run(ops);
      stepsRun += report.stepsRun;
      opsMs += report.opsMs;
      violations += report.violations.length;
      progress(`batch ${batches} (${opSeed}): ${report.stepsRun}/${ops.length} steps, ${report.violations.length} violation(s)`);
      const first = report.violations[0];
      if (first) findings.push(await shrink(fuzzer, ops, first, { hostSeed: options.seed, opSeed, guests, policy, defenses }, options.maxTrials, progress));
    }
  } finally {
    fuzzer.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    seed: options.seed, stepsRequested: options.steps, stepsRun, batches, violations, findings, seconds,
    opsPerSecond: opsMs > 0 ? stepsRun / (opsMs / 1000) : 0,
    stepsPerWallSecond: seconds > 0 ? stepsRun / seconds : 0,
  };
}

type FindingContext = Pick<Finding, 'hostSeed' | 'opSeed' | 'guests' | 'policy' | 'defenses'>;

/** True when `report` shows the same broken invariant. */
function reproduces(report: PatchRunReport, invariant: string): boolean {
  return report.violations.some((v) => v.invariant === invariant);
}

/** Minimises the batch up to its first violation, replays the result and packs the finding. */
export async function shrink(
  fuzzer: PatchFuzzer,
  ops: readonly FuzzOp[],
  first: FoundViolation,
  context: FindingContext,
  maxTrials: number | undefined,
  progress: (line: string) => void,
): Promise<Finding> {
  const liveness = first.invariant === 'liveness';
  const runOptions = { stopAtFirst: !liveness, liveness };
  const prefix = ops.slice(0, Math.min(first.step, ops.length - 1) + 1);
  const result = await minimize(prefix, async (candidate) => reproduces(await fuzzer.run(candidate, runOptions), first.invariant), maxTrials);
  const replay = await fuzzer.run(result.items, runOptions);
  progress(`minimised [${first.invariant}] from ${prefix.length} to ${result.items.length} step(s) in ${result.trials} trials`);
  return {
    version: 1, ...context, invariant: first.invariant, detail: first.detail, step: first.step, originalSteps: ops.length,
    ops: result.items, trials: result.trials, minimal: result.complete, replays: reproduces(replay, first.invariant),
    patchSource: replay.patchSource, protectedFrames: fuzzer.protectedFrames(result.items),
  };
}
