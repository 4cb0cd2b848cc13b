// Parses a guest kernel image: ELF32, little-endian, EM_RISCV, ET_EXEC, and its PT_LOAD segments
// (loaded at p_paddr, p_filesz bytes from the file then zeroes up to p_memsz), as QEMU's
// load_elf does for -kernel. Invariant: every segment lies inside the file and inside guest RAM
// (checked by the caller against the domain's RAM), no value is read past the buffer.
// Reference: System V ABI (ELF), Tool Interface Standard 1.2; RISC-V ELF psABI (EM_RISCV = 243).

export const ELF = {
  MAGIC: 0x464c457f,
  CLASS32: 1,
  DATA_LE: 1,
  ET_EXEC: 2,
  EM_RISCV: 243,
  PT_LOAD: 1,
  EHDR_SIZE: 52,
  PHDR_SIZE: 32,
} as const;

export interface ElfSegment {
  readonly paddr: number;
  readonly fileOffset: number;
  readonly fileSize: number;
  readonly memSize: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0);
}

export function parseElf32(image: Uint8Array): ElfImage {
  const fail = (why: string): never => {
    throw new Error(`kernel image: ${why}`);
  };
  if (image.length < ELF.EHDR_SIZE) fail(`${image.length} bytes is shorter than an ELF header`);
  if (u32(image, 0) !== ELF.MAGIC) fail('not an ELF file (bad magic)');
  if (image[4] !== ELF.CLASS32) fail('not ELF32 (the harts are RV32)');
  if (image[5] !== ELF.DATA_LE) fail('not little-endian');
  if (u16(image, 16) !== ELF.ET_EXEC) fail(`e_type ${u16(image, 16)} is not ET_EXEC`);
  if (u16(image, 18) !== ELF.EM_RISCV) fail(`e_machine ${u16(image, 18)} is not RISC-V (243)`);
  const entry = u32(image, 24);
  const phoff = u32(image, 28);
  const phentsize = u16(image, 42);
  const phnum = u16(image, 44);
  if (phentsize !== ELF.PHDR_SIZE) fail(`e_phentsize ${phentsize} is not ${ELF.PHDR_SIZE}`);
  if (phoff + phnum * phentsize > image.length) fail('program headers run past the end of the file');
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (u32(image, at) !== ELF.PT_LOAD) continue;
    const seg = { fileOffset: u32(image, at + 4), paddr: u32(image, at + 12), fileSize: u32(image, at + 16), memSize: u32(image, at + 20) };
    if (seg.fileSize > seg.memSize) fail(`segment ${i}: p_filesz ${seg.fileSize} exceeds p_memsz ${seg.memSize}`);
    if (seg.fileOffset + seg.fileSize > image.length) fail(`segment ${i} runs past the end of the file`);
    if (seg.memSize > 0) segments.push(seg);
  }
  if (segments.length === 0) fail('no PT_LOAD segment');
  return { entry, segments };
}
