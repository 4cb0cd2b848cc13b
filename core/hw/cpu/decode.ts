// Pre-decoding of RV32IMA instructions into (op, imm) integer pairs and the per-physical-page
// cache that holds them, shared by every hart on a bus. op = kind | rd << 8 | rs1 << 14 |
// rs2 << 19, where rd 0 is replaced by the sink register 32 so execution never tests for x0.
// A page's decoded entries are dropped whenever the bus reports a write to it (stores on the
// slow path, DMA, A/D updates); harts never keep write-TLB entries for decoded pages.
import type { PhysicalBus } from '../memory/physical-bus';

/** Decoded instruction kinds; the interpreter's switch uses these numbers as literals. */
export const OP = {
  UNDECODED: 0,
  LUI: 1,
  AUIPC: 2,
  JAL: 3,
  JALR: 4,
  BEQ: 5,
  BNE: 6,
  BLT: 7,
  BGE: 8,
  BLTU: 9,
  BGEU: 10,
  LB: 11,
  LH: 12,
  LW: 13,
  LBU: 14,
  LHU: 15,
  SB: 16,
  SH: 17,
  SW: 18,
  ADDI: 19,
  SLTI: 20,
  SLTIU: 21,
  XORI: 22,
  ORI: 23,
  ANDI: 24,
  SLLI: 25,
  SRLI: 26,
  SRAI: 27,
  ADD: 28,
  SUB: 29,
  SLL: 30,
  SLT: 31,
  SLTU: 32,
  XOR: 33,
  SRL: 34,
  SRA: 35,
  OR: 36,
  AND: 37,
  MUL: 38,
  MULH: 39,
  MULHSU: 40,
  MULHU: 41,
  DIV: 42,
  DIVU: 43,
  REM: 44,
  REMU: 45,
  FENCE: 46,
  FENCE_I: 47,
  AMO: 48,
  SYSTEM: 49,
  ILLEGAL: 50,
  BRANCH_MISALIGNED: 51,
} as const;

export const SINK = 32;

/** Decode `insn` into ops[i] (op word) and ops[i+1] (immediate, or the raw bits for AMO/SYSTEM/ILLEGAL). */
export function decodeInto(ops: Int32Array, i: number, insn: number): number {
  const rdRaw = (insn >>> 7) & 31;
  const rd = rdRaw === 0 ? SINK : rdRaw;
  const rs1 = (insn >>> 15) & 31;
  const rs2 = (insn >>> 20) & 31;
  const f3 = (insn >>> 12) & 7;
  const f7 = insn >>> 25;
  const regs = (rd << 8) | (rs1 << 14) | (rs2 << 19);
  let kind: number = OP.ILLEGAL;
  let imm = insn;
  switch (insn & 0x7f) {
    case 0x37:
      kind = OP.LUI;
      imm = insn & -4096;
      break;
    case 0x17:
      kind = OP.AUIPC;
      imm = insn & -4096;
      break;
    case 0x6f:
      kind = OP.JAL;
      imm =
        ((insn >> 31) << 20) |
        (((insn >>> 12) & 0xff) << 12) |
        (((insn >>> 20) & 1) << 11) |
        (((insn >>> 21) & 0x3ff) << 1);
      break;
    case 0x67:
      if (f3 === 0) {
        kind = OP.JALR;
        imm = insn >> 20;
      }
      break;
    case 0x63:
      if (f3 !== 2 && f3 !== 3) {
        kind = [OP.BEQ, OP.BNE, 0, 0, OP.BLT, OP.BGE, OP.BLTU, OP.BGEU][f3] ?? OP.ILLEGAL;
        imm = branchOffset(insn);
        // Without C a target off 4-byte alignment traps when taken (unpriv 2.5): a rare kind of its own.
        if ((imm & 3) !== 0) {
          kind = OP.BRANCH_MISALIGNED;
          imm = insn;
        }
      }
      break;
    case 0x03:
      if (f3 !== 3 && f3 < 6) {
        kind = [OP.LB, OP.LH, OP.LW, 0, OP.LBU, OP.LHU][f3] ?? OP.ILLEGAL;
        imm = insn >> 20;
      }
      break;
    case 0x23:
      if (f3 < 3) {
        kind = [OP.SB, OP.SH, OP.SW][f3] ?? OP.ILLEGAL;
        imm = ((insn >> 25) << 5) | ((insn >>> 7) & 31);
      }
      break;
    case 0x13:
      imm = insn >> 20;
      if (f3 === 1) {
        if (f7 === 0) {
          kind = OP.SLLI;
          imm = rs2;
        }
      } else if (f3 === 5) {
        if (f7 === 0) {
          kind = OP.SRLI;
          imm = rs2;
        } else if (f7 === 0x20) {
          kind = OP.SRAI;
          imm = rs2;
        }
      } else kind = [OP.ADDI, 0, OP.SLTI, OP.SLTIU, OP.XORI, 0, OP.ORI, OP.ANDI][f3] ?? OP.ILLEGAL;
      break;
    case 0x33:
      if (f7 === 0) kind = [OP.ADD, OP.SLL, OP.SLT, OP.SLTU, OP.XOR, OP.SRL, OP.OR, OP.AND][f3] ?? OP.ILLEGAL;
      else if (f7 === 1) kind = OP.MUL + f3;
      else if (f7 === 0x20 && f3 === 0) kind = OP.SUB;
      else if (f7 === 0x20 && f3 === 5) kind = OP.SRA;
      imm = 0;
      break;
    case 0x0f:
      if (f3 === 0) kind = OP.FENCE;
      else if (f3 === 1) kind = OP.FENCE_I;
      break;
    case 0x2f:
      kind = OP.AMO;
      break;
    case 0x73:
      kind = OP.SYSTEM;
      break;
    default:
      break;
  }
  if (kind === OP.ILLEGAL) imm = insn;
  const op = kind | regs;
  ops[i] = op;
  ops[i + 1] = imm;
  return op;
}

/** The B-type immediate of a branch. */
export function branchOffset(insn: number): number {
  return (
    ((insn >> 31) << 12) |
    (((insn >>> 7) & 1) << 11) |
    (((insn >>> 25) & 0x3f) << 5) |
    (((insn >>> 8) & 0xf) << 1)
  );
}

/** Whether the (valid) branch `insn` is taken with registers `x`. */
export function branchTaken(x: Int32Array, insn: number): boolean {
  const a = x[(insn >>> 15) & 31] ?? 0;
  const b = x[(insn >>> 20) & 31] ?? 0;
  switch ((insn >>> 12) & 7) {
    case 0:
      return a === b;
    case 1:
      return a !== b;
    case 4:
      return a < b;
    case 5:
      return a >= b;
    case 6:
      return a >>> 0 < b >>> 0;
    default:
      return a >>> 0 >= b >>> 0;
  }
}

interface CacheUser {
  /** Drop write-TLB entries: a page just became code. */
  codePageMarked(): void;
}

/** Decoded pages of one bus's RAM, shared by its harts. */
export class DecodeCache {
  private readonly pages: (Int32Array | undefined)[];
  private readonly users: CacheUser[] = [];
  /** Set when a page was dropped; a hart ends its block so it never runs stale entries. */
  invalidated = false;

  constructor(private readonly bus: PhysicalBus) {
    this.pages = new Array<Int32Array | undefined>(bus.ram.size / 4096);
    bus.onCodeWrite((page) => {
      if (this.pages[page] !== undefined) {
        this.pages[page] = undefined;
        this.invalidated = true;
      }
    });
  }

  register(user: CacheUser): void {
    this.users.push(user);
  }

  /** The decoded entries for RAM page `ramPage` (two Int32 per instruction, 0 = not decoded). */
  page(ramPage: number): Int32Array {
    let ops = this.pages[ramPage];
    if (ops === undefined) {
      ops = new Int32Array(2048);
      this.pages[ramPage] = ops;
      const code = this.bus.ram.codePages;
      if (code[ramPage] === 0) {
        code[ramPage] = 1;
        for (const u of this.users) u.codePageMarked();
      }
    }
    return ops;
  }

  /** Drop every decoded page (after a whole-RAM reload). */
  clear(): void {
    this.pages.fill(undefined);
    this.bus.ram.codePages.fill(0);
    this.invalidated = true;
  }
}

const caches = new WeakMap<PhysicalBus, DecodeCache>();

/** The decode cache of `bus`, created on first use. */
export function decodeCacheOf(bus: PhysicalBus): DecodeCache {
  let cache = caches.get(bus);
  if (cache === undefined) {
    cache = new DecodeCache(bus);
    caches.set(bus, cache);
  }
  return cache;
}
