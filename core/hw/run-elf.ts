// Run a bare-metal RV32 ELF on the virt board until it exits through the test finisher or
// HTIF tohost, or its instruction budget runs out (exit code 3, reason 'budget').
// The output is the UART (and HTIF console) byte stream, also streamed to onOutput.
import { parseElf } from './elf';
import { VirtBoard } from './virt-board';

export interface RunElfOptions {
  maxInstructions?: number;
  harts?: number;
  onOutput?: (bytes: Uint8Array) => void;
  /** Placed in RAM like QEMU does, address passed in a1. */
  dtb?: Uint8Array;
  /** Called with a line for each device access the board did not understand (unknown offsets). */
  onDeviceLog?: (message: string) => void;
}

export interface RunElfResult {
  exitCode: number;
  reason: 'finisher' | 'tohost' | 'budget';
  output: Uint8Array;
  instructions: number;
}

export const DEFAULT_MAX_INSTRUCTIONS = 2e9;
export const BUDGET_EXIT_CODE = 3;

export function runElf(elf: Uint8Array, options: RunElfOptions = {}): RunElfResult {
  const max = options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
  if (!Number.isFinite(max) || max < 0)
    throw new RangeError(`maxInstructions must be a non-negative number, got ${max}`);
  const image = parseElf(elf);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = options.onOutput;
  const report = options.onDeviceLog;
  const board = new VirtBoard({
    ...(report === undefined
      ? {}
      : {
          log: {
            unknownAccess: (device, kind, offset, width, value) =>
              report(
                `${device}: unknown ${width}-byte ${kind} at offset 0x${offset.toString(16)}${value === undefined ? '' : ` value 0x${(value >>> 0).toString(16)}`}`,
              ),
          },
        }),
    harts: options.harts ?? 1,
    onOutput: (bytes) => {
      chunks.push(bytes);
      total += bytes.length;
      stream?.(bytes);
    },
  });
  board.load(image, options.dtb);
  board.run(Math.floor(max));
  const output = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    output.set(c, at);
    at += c.length;
  }
  const exit = board.exit;
  if (exit === null)
    return { exitCode: BUDGET_EXIT_CODE, reason: 'budget', output, instructions: board.instructions };
  return { exitCode: exit.code, reason: exit.reason, output, instructions: board.instructions };
}
