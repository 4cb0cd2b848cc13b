// A tiny RV32 assembler for hand-written hart tests: encoders for the instruction formats of
// the unprivileged spec (chapter 24 opcode map) and the privileged/H instructions, plus a
// board fixture that loads raw words at 0x80000000 and runs them.
import { VirtBoard } from '../../../core/hw/virt-board';
import type { ElfImage } from '../../../core/hw/elf';

export const BASE = 0x8000_0000;

const r = (op: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (op: number, rd: number, f3: number, rs1: number, imm: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (f3: number, rs1: number, rs2: number, imm: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | 0x23) >>> 0;

export const A = {
  addi: (rd: number, rs1: number, imm: number) => i(0x13, rd, 0, rs1, imm),
  slli: (rd: number, rs1: number, sh: number) => i(0x13, rd, 1, rs1, sh),
  srli: (rd: number, rs1: number, sh: number) => i(0x13, rd, 5, rs1, sh),
  srai: (rd: number, rs1: number, sh: number) => i(0x13, rd, 5, rs1, 0x400 | sh),
  ori: (rd: number, rs1: number, imm: number) => i(0x13, rd, 6, rs1, imm),
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  auipc: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0,
  op: (name: string, rd: number, rs1: number, rs2: number): number => {
    const table: Record<string, [number, number]> = {
      add: [0, 0],
      sub: [0, 0x20],
      sll: [1, 0],
      slt: [2, 0],
      sltu: [3, 0],
      xor: [4, 0],
      srl: [5, 0],
      sra: [5, 0x20],
      or: [6, 0],
      and: [7, 0],
      mul: [0, 1],
      mulh: [1, 1],
      mulhsu: [2, 1],
      mulhu: [3, 1],
      div: [4, 1],
      divu: [5, 1],
      rem: [6, 1],
      remu: [7, 1],
    };
    const e = table[name];
    if (e === undefined) throw new Error(`no op ${name}`);
    return r(0x33, rd, e[0], rs1, rs2, e[1]);
  },
  lw: (rd: number, rs1: number, imm: number) => i(0x03, rd, 2, rs1, imm),
  lh: (rd: number, rs1: number, imm: number) => i(0x03, rd, 1, rs1, imm),
  lbu: (rd: number, rs1: number, imm: number) => i(0x03, rd, 4, rs1, imm),
  lb: (rd: number, rs1: number, imm: number) => i(0x03, rd, 0, rs1, imm),
  sw: (rs2: number, rs1: number, imm: number) => s(2, rs1, rs2, imm),
  sb: (rs2: number, rs1: number, imm: number) => s(0, rs1, rs2, imm),
  jal: (rd: number, off: number) =>
    ((((off >> 20) & 1) << 31) |
      (((off >> 1) & 0x3ff) << 21) |
      (((off >> 11) & 1) << 20) |
      (((off >> 12) & 0xff) << 12) |
      (rd << 7) |
      0x6f) >>>
    0,
  jalr: (rd: number, rs1: number, imm: number) => i(0x67, rd, 0, rs1, imm),
  beq: (rs1: number, rs2: number, off: number) =>
    ((((off >> 12) & 1) << 31) |
      (((off >> 5) & 0x3f) << 25) |
      (rs2 << 20) |
      (rs1 << 15) |
      (((off >> 1) & 0xf) << 8) |
      (((off >> 11) & 1) << 7) |
      0x63) >>>
    0,
  csrrw: (rd: number, csr: number, rs1: number) => i(0x73, rd, 1, rs1, csr),
  csrrs: (rd: number, csr: number, rs1: number) => i(0x73, rd, 2, rs1, csr),
  csrrc: (rd: number, csr: number, rs1: number) => i(0x73, rd, 3, rs1, csr),
  csrrwi: (rd: number, csr: number, uimm: number) => i(0x73, rd, 5, uimm, csr),
  csrrsi: (rd: number, csr: number, uimm: number) => i(0x73, rd, 6, uimm, csr),
  lr: (rd: number, rs1: number) => r(0x2f, rd, 2, rs1, 0, 0x02 << 2),
  sc: (rd: number, rs1: number, rs2: number) => r(0x2f, rd, 2, rs1, rs2, 0x03 << 2),
  amo: (f5: number, rd: number, rs1: number, rs2: number) => r(0x2f, rd, 2, rs1, rs2, f5 << 2),
  ecall: () => 0x0000_0073,
  ebreak: () => 0x0010_0073,
  mret: () => 0x3020_0073,
  sret: () => 0x1020_0073,
  wfi: () => 0x1050_0073,
  sfenceVma: (rs1: number, rs2: number) => r(0x73, 0, 0, rs1, rs2, 0x09),
  hfenceGvma: (rs1: number, rs2: number) => r(0x73, 0, 0, rs1, rs2, 0x31),
  hlvW: (rd: number, rs1: number) => r(0x73, rd, 4, rs1, 0, 0x34),
  hlvxWu: (rd: number, rs1: number) => r(0x73, rd, 4, rs1, 3, 0x34),
  hsvW: (rs1: number, rs2: number) => r(0x73, 0, 4, rs1, rs2, 0x35),
  fenceI: () => 0x0000_100f,
  /** `j .`: the halt loop tests run into. */
  halt: () => 0x0000_006f,
};

/** lui+addi loading any 32-bit constant. */
export function li(rd: number, value: number): number[] {
  const v = value | 0;
  const lo = (v << 20) >> 20;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return [A.lui(rd, hi), A.addi(rd, rd, lo)];
}

export function imageOf(words: readonly number[], at = BASE): ElfImage {
  const data = new Uint8Array(words.length * 4);
  const view = new DataView(data.buffer);
  words.forEach((w, k) => view.setUint32(k * 4, w >>> 0, true));
  return {
    entry: at,
    segments: [{ paddr: at, vaddr: at, data, memsz: data.length, flags: 7 }],
    symbols: new Map(),
  };
}

/** A board holding `words` at 0x80000000 with hart 0 at its entry in M-mode. */
export function boardWith(words: readonly number[], harts = 1): VirtBoard {
  const board = new VirtBoard({ harts, ramSize: 8 * 1024 * 1024 });
  board.load(imageOf(words));
  return board;
}

/** Writes a little-endian word into the board's RAM. */
export function poke(board: VirtBoard, pa: number, value: number): void {
  board.bus.write32(pa, value >>> 0);
}

export function peek(board: VirtBoard, pa: number): number {
  return board.bus.read32(pa);
}

/** Replace the program in an existing board's RAM and reset hart 0 to its start (cheap reuse). */
export function load(board: VirtBoard, words: readonly number[], at = BASE): void {
  const image = imageOf(words, at);
  const seg = image.segments[0]!;
  board.bus.writeBytes(at, seg.data);
  board.harts[0]!.reset(at);
}
