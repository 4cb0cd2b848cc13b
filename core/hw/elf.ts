// ELF32 little-endian RISC-V executable loader (System V gABI; RISC-V ELF psABI). Validates
// every header field it relies on and every range before reading it: a malformed file is an
// ElfError with a message naming the field, never an out-of-bounds read. Segments load at
// p_paddr like QEMU's load_elf. Symbols come from the first SHT_SYMTAB, if any.

export class ElfError extends Error {
  override readonly name = 'ElfError';
}

export const ELF = {
  MAGIC: 0x464c457f,
  CLASS_32: 1,
  DATA_LSB: 1,
  VERSION_CURRENT: 1,
  ET_EXEC: 2,
  EM_RISCV: 243,
  PT_LOAD: 1,
  SHT_SYMTAB: 2,
  EHDR_SIZE: 52,
  PHDR_SIZE: 32,
  SHDR_SIZE: 40,
  SYM_SIZE: 16,
} as const;

export interface ElfSegment {
  readonly paddr: number;
  readonly vaddr: number;
  /** File bytes (a view into the input); the rest up to memsz is zero. */
  readonly data: Uint8Array;
  readonly memsz: number;
  readonly flags: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
  /** Symbol name -> value, from the symbol table when the file has one. */
  readonly symbols: ReadonlyMap<string, number>;
}

function need(ok: boolean, message: string): asserts ok {
  if (!ok) throw new ElfError(message);
}

function inFile(size: number, offset: number, length: number): boolean {
  return offset >= 0 && length >= 0 && offset + length <= size;
}

export function parseElf(bytes: Uint8Array): ElfImage {
  need(bytes instanceof Uint8Array, 'ELF input must be bytes');
  need(bytes.length >= ELF.EHDR_SIZE, `file is ${bytes.length} bytes, shorter than an ELF32 header (52)`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  need(v.getUint32(0, true) === ELF.MAGIC, 'not an ELF file (bad magic)');
  need(bytes[4] === ELF.CLASS_32, `EI_CLASS is ${bytes[4]}, expected 1 (ELFCLASS32)`);
  need(bytes[5] === ELF.DATA_LSB, `EI_DATA is ${bytes[5]}, expected 1 (little-endian)`);
  need(bytes[6] === ELF.VERSION_CURRENT, `EI_VERSION is ${bytes[6]}, expected 1`);
  need(v.getUint16(16, true) === ELF.ET_EXEC, `e_type is ${v.getUint16(16, true)}, expected 2 (ET_EXEC)`);
  need(
    v.getUint16(18, true) === ELF.EM_RISCV,
    `e_machine is ${v.getUint16(18, true)}, expected 243 (RISC-V)`,
  );
  need(v.getUint32(20, true) === ELF.VERSION_CURRENT, 'e_version is not 1');
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const shoff = v.getUint32(32, true);
  need(v.getUint16(40, true) === ELF.EHDR_SIZE, `e_ehsize is ${v.getUint16(40, true)}, expected 52`);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  need(phnum > 0, 'no program headers (nothing to load)');
  need(phentsize === ELF.PHDR_SIZE, `e_phentsize is ${phentsize}, expected 32`);
  need(
    inFile(bytes.length, phoff, phnum * phentsize),
    `program headers (offset ${phoff}, ${phnum} entries) run past the end of the file`,
  );
  const segments = readSegments(bytes, v, phoff, phnum);
  need(segments.length > 0, 'no PT_LOAD segment');
  need(
    segments.some((s) => (s.flags & 1) !== 0 && entry >= s.vaddr && entry < s.vaddr + s.memsz),
    `entry point 0x${entry.toString(16)} is not inside an executable segment`,
  );
  let symbols: ReadonlyMap<string, number> = new Map();
  if (shoff !== 0 && shnum !== 0) {
    need(shentsize === ELF.SHDR_SIZE, `e_shentsize is ${shentsize}, expected 40`);
    need(
      inFile(bytes.length, shoff, shnum * shentsize),
      `section headers (offset ${shoff}, ${shnum} entries) run past the end of the file`,
    );
    symbols = readSymbols(bytes, v, shoff, shnum);
  }
  return { entry, segments, symbols };
}

function readSegments(bytes: Uint8Array, v: DataView, phoff: number, phnum: number): ElfSegment[] {
  const out: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * ELF.PHDR_SIZE;
    if (v.getUint32(o, true) !== ELF.PT_LOAD) continue;
    const offset = v.getUint32(o + 4, true);
    const vaddr = v.getUint32(o + 8, true);
    const paddr = v.getUint32(o + 12, true);
    const filesz = v.getUint32(o + 16, true);
    const memsz = v.getUint32(o + 20, true);
    const flags = v.getUint32(o + 24, true);
    need(filesz <= memsz, `segment ${i}: p_filesz ${filesz} exceeds p_memsz ${memsz}`);
    need(
      inFile(bytes.length, offset, filesz),
      `segment ${i}: file range ${offset}+${filesz} runs past the end of the file`,
    );
    need(paddr + memsz <= 0x1_0000_0000, `segment ${i}: 0x${paddr.toString(16)}+${memsz} wraps past 4 GiB`);
    for (const s of out) {
      need(
        paddr >= s.paddr + s.memsz || s.paddr >= paddr + memsz || memsz === 0,
        `segment ${i} overlaps an earlier segment at 0x${s.paddr.toString(16)}`,
      );
    }
    out.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memsz, flags });
  }
  return out;
}

function readSymbols(bytes: Uint8Array, v: DataView, shoff: number, shnum: number): Map<string, number> {
  const symbols = new Map<string, number>();
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * ELF.SHDR_SIZE;
    if (v.getUint32(o + 4, true) !== ELF.SHT_SYMTAB) continue;
    const offset = v.getUint32(o + 16, true);
    const size = v.getUint32(o + 20, true);
    const link = v.getUint32(o + 24, true);
    need(inFile(bytes.length, offset, size), `symbol table (section ${i}) runs past the end of the file`);
    need(link < shnum, `symbol table (section ${i}) links to missing section ${link}`);
    const so = shoff + link * ELF.SHDR_SIZE;
    const strOff = v.getUint32(so + 16, true);
    const strSize = v.getUint32(so + 20, true);
    need(
      inFile(bytes.length, strOff, strSize),
      `string table (section ${link}) runs past the end of the file`,
    );
    const decoder = new TextDecoder();
    for (let s = offset; s + ELF.SYM_SIZE <= offset + size; s += ELF.SYM_SIZE) {
      const nameOff = v.getUint32(s, true);
      if (nameOff === 0) continue;
      need(nameOff < strSize, `symbol at ${s} names offset ${nameOff} outside its string table`);
      let end = strOff + nameOff;
      while (end < strOff + strSize && bytes[end] !== 0) end++;
      const name = decoder.decode(bytes.subarray(strOff + nameOff, end));
      if (!symbols.has(name)) symbols.set(name, v.getUint32(s + 4, true));
    }
    break;
  }
  return symbols;
}
