// Checks the committed guest images without the toolchain: both are ELF32 RISC-V executables
// with the documented load and entry addresses, the firmware image carries exactly the kernel's
// loadable bytes as its payload, and FS.md's superblock magic is the one in the C source.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32, LABFS_MAGIC } from '../../core/lab/inspect/labfs-reader';

const GUESTS = new URL('../../assets/guests/', import.meta.url);

interface Segment {
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly flags: number;
}

interface Elf32 {
  readonly bytes: Uint8Array;
  readonly type: number;
  readonly machine: number;
  readonly entry: number;
  readonly segments: Segment[];
}

function parseElf32(bytes: Uint8Array): Elf32 {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (bytes[4] !== 1 || bytes[5] !== 1) throw new Error('not ELF32 little-endian');
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const segments: Segment[] = [];
  for (let i = 0; i < v.getUint16(44, true); i++) {
    const o = phoff + i * phentsize;
    segments.push({
      type: v.getUint32(o, true),
      offset: v.getUint32(o + 4, true),
      vaddr: v.getUint32(o + 8, true),
      paddr: v.getUint32(o + 12, true),
      filesz: v.getUint32(o + 16, true),
      memsz: v.getUint32(o + 20, true),
      flags: v.getUint32(o + 24, true),
    });
  }
  return {
    bytes,
    type: v.getUint16(16, true),
    machine: v.getUint16(18, true),
    entry: v.getUint32(24, true),
    segments,
  };
}

const PT_LOAD = 1;
const EM_RISCV = 243;
const ET_EXEC = 2;

function loadImage(name: string): Elf32 {
  return parseElf32(new Uint8Array(readFileSync(new URL(`images/${name}`, GUESTS))));
}

/** The flat memory image of the PT_LOAD file bytes, from the lowest load address. */
function flatImage(elf: Elf32): { base: number; bytes: Uint8Array } {
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz > 0);
  const base = Math.min(...loads.map((s) => s.paddr));
  const end = Math.max(...loads.map((s) => s.paddr + s.filesz));
  const out = new Uint8Array(end - base);
  for (const s of loads) out.set(elf.bytes.subarray(s.offset, s.offset + s.filesz), s.paddr - base);
  return { base, bytes: out };
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (
    let i = hay.indexOf(first ?? 0);
    i >= 0 && i + needle.length <= hay.length;
    i = hay.indexOf(first ?? 0, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

describe('committed guest images', () => {
  it('labos.elf is an RV32 executable linked and entered at 0x80200000', () => {
    const elf = loadImage('labos.elf');
    expect(elf.type).toBe(ET_EXEC);
    expect(elf.machine).toBe(EM_RISCV);
    expect(elf.entry).toBe(0x80200000);
    const loads = elf.segments.filter((s) => s.type === PT_LOAD);
    expect(Math.min(...loads.map((s) => s.paddr))).toBe(0x80200000);
    for (const s of loads) expect(s.vaddr).toBe(s.paddr); // loaded where it runs, paging off
  });

  it('labfw-labos.elf is an RV32 executable at 0x80000000 that stays below the payload address', () => {
    const elf = loadImage('labfw-labos.elf');
    expect(elf.type).toBe(ET_EXEC);
    expect(elf.machine).toBe(EM_RISCV);
    expect(elf.entry).toBe(0x80000000);
    const loads = elf.segments.filter((s) => s.type === PT_LOAD);
    expect(Math.min(...loads.map((s) => s.paddr))).toBe(0x80000000);
    expect(Math.max(...loads.map((s) => s.paddr + s.memsz))).toBeLessThanOrEqual(0x80200000);
  });

  it('the firmware image embeds exactly the kernel image as its payload', () => {
    const kernel = flatImage(loadImage('labos.elf'));
    const fw = flatImage(loadImage('labfw-labos.elf'));
    expect(kernel.bytes.length).toBeGreaterThan(4096);
    const at = indexOfBytes(fw.bytes, kernel.bytes);
    expect(at).toBeGreaterThan(0);
    expect((fw.base + at) % 16).toBe(0);
  });

  it('FS.md documents the superblock magic the C source uses', () => {
    const md = readFileSync(new URL('labos/FS.md', GUESTS), 'utf8');
    const header = readFileSync(new URL('labos/fs.h', GUESTS), 'utf8');
    const doc = /\| 0 \| 4 \| magic \| `0x([0-9A-Fa-f]{8})` \(the bytes `([0-9A-F ]{11})`/.exec(md);
    const src = /#define LABFS_MAGIC 0x([0-9A-Fa-f]{8})u/.exec(header);
    expect(doc).not.toBeNull();
    expect(src).not.toBeNull();
    const magic = parseInt(src?.[1] ?? '', 16);
    expect(parseInt(doc?.[1] ?? '', 16)).toBe(magic);
    expect(magic).toBe(LABFS_MAGIC);
    const le = Buffer.alloc(4);
    le.writeUInt32LE(magic);
    expect(doc?.[2]).toBe([...le].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' '));
  });

  it('the CRC-32 used to read labfs images matches the check value FS.md gives', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
