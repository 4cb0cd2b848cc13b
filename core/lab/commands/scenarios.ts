// `cloudvisor-lab scenarios`: runs the shipped catalog (or a folder of scenario files) and prints
// one table of verdicts; the exit code says whether every verdict was the expected one.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';
import { assetsFolder, scenarioFiles } from '../scenarios/catalog';
import { formatCatalogTable } from '../scenarios/report';
import { runScenario, type ScenarioReport } from '../scenarios/runner';
import { ScenarioLoadError, loadScenarioFile } from '../scenarios/scenario-loader';
import { parseModes } from './scenario';

export const scenariosCommand: CliCommand = {
  name: 'scenarios',
  summary: 'run the attack catalog and print a table of verdicts',
  usage: 'cloudvisor-lab scenarios [--dir DIR] [--only ID[,ID...]] [--modes bare,protected,ablation] [--json]',
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        strict: true,
        options: { dir: { type: 'string' }, only: { type: 'string' }, modes: { type: 'string' }, json: { type: 'boolean', default: false } },
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const modes = parseModes(values.modes);
    const only = values.only === undefined ? null : new Set(values.only.split(',').map((s) => s.trim()));
    const reports: ScenarioReport[] = [];
    for (const file of scenarioFiles(values.dir ?? assetsFolder('scenarios'))) {
      let loaded;
      try {
        loaded = loadScenarioFile(file);
      } catch (error) {
        if (!(error instanceof ScenarioLoadError)) throw error;
        io.stderr(`${error.message}\n`);
        return 1;
      }
      if (only !== null && !only.has(loaded.scenario.id)) continue;
      const report = await runScenario(loaded, { modes });
      if (!values.json) io.stderr(`${report.id}: ${report.runs.map((r) => r.verdict).join(', ')}\n`);
      reports.push(report);
    }
    if (only !== null && reports.length < only.size) {
      const found = new Set(reports.map((r) => r.id));
      throw new UsageError(`no scenario with id ${[...only].filter((id) => !found.has(id)).join(', ')}`);
    }
    io.stdout(values.json ? `${JSON.stringify(reports, null, 2)}\n` : formatCatalogTable(reports));
    return reports.every((r) => r.mismatches === 0) ? 0 : 1;
  },
};
