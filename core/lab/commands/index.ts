// Every `cloudvisor-lab` subcommand, in the order `--help` lists them.
import type { CliCommand } from '../cli-command';
import { bootCommand } from './boot';
import { fuzzCommand } from './fuzz';
import { gradeCommand } from './grade';
import { infoCommand } from './info';
import { runElfCommand } from './run-elf';
import { scenarioCommand } from './scenario';
import { scenariosCommand } from './scenarios';
import { serveCommand } from './serve';

export const COMMANDS: readonly CliCommand[] = [
  infoCommand, runElfCommand, bootCommand, scenarioCommand, scenariosCommand, gradeCommand, fuzzCommand, serveCommand,
];
