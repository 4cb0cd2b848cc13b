// Grading a lab exercise: each submitted patch replaces the exercise's starting patch and runs
// through the same runner as the catalog; it passes when every mode the exercise names reaches
// the verdict (and, where asked, the defending mechanism) the exercise requires.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { table } from './report';
import { runScenario, type RunReport, type RunnerOptions } from './runner';
import type { RunMode } from './scenario';
import { withPatch, type LoadedScenario } from './scenario-loader';

export interface GradeResult {
  readonly submission: string;
  readonly pass: boolean;
  /** Per mode: what happened and, when it fails, why. */
  readonly modes: readonly { readonly mode: RunMode; readonly pass: boolean; readonly detail: string }[];
}

function judge(exercise: LoadedScenario, run: RunReport): { pass: boolean; detail: string } {
  const want = exercise.scenario.exercise?.pass[run.mode];
  if (want === undefined) return { pass: true, detail: `${run.verdict} (not graded)` };
  if (run.verdict !== want.verdict) {
    return { pass: false, detail: `${run.verdict}, needs ${want.verdict}: ${run.explanation}` };
  }
  if (want.mechanism !== undefined && !run.defendedBy.includes(want.mechanism)) {
    const by = run.defendedBy.length > 0 ? run.defendedBy.join(', ') : 'no mechanism';
    return { pass: false, detail: `${run.verdict} by ${by}, needs the monitor's ${want.mechanism}` };
  }
  const explain = exercise.scenario.exercise?.explain;
  if (explain !== undefined && run.mode === 'protected') {
    const text = run.exfiltrated.find((e) => e.label === explain.label)?.text?.toLowerCase() ?? '';
    if (!explain.mentions.some((m) => text.includes(m.toLowerCase()))) {
      return { pass: false, detail: `no explanation under '${explain.label}' naming ${explain.mentions.join(' or ')}` };
    }
  }
  const by = want.mechanism !== undefined ? ` by ${want.mechanism}` : '';
  return { pass: true, detail: `${run.verdict}${by}` };
}

export async function gradeSubmission(exercise: LoadedScenario, fileName: string, source: string, options: RunnerOptions = {}): Promise<GradeResult> {
  const spec = exercise.scenario.exercise;
  if (!spec) throw new Error(`${exercise.file} is not an exercise`);
  const broken = (spec.forbidden ?? []).find((f) => new RegExp(f.pattern).test(source));
  if (broken) return { submission: fileName, pass: false, modes: [{ mode: 'bare', pass: false, detail: `not run: ${broken.why}` }] };
  const modes = spec.modes ?? (Object.keys(spec.pass) as RunMode[]);
  const report = await runScenario(withPatch(exercise, fileName, source, null), { ...options, modes });
  const graded = report.runs.map((run) => ({ mode: run.mode, ...judge(exercise, run) }));
  return { submission: fileName, pass: graded.every((g) => g.pass), modes: graded };
}

/** Every `.ts` file of a folder, in name order. */
export async function gradeDirectory(exercise: LoadedScenario, dir: string, options: RunnerOptions = {}): Promise<GradeResult[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const results: GradeResult[] = [];
  for (const f of files) results.push(await gradeSubmission(exercise, basename(f), readFileSync(join(dir, f), 'utf8'), options));
  return results;
}

export function formatGradeTable(exercise: LoadedScenario, results: readonly GradeResult[]): string {
  const title = exercise.scenario.exercise?.title ?? exercise.scenario.title;
  const modes = [...new Set(results.flatMap((r) => r.modes.map((m) => m.mode)))];
  const rows = results.map((r) => [r.submission, r.pass ? 'PASS' : 'FAIL', ...modes.map((m) => (r.modes.find((x) => x.mode === m)?.detail ?? '-').split('\n')[0] ?? '')]);
  const passed = results.filter((r) => r.pass).length;
  return `${exercise.scenario.id}: ${title}\n\n${table(['submission', 'grade', ...modes], rows)}\n\n${passed} of ${results.length} passed\n`;
}
