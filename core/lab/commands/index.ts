// Every `cloudvisor-lab` subcommand, in the order `--help` lists them.
import type { CliCommand } from '../cli-command';
import { infoCommand } from './info';
import { serveCommand } from './serve';

export const COMMANDS: readonly CliCommand[] = [infoCommand, serveCommand];
