// `cloudvisor-lab grade EXERCISE DIR`: grades every patch file in a folder against a lab exercise
// (by id from assets/exercises, or a path) and prints one row per submission.
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';
import { findExercise } from '../scenarios/catalog';
import { formatGradeTable, gradeDirectory } from '../scenarios/grading';
import { ScenarioLoadError } from '../scenarios/scenario-loader';

export const gradeCommand: CliCommand = {
  name: 'grade',
  summary: 'grade a folder of submitted patches against a lab exercise',
  usage: 'cloudvisor-lab grade EXERCISE DIR [--json]   (EXERCISE: an id from assets/exercises, or a file)',
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const [name, dir, ...rest] = parsed.positionals;
    if (name === undefined || dir === undefined || rest.length > 0) throw new UsageError('give an exercise and a folder of submissions');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`);
    let exercise;
    try {
      exercise = findExercise(name);
    } catch (error) {
      if (!(error instanceof ScenarioLoadError) && !(error instanceof Error && /not an exercise|exercise section/.test(error.message))) throw error;
      io.stderr(`${error.message}\n`);
      return 1;
    }
    const results = await gradeDirectory(exercise, dir, {
      onRun: (run) => {
        if (!parsed.values.json) io.stderr(`  ${run.mode}: ${run.verdict}\n`);
      },
    });
    io.stdout(parsed.values.json ? `${JSON.stringify({ exercise: exercise.scenario.id, results }, null, 2)}\n` : formatGradeTable(exercise, results));
    return results.every((r) => r.pass) ? 0 : 1;
  },
};
