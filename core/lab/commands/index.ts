// Every `cloudvisor-lab` subcommand, in the order `--help` lists them.
import type { CliCommand } from '../cli-command';
import { bootCommand } from './boot';
import { fuzzCommand } from './fuzz';
import { infoCommand } from './info';
import { runElfCommand } from './run-elf';
import { serveCommand } from './serve';

export const COMMANDS: readonly CliCommand[] = [infoCommand, runElfCommand, bootCommand, fuzzCommand, serveCommand];
