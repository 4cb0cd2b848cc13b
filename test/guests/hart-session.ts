// Drives labfw + labOS on our own hart (core/hw's virt board) the way qemu-session.ts drives
// QEMU: run until the shell prompt, type the next command into the UART, repeat. Every wait has
// an instruction budget, so a hang fails the test instead of stalling it.
import { parseElf } from '../../core/hw/elf';
import { VirtBoard, type BoardExit } from '../../core/hw/virt-board';
import { PROMPT } from './qemu-session';

export interface HartRun {
  /** The whole console, without carriage returns. */
  readonly output: string;
  readonly exit: BoardExit | null;
  readonly instructions: number;
}

const SLICE = 200_000;

export function runScriptOnHart(
  image: Uint8Array,
  dtb: Uint8Array,
  script: readonly string[],
  budgetPerStep = 50_000_000,
  harts = 1,
): HartRun {
  let out = '';
  const board = new VirtBoard({
    harts,
    onOutput: (b) => (out += Buffer.from(b).toString('latin1').replace(/\r/g, '')),
  });
  board.load(parseElf(image), dtb);
  const runUntil = (done: () => boolean, what: string): void => {
    const limit = board.instructions + budgetPerStep;
    while (!done() && board.exit === null && board.instructions < limit) board.run(SLICE);
    if (!done()) throw new Error(`our hart: no ${what} within ${budgetPerStep} instructions:\n${out}`);
  };
  let cursor = 0;
  for (const cmd of script) {
    runUntil(() => out.indexOf(PROMPT, cursor) >= 0, `prompt before "${cmd}"`);
    cursor = out.indexOf(PROMPT, cursor) + PROMPT.length;
    board.uart.receive(new TextEncoder().encode(`${cmd}\n`));
  }
  runUntil(() => board.exit !== null, 'exit after the script');
  return { output: out, exit: board.exit, instructions: board.instructions };
}
