// `npm run bench`: runs the benchmarks side by side in one process and prints their figures;
// `--json` prints one JSON object instead, `--only NAME[,NAME]` picks some.
import { BENCHES } from './benches';
import type { BenchReport } from './report';

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',') : null;

const reports: BenchReport[] = [];
let failed = false;
for (const [name, bench] of BENCHES) {
  if (only && !only.includes(name)) continue;
  try {
    const report = await bench();
    reports.push(report);
    if (!json) {
      console.log(`== ${report.name}`);
      for (const line of report.lines) console.log(`  ${line}`);
    }
  } catch (error) {
    failed = true;
    console.error(`== ${name}: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (json) console.log(JSON.stringify(Object.fromEntries(reports.map((r) => [r.name, r.metrics])), null, 2));
process.exitCode = failed ? 1 : 0;
