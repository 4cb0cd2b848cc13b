// Builds small ELF32 RISC-V executables for tests: one RWX PT_LOAD segment of code words at
// 0x80000000 plus a symbol table (SHT_SYMTAB + SHT_STRTAB), following the gABI layouts.
import { BASE } from './asm';

export function buildElf(
  words: readonly number[],
  symbols: Readonly<Record<string, number>> = {},
): Uint8Array {
  const code = words.length * 4;
  const names = Object.keys(symbols);
  const strtab = [0];
  const nameOffsets = names.map((n) => {
    const at = strtab.length;
    for (const c of new TextEncoder().encode(n)) strtab.push(c);
    strtab.push(0);
    return at;
  });
  const codeOff = 52 + 32;
  const symOff = codeOff + code;
  const symSize = 16 * (names.length + 1);
  const strOff = symOff + symSize;
  const shOff = (strOff + strtab.length + 3) & ~3;
  const total = shOff + 40 * 3;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 243, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, BASE, true);
  v.setUint32(28, 52, true);
  v.setUint32(32, shOff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint16(46, 40, true);
  v.setUint16(48, 3, true);
  // PT_LOAD: code plus 64 KiB of zeroed memory behind it for data symbols.
  v.setUint32(52, 1, true);
  v.setUint32(56, codeOff, true);
  v.setUint32(60, BASE, true);
  v.setUint32(64, BASE, true);
  v.setUint32(68, code, true);
  v.setUint32(72, code + 0x1_0000, true);
  v.setUint32(76, 7, true);
  words.forEach((w, k) => v.setUint32(codeOff + 4 * k, w >>> 0, true));
  names.forEach((n, k) => {
    const s = symOff + 16 * (k + 1);
    v.setUint32(s, nameOffsets[k]!, true);
    v.setUint32(s + 4, symbols[n]!, true);
  });
  b.set(strtab, strOff);
  // Section 1: .symtab (link 2), section 2: .strtab.
  const sh1 = shOff + 40;
  v.setUint32(sh1 + 4, 2, true);
  v.setUint32(sh1 + 16, symOff, true);
  v.setUint32(sh1 + 20, symSize, true);
  v.setUint32(sh1 + 24, 2, true);
  v.setUint32(sh1 + 36, 16, true);
  const sh2 = shOff + 80;
  v.setUint32(sh2 + 4, 3, true);
  v.setUint32(sh2 + 16, strOff, true);
  v.setUint32(sh2 + 20, strtab.length, true);
  return b;
}
