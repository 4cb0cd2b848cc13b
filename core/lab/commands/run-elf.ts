// `cloudvisor-lab run-elf FILE.elf [--max-instructions N] [--harts N] [--dtb FILE] [--sbi]`: boots
// a bare-metal RV32 ELF on the virt-shaped board in M-mode at its entry (or, with --sbi, as an
// S-mode payload of the modelled SBI firmware on the full host board, like QEMU -bios default),
// streams the UART to stdout and exits with the program's own result (3 = budget spent).
// An unreadable or malformed file is a usage error (exit 2) with the loader's message.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bootElf } from '../../hw/boot-elf';
import { ElfError } from '../../hw/elf';
import { DEFAULT_MAX_INSTRUCTIONS, runElf } from '../../hw/run-elf';
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';

function positiveInteger(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+(e[0-9]+)?$/i.test(text))
    throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new UsageError(`--${name} must be between 1 and ${max}, got ${text}`);
  return value;
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const runElfCommand: CliCommand = {
  name: 'run-elf',
  summary: 'run a bare-metal RV32 ELF on the emulated virt board',
  usage:
    'cloudvisor-lab run-elf FILE.elf [--max-instructions N] [--harts N] [--dtb FILE.dtb | --sbi]\n' +
    '  --sbi: run FILE.elf in S-mode on the platform firmware (SBI v2.0), with the board\'s own DTB\n' +
    "  exit status: the program's own (test finisher or HTIF tohost), 3 when the instruction budget runs out",
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: {
          'max-instructions': { type: 'string' },
          harts: { type: 'string' },
          dtb: { type: 'string' },
          sbi: { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0
          ? 'missing FILE.elf'
          : `unexpected argument ${JSON.stringify(positionals[1])}`,
      );
    const file = positionals[0] ?? '';
    const maxInstructions = positiveInteger(
      'max-instructions',
      values['max-instructions'],
      DEFAULT_MAX_INSTRUCTIONS,
      Number.MAX_SAFE_INTEGER,
    );
    const harts = positiveInteger('harts', values.harts, 1, 8);
    const elf = readInput(file, 'ELF file');
    const dtb = values.dtb === undefined ? undefined : readInput(values.dtb, 'DTB file');
    if (values.sbi && dtb !== undefined) throw new UsageError('--sbi boots with the board\'s own DTB: leave out --dtb');
    try {
      if (values.sbi) {
        const result = bootElf(elf, { sbi: true, harts, maxInstructions, onOutput: (bytes) => io.stdout(bytes) });
        if (result.failure !== null) io.stderr(`run-elf: ${result.failure}\n`);
        if (result.reason === 'budget') io.stderr(`run-elf: instruction budget of ${maxInstructions} spent without an exit\n`);
        return result.exitCode;
      }
      const result = runElf(elf, {
        maxInstructions,
        harts,
        onOutput: (bytes) => io.stdout(bytes),
        onDeviceLog: (message) => io.stderr(`run-elf: ${message}\n`),
        ...(dtb === undefined ? {} : { dtb }),
      });
      if (result.reason === 'budget')
        io.stderr(`run-elf: instruction budget of ${maxInstructions} spent without an exit\n`);
      return result.exitCode;
    } catch (error) {
      if (error instanceof ElfError || error instanceof RangeError)
        throw new UsageError(`${file}: ${error.message}`);
      throw error;
    }
  },
};
