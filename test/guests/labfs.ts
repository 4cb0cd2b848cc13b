// A reader for labfs disk images, written from assets/guests/labos/FS.md alone, so tests can
// check what labOS wrote to its disk and corrupt it precisely. Little-endian, 4 KiB blocks.

export const LABFS_MAGIC = 0x5346424c;
export const BLOCK = 4096;

export interface LabfsEntry {
  readonly index: number;
  readonly name: string;
  readonly size: number;
  readonly start: number;
  readonly nblocks: number;
  readonly dataCrc: number;
}

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as in zlib (FS.md: crc32("123456789") = 0xCBF43926). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function readSuperblock(disk: Uint8Array): { totalBlocks: number; crcOk: boolean } {
  const v = new DataView(disk.buffer, disk.byteOffset, BLOCK);
  if (v.getUint32(0, true) !== LABFS_MAGIC) throw new Error('labfs: bad magic');
  return {
    totalBlocks: v.getUint32(12, true),
    crcOk: v.getUint32(4092, true) === crc32(disk.subarray(0, 4092)),
  };
}

export function listEntries(disk: Uint8Array): LabfsEntry[] {
  const entries: LabfsEntry[] = [];
  for (let i = 0; i < 64; i++) {
    const off = BLOCK + 64 * i;
    const e = disk.subarray(off, off + 64);
    const v = new DataView(disk.buffer, disk.byteOffset + off, 64);
    if ((v.getUint32(40, true) & 1) === 0) continue;
    if (v.getUint32(60, true) !== crc32(e.subarray(0, 60))) throw new Error(`labfs: entry ${i} checksum`);
    const nameEnd = e.indexOf(0);
    entries.push({
      index: i,
      name: Buffer.from(e.subarray(0, nameEnd < 0 ? 40 : nameEnd)).toString('latin1'),
      size: v.getUint32(44, true),
      start: v.getUint32(48, true),
      nblocks: v.getUint32(52, true),
      dataCrc: v.getUint32(56, true),
    });
  }
  return entries;
}

/** The file's bytes, after checking its data checksum. */
export function readFile(disk: Uint8Array, name: string): Uint8Array {
  const e = listEntries(disk).find((x) => x.name === name);
  if (!e) throw new Error(`labfs: no file ${name}`);
  const data = disk.slice(e.start * BLOCK, e.start * BLOCK + e.size);
  if (crc32(data) !== e.dataCrc) throw new Error(`labfs: ${name}: data checksum mismatch`);
  return data;
}
