// Runs the committed board test program (assets/tests/board) on the host board: to its power-off,
// typing `hello` into UART0 when it asks for a line. Shared by the plain and toolchain tests.
import { createElfMachine } from '../../core/hw/boot-elf';
import type { MemoryDiskBacking } from '../../core/hw/devices/disk-backing';

export const BOARD_TEST_DIR = new URL('../../assets/tests/board/', import.meta.url);
const BUDGET = 20_000_000;

/** Runs a board-test image to its power-off, typing `hello` when it asks for a line. */
export function runBoardTest(
  elf: Uint8Array,
  sbi: boolean,
  disk?: MemoryDiskBacking,
): { output: string; exit: unknown } {
  let out = '';
  const { board } = createElfMachine(elf, {
    sbi,
    ramSize: 16 * 1024 * 1024,
    ...(disk ? { disk } : {}),
    onOutput: (b) => (out += Buffer.from(b).toString('latin1')),
  });
  let typed = false;
  while (board.exit === null && board.instructions < BUDGET) {
    board.run(100_000);
    if (!typed && out.includes('type a line')) {
      board.uart.receive(new TextEncoder().encode('hello\n'));
      typed = true;
    }
  }
  return { output: out.replace(/\r/g, ''), exit: board.exit };
}
