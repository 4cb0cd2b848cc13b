// `cloudvisor-lab fuzz`: a seeded fuzzing campaign against CloudVisor (random malicious-VMM patches
// on a protected host with labOS guests, invariants checked after every step), reported like a
// benchmark; each violation is minimized and saved as a replayable finding and scenario.
// `--replay FILE.json` re-runs a saved finding. Exit 1 when an invariant broke.
import { parseArgs } from 'node:util';
import type { Defenses, DetectionPolicy } from '../../cloudvisor/monitor-events';
import { ALL_DEFENSES } from '../../cloudvisor/monitor-events';
import type { CliCommand, CliIo } from '../cli-command';
import { UsageError } from '../cli-command';
import { runCampaign, type CampaignReport } from '../fuzz/fuzz-campaign';
import { readFinding, replayFinding, writeFinding } from '../fuzz/finding-file';

const USAGE = `cloudvisor-lab fuzz [--seed S] [--steps N] [--batch N] [--guests N]
       [--policy fail-stop|refuse-and-continue] [--defense-off NAME ...] [--no-join]
       [--max-trials N] [--out DIR] [--json]
       cloudvisor-lab fuzz --replay FINDING.json [--json]`;

const DEFENSE_NAMES = Object.keys(ALL_DEFENSES) as (keyof Defenses)[];

function count(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return n;
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      strict: true,
      options: {
        seed: { type: 'string', default: 'cloudvisor-fuzz' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        guests: { type: 'string' },
        policy: { type: 'string', default: 'refuse-and-continue' },
        'defense-off': { type: 'string', multiple: true },
        'no-join': { type: 'boolean', default: false },
        'max-trials': { type: 'string' },
        out: { type: 'string', default: 'assets/fuzz' },
        replay: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function defensesOff(names: readonly string[]): Partial<Defenses> {
  const off: Partial<Record<keyof Defenses, boolean>> = {};
  for (const name of names) {
    if (!(DEFENSE_NAMES as readonly string[]).includes(name)) throw new UsageError(`--defense-off ${name}: known defenses are ${DEFENSE_NAMES.join(', ')}`);
    off[name as keyof Defenses] = false;
  }
  return off;
}

async function replay(path: string, json: boolean, io: CliIo): Promise<number> {
  const finding = readFinding(path);
  const { reproduced, report } = await replayFinding(finding);
  if (json) io.stdout(`${JSON.stringify({ file: path, reproduced, invariant: finding.invariant, violations: report.violations, trace: report.trace }, null, 2)}\n`);
  else {
    io.stdout(`replay ${path}: [${finding.invariant}] ${reproduced ? 'REPRODUCED' : 'not reproduced'}\n`);
    for (const line of report.trace) io.stdout(`  ${line}\n`);
    for (const v of report.violations) io.stdout(`  after step ${v.step}: [${v.invariant}] ${v.detail}\n`);
  }
  return reproduced ? 1 : 0;
}

function printReport(report: CampaignReport, saved: readonly string[], io: CliIo): void {
  io.stdout(`fuzz seed ${JSON.stringify(report.seed)}\n`);
  io.stdout(`  steps run       ${report.stepsRun} of ${report.stepsRequested} (${report.batches} patches)\n`);
  io.stdout(`  ops per second  ${report.opsPerSecond.toFixed(1)} (fuzzing time), ${report.stepsPerWallSecond.toFixed(2)} (wall, boots and minimization included)\n`);
  io.stdout(`  violations      ${report.violations}\n`);
  io.stdout(`  time            ${report.seconds.toFixed(1)} s\n`);
  for (const [i, f] of report.findings.entries()) {
    io.stdout(`  finding ${i}: [${f.invariant}] ${f.detail}\n    ${f.ops.length} step(s) after minimization (${f.trials} trials), replays: ${f.replays}\n    saved ${saved[i] ?? ''}\n`);
  }
}

export const fuzzCommand: CliCommand = {
  name: 'fuzz',
  summary: 'fuzz CloudVisor with random malicious VMM patches; minimize and save violations',
  usage: USAGE,
  async run(args, io) {
    const values = parse(args);
    if (values.replay !== undefined) return replay(values.replay, values.json, io);
    const policy = values.policy as DetectionPolicy;
    if (policy !== 'fail-stop' && policy !== 'refuse-and-continue') throw new UsageError(`--policy ${values.policy}: expected fail-stop or refuse-and-continue`);
    const report = await runCampaign({
      seed: values.seed,
      steps: count(values.steps, 'steps', 40, 1_000_000),
      batch: count(values.batch, 'batch', 40, 10_000),
      guests: count(values.guests, 'guests', 2, 4),
      policy,
      defenses: defensesOff(values['defense-off'] ?? []),
      join: !values['no-join'],
      maxTrials: count(values['max-trials'], 'max-trials', 24, 1000),
      onProgress: (line) => {
        if (!values.json) io.stderr(`${line}\n`);
      },
    });
    const saved = report.findings.map((f) => writeFinding(values.out, f).json);
    if (values.json) io.stdout(`${JSON.stringify({ ...report, findings: report.findings.map((f, i) => ({ ...f, saved: saved[i] })) }, null, 2)}\n`);
    else printReport(report, saved, io);
    return report.findings.length > 0 ? 1 : 0;
  },
};
