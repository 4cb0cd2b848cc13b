// Builds small ELF32 RISC-V executables for the tests (ELF spec: 52-byte header, 32-byte
// program headers, PT_LOAD segments loaded at p_paddr).
export interface TinySegment {
  paddr: number;
  data: Uint8Array;
  memSize?: number;
}

export function tinyElf(entry: number, segments: readonly TinySegment[], machine = 243): Uint8Array {
  const phoff = 52;
  let offset = phoff + 32 * segments.length;
  const total = segments.reduce((n, s) => n + s.data.length, offset);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  v.setUint16(16, 2, true);
  v.setUint16(18, machine, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, entry, true);
  v.setUint32(28, phoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, segments.length, true);
  segments.forEach((s, i) => {
    const ph = phoff + 32 * i;
    v.setUint32(ph, 1, true);
    v.setUint32(ph + 4, offset, true);
    v.setUint32(ph + 8, s.paddr, true);
    v.setUint32(ph + 12, s.paddr, true);
    v.setUint32(ph + 16, s.data.length, true);
    v.setUint32(ph + 20, s.memSize ?? s.data.length, true);
    v.setUint32(ph + 24, 7, true);
    out.set(s.data, offset);
    offset += s.data.length;
  });
  return out;
}

/** A kernel image whose text is a recognisable pattern at 0x80200000. */
export function patternKernel(bytes = 8192): Uint8Array {
  const text = new Uint8Array(bytes).map((_, i) => (i * 13 + 1) & 0xff);
  return tinyElf(0x8020_0000, [{ paddr: 0x8020_0000, data: text, memSize: bytes + 4096 }]);
}
