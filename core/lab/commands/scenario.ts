// `cloudvisor-lab scenario FILE.ts`: runs one scenario file on a bare host, a protected host, and
// optionally once per defense switched off, and prints each run's verdict and report.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';
import { formatScenarioReport } from '../scenarios/report';
import { runScenario, type ModeChoice } from '../scenarios/runner';
import { ScenarioLoadError, loadScenarioFile } from '../scenarios/scenario-loader';

const MODE_CHOICES: readonly ModeChoice[] = ['bare', 'protected', 'ablation'];

/** `--modes bare,protected,ablation` as a list; the default is bare and protected. */
export function parseModes(text: string | undefined): ModeChoice[] {
  if (text === undefined) return ['bare', 'protected'];
  const modes = text.split(',').map((m) => m.trim()).filter((m) => m !== '');
  for (const m of modes) if (!MODE_CHOICES.includes(m as ModeChoice)) throw new UsageError(`--modes: '${m}' is not one of ${MODE_CHOICES.join(', ')}`);
  if (modes.length === 0) throw new UsageError('--modes needs at least one mode');
  return modes as ModeChoice[];
}

export const scenarioCommand: CliCommand = {
  name: 'scenario',
  summary: 'run one attack scenario on bare and protected hosts and give its verdicts',
  usage: 'cloudvisor-lab scenario FILE.ts [--modes bare,protected,ablation] [--json]',
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { modes: { type: 'string' }, json: { type: 'boolean', default: false } } });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const [file, ...rest] = parsed.positionals;
    if (file === undefined || rest.length > 0) throw new UsageError('give exactly one scenario file');
    const modes = parseModes(parsed.values.modes);
    let loaded;
    try {
      loaded = loadScenarioFile(file);
    } catch (error) {
      if (error instanceof ScenarioLoadError) {
        io.stderr(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const report = await runScenario(loaded, {
      modes,
      onRun: (run) => {
        if (!parsed.values.json) io.stderr(`${run.mode}${run.defenseOff ? ` (${run.defenseOff} off)` : ''}: ${run.verdict}\n`);
      },
    });
    io.stdout(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatScenarioReport(report));
    return report.mismatches === 0 ? 0 : 1;
  },
};
