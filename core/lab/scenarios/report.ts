// Scenario reports as text: one table row per run, then what each run lost or altered, why it was
// defended or out of scope, and the guests' final selftests. JSON output is the reports as they are.
import type { RunReport, ScenarioReport } from './runner';

function runName(run: RunReport): string {
  return run.defenseOff === null ? run.mode : `protected, ${run.defenseOff} off`;
}

function verdictCell(run: RunReport): string {
  const by = run.verdict === 'defended' && run.defendedBy.length > 0 ? ` (${run.defendedBy.join(', ')})` : '';
  const mark = run.matches === false ? `  MISMATCH: expected ${run.expected ?? '-'}` : '';
  return `${run.verdict}${by}${mark}`;
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A plain text table; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatScenarioReport(report: ScenarioReport): string {
  const out: string[] = [`${report.id}: ${report.title}`, `  file: ${report.file}`];
  if (report.outOfScope) out.push(`  out of scope when achieved: ${report.outOfScope}`);
  if (report.knownGap) out.push(`  known gap: ${report.knownGap}`);
  for (const run of report.runs) {
    out.push(`  [${runName(run)}] ${verdictCell(run)}`);
    out.push(`    ${run.explanation}`);
    out.push(`    lost: ${run.lost.length > 0 ? run.lost.join('; ') : 'none'}; altered: ${run.altered.length > 0 ? run.altered.join('; ') : 'none'}`);
    out.push(`    final selftest: ${run.guests.map((g) => `${g.name} ${g.selftest}${g.failStopped ? ' (fail-stopped)' : ''}`).join(', ') || 'none'}`);
    for (const r of run.monitor.refusals) out.push(`    monitor: ${r}`);
    for (const f of run.failures) out.push(`    failure: ${f}`);
    out.push(`    ${run.instructions} instructions, ${run.seconds.toFixed(1)} s`);
  }
  return `${out.join('\n')}\n`;
}

/** The catalog table: one row per scenario, one column per run kind. */
export function formatCatalogTable(reports: readonly ScenarioReport[]): string {
  const kinds = [...new Set(reports.flatMap((r) => r.runs.map(runName)))];
  const rows = reports.map((r) => [
    r.id,
    ...kinds.map((k) => {
      const run = r.runs.find((x) => runName(x) === k);
      return run ? verdictCell(run) : '-';
    }),
    r.knownGap ? `known gap: ${r.knownGap}` : r.outOfScope ?? '',
  ]);
  const mismatches = reports.reduce((n, r) => n + r.mismatches, 0);
  const footer = mismatches === 0 ? 'every verdict as expected' : `${mismatches} verdict(s) differ from the expected ones`;
  return `${table(['scenario', ...kinds, 'note'], rows)}\n\n${footer}\n`;
}
