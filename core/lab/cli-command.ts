// The shape of one `cloudvisor-lab` subcommand. Commands print to the given streams and return
// the process exit code: 0 ok, 1 the thing run failed, 2 usage error (thrown as UsageError).

export interface CliIo {
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Full usage text, shown on a usage error and by `help NAME`. */
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A usage mistake by the caller: the CLI prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
