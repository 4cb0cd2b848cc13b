// Run an RV32 ELF on the full host board (HostBoard): without `sbi` as QEMU -bios none (every
// hart in M-mode at the entry, a0 = hartid, a1 = the generated DTB); with `sbi` as QEMU's default
// -bios: the modelled platform firmware measures the image, then enters it in S-mode on hart 0
// (a0 = 0, a1 = DTB) with the other harts parked until SBI HSM hart_start. Result as runElf's.
import type { BoardDescription } from './board-description';
import type { DiskBacking } from './devices/disk-backing';
import { parseElf } from './elf';
import { PlatformFirmware } from './firmware/platform-firmware';
import { HostBoard, hostBoardDescription } from './host-board';
import { BUDGET_EXIT_CODE, DEFAULT_MAX_INSTRUCTIONS, type RunElfResult } from './run-elf';

export interface BootElfOptions {
  /** Run the image as an S-mode payload of the modelled SBI firmware. */
  sbi?: boolean;
  harts?: number;
  ramSize?: number;
  /** Session seed (default "cloudvisor-lab"): TPM keys, the DTB's rng-seed. */
  seed?: string;
  /** Backing of the host disk controller; without it the board has no host disk. */
  disk?: DiskBacking;
  maxInstructions?: number;
  onOutput?: (bytes: Uint8Array) => void;
}

export interface BootElfResult extends Omit<RunElfResult, 'reason'> {
  /** As runElf's, plus 'failure' when the firmware stopped the machine (see `failure`). */
  reason: RunElfResult['reason'] | 'failure';
  /** Set when the firmware found the machine in a state it cannot continue from. */
  failure: string | null;
}

export const DEFAULT_BOOT_SEED = 'cloudvisor-lab';

/** How a machine was booted: enough to build the same machine again (snapshots keep it). */
export interface BootSpec {
  readonly mode: 'bare' | 'sbi';
  readonly elf: Uint8Array;
}

/** A powered-on board with what booted it. */
export interface ElfMachine {
  readonly board: HostBoard;
  readonly firmware: PlatformFirmware | null;
  readonly boot: BootSpec;
}

export interface MachineConfig {
  readonly description: BoardDescription;
  readonly seed: string | Uint8Array;
  readonly disk?: DiskBacking;
  readonly instructionsPerTick?: number;
  readonly quantum?: number;
}

/** Builds the board for `config` and powers it on with `boot`. */
export function createMachine(boot: BootSpec, config: MachineConfig): ElfMachine {
  const image = parseElf(boot.elf);
  const board = new HostBoard(config);
  const firmware = boot.mode === 'sbi' ? new PlatformFirmware(board) : null;
  if (firmware !== null) board.powerOn(firmware.supervisorBoot(image, boot.elf));
  else board.powerOn((b) => b.startBareMetal(image));
  return { board, firmware, boot: { mode: boot.mode, elf: boot.elf.slice() } };
}

/** The machine bootElf runs (exported for callers that drive it step by step). */
export function createElfMachine(
  elf: Uint8Array,
  options: Omit<BootElfOptions, 'maxInstructions'> = {},
): ElfMachine {
  const description = hostBoardDescription(options.harts ?? 1, options.ramSize ?? 128 * 1024 * 1024, {
    disk: options.disk !== undefined,
  });
  const machine = createMachine(
    { mode: options.sbi === true ? 'sbi' : 'bare', elf },
    {
      description,
      seed: options.seed ?? DEFAULT_BOOT_SEED,
      ...(options.disk !== undefined ? { disk: options.disk } : {}),
    },
  );
  if (options.onOutput !== undefined) machine.board.onOutput(options.onOutput);
  return machine;
}

export function bootElf(elf: Uint8Array, options: BootElfOptions = {}): BootElfResult {
  const max = options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
  if (!Number.isFinite(max) || max < 0)
    throw new RangeError(`maxInstructions must be a non-negative number, got ${max}`);
  const chunks: Uint8Array[] = [];
  const { board } = createElfMachine(elf, options);
  board.onOutput((b) => chunks.push(b));
  board.run(Math.floor(max));
  const output = Buffer.concat(chunks);
  const base = {
    output: new Uint8Array(output.buffer, output.byteOffset, output.length),
    instructions: board.instructions,
    failure: board.failure,
  };
  const exit = board.exit;
  if (exit === null) return { ...base, exitCode: BUDGET_EXIT_CODE, reason: 'budget' };
  return { ...base, exitCode: exit.code, reason: exit.reason };
}
