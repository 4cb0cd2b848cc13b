// The run-elf subcommand: streams the program's UART to stdout and returns its exit status;
// bad usage and unreadable or malformed files are UsageErrors (exit 2 in the CLI).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../../core/lab/cli-command';
import { runElfCommand } from '../../../core/lab/commands/run-elf';

const BENCH = fileURLToPath(new URL('../../../assets/bench/bench.elf', import.meta.url));

function io(): CliIo & { out: string; err: string } {
  const s = {
    out: '',
    err: '',
    stdout(text: string | Uint8Array) {
      s.out += typeof text === 'string' ? text : new TextDecoder().decode(text);
    },
    stderr(text: string) {
      s.err += text;
    },
  };
  return s;
}

describe('run-elf command', () => {
  it('runs the benchmark and returns its exit code with the UART on stdout', async () => {
    const s = io();
    expect(await runElfCommand.run([BENCH], s)).toBe(0);
    expect(s.out).toBe('bench eccd188b\n');
  });

  it('boots an S-mode kernel on the SBI firmware with --sbi', async () => {
    const s = io();
    const labos = fileURLToPath(new URL('../../../assets/guests/images/labos.elf', import.meta.url));
    expect(await runElfCommand.run([labos, '--sbi', '--max-instructions', '3000000'], s)).toBe(3);
    expect(s.out).toContain('labOS shell');
    await expect(runElfCommand.run([labos, '--sbi', '--dtb', BENCH], io())).rejects.toBeInstanceOf(UsageError);
  });

  it('returns 3 and says so when the budget is spent', async () => {
    const s = io();
    expect(await runElfCommand.run([BENCH, '--max-instructions', '5000'], s)).toBe(3);
    expect(s.err).toMatch(/budget of 5000/);
  });

  it('rejects bad usage and bad files as UsageError', async () => {
    const bad: string[][] = [
      [],
      [BENCH, BENCH],
      [BENCH, '--harts', '0'],
      [BENCH, '--harts', '9'],
      [BENCH, '--max-instructions', 'lots'],
      [BENCH, '--bogus'],
      ['/nonexistent.elf'],
      [fileURLToPath(import.meta.url)],
    ];
    for (const args of bad)
      await expect(runElfCommand.run(args, io()), args.join(' ')).rejects.toThrow(UsageError);
  });
});
