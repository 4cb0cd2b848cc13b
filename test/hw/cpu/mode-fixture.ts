// Runs a few instructions in a chosen mode (M, HS, U, VS, VU) with translation off and PMP
// open, after setting CSRs directly; traps land in an M-mode halt loop at HANDLER.
import { writeCsr } from '../../../core/hw/cpu/csr-file';
import { CSR } from '../../../core/hw/cpu/csr-numbers';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import type { Hart } from '../../../core/hw/cpu/hart';
import type { VirtBoard } from '../../../core/hw/virt-board';
import { A, BASE, boardWith, poke } from './asm';

export const HANDLER = BASE + 0x800;
export const MODES = { M: [3, 0], HS: [1, 0], U: [0, 0], VS: [1, 1], VU: [0, 1] } as const;
export type ModeName = keyof typeof MODES;

let shared: VirtBoard | null = null;

export function sharedBoard(): VirtBoard {
  if (shared === null) {
    const words: number[] = [];
    while (words.length <= 0x400) words.push(A.halt());
    shared = boardWith(words);
  }
  return shared;
}

export interface ModeRun {
  h: Hart;
  trapped: boolean;
  mcause: number;
  mtval: number;
  mepc: number;
}

export function inMode(
  mode: ModeName,
  insns: readonly number[],
  csrs: Readonly<Record<number, number>> = {},
  budget = insns.length + 2,
  before: (h: Hart) => void = () => undefined,
): ModeRun {
  const board = sharedBoard();
  const h = board.harts[0]!;
  [...insns, A.halt()].forEach((w, k) => poke(board, BASE + 4 * k, w));
  h.reset(BASE);
  writeCsr(h, CSR.PMPADDR0, -1);
  writeCsr(h, CSR.PMPCFG0, 0x1f);
  writeCsr(h, CSR.MTVEC, HANDLER);
  for (const [csr, value] of Object.entries(csrs)) writeCsr(h, Number(csr), value);
  before(h);
  const [priv, virt] = MODES[mode];
  h.priv = priv;
  h.virt = virt;
  h.contextChanged();
  board.exit = null;
  board.run(budget);
  const c = h.csr;
  return {
    h,
    trapped: h.pc >>> 0 === HANDLER,
    mcause: c[SLOT.MCAUSE]!,
    mtval: c[SLOT.MTVAL]! >>> 0,
    mepc: c[SLOT.MEPC]! >>> 0,
  };
}
