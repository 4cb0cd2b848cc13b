// The lab's one reader of labfs, labOS's disk file system, written from assets/guests/labos/FS.md
// alone (never from labOS's C): the disk panel lists a volume with it and the tests check and
// corrupt what labOS wrote. Little-endian, 4 KiB blocks. The strict readers throw on anything
// FS.md calls invalid; `labfsListing` reports the same checks as data, for a disk under attack.

export const LABFS_MAGIC = 0x5346424c;
export const BLOCK = 4096;
export const DIR_ENTRIES = 64;
export const ENTRY_BYTES = 64;
/** FS.md: a file is at most 64 KiB. */
export const MAX_FILE_BYTES = 65536;

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

function view(disk: Uint8Array, offset: number, length: number): DataView {
  return new DataView(disk.buffer, disk.byteOffset + offset, length);
}

/** A directory entry's name: the bytes before the first NUL, as latin1 (FS.md allows only ASCII). */
function entryName(entry: Uint8Array): string {
  const end = entry.subarray(0, 40).indexOf(0);
  return String.fromCharCode(...entry.subarray(0, end < 0 ? 40 : end));
}

export function readSuperblock(disk: Uint8Array): { totalBlocks: number; crcOk: boolean } {
  const v = view(disk, 0, BLOCK);
  if (v.getUint32(0, true) !== LABFS_MAGIC) throw new Error('labfs: bad magic');
  return {
    totalBlocks: v.getUint32(12, true),
    crcOk: v.getUint32(4092, true) === crc32(disk.subarray(0, 4092)),
  };
}

/** The entries in use; throws on one whose entry checksum does not match. */
export function listEntries(disk: Uint8Array): LabfsEntry[] {
  const entries: LabfsEntry[] = [];
  for (let i = 0; i < DIR_ENTRIES; i++) {
    const off = BLOCK + ENTRY_BYTES * i;
    const e = disk.subarray(off, off + ENTRY_BYTES);
    const v = view(disk, off, ENTRY_BYTES);
    if ((v.getUint32(40, true) & 1) === 0) continue;
    if (v.getUint32(60, true) !== crc32(e.subarray(0, 60))) throw new Error(`labfs: entry ${i} checksum`);
    entries.push({
      index: i,
      name: entryName(e),
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

/** Reads `count` blocks from block `first` of the volume; null when they lie outside it. */
export type BlockReader = (first: number, count: number) => Uint8Array | null;

export interface LabfsSuperblockInfo {
  readonly magicOk: boolean;
  readonly crcOk: boolean;
  readonly version: number;
  readonly blockSize: number;
  readonly totalBlocks: number;
  readonly dataStart: number;
  readonly label: string;
}

/** One directory slot that is not free, with FS.md's validity checks as data. */
export interface LabfsListedEntry extends LabfsEntry {
  readonly entryCrcOk: boolean;
  /** The data read back matches data_crc; null when the extent could not be read. */
  readonly dataCrcOk: boolean | null;
  /** Why labOS would ignore the entry (FS.md's rules), or null for a valid one. */
  readonly problem: string | null;
}

export interface LabfsListing {
  /** null: block 0 is all zeros (a blank disk labOS will format). */
  readonly superblock: LabfsSuperblockInfo | null;
  /** Why the volume is not a readable labfs, or null. */
  readonly problem: string | null;
  readonly entries: readonly LabfsListedEntry[];
}

/** The volume's file system as FS.md describes it, every check reported rather than thrown. */
export function labfsListing(read: BlockReader): LabfsListing {
  const sb = read(0, 1);
  if (sb === null)
    return { superblock: null, problem: 'the volume is smaller than one 4 KiB block', entries: [] };
  if (sb.every((b) => b === 0))
    return {
      superblock: null,
      problem: 'block 0 is all zeros: a blank disk, not formatted yet',
      entries: [],
    };
  const superblock = superblockInfo(sb);
  if (!superblock.magicOk) return { superblock, problem: 'bad magic (not a labfs disk)', entries: [] };
  const dir = read(1, 1);
  if (dir === null)
    return { superblock, problem: 'the directory block lies outside the volume', entries: [] };
  const entries: LabfsListedEntry[] = [];
  const taken: { start: number; end: number }[] = [];
  for (let i = 0; i < DIR_ENTRIES; i++) {
    const raw = dir.subarray(ENTRY_BYTES * i, ENTRY_BYTES * (i + 1));
    if (raw.every((b) => b === 0)) continue;
    const entry = listedEntry(i, raw, superblock, read, entries, taken);
    entries.push(entry);
    if (entry.problem === null) taken.push({ start: entry.start, end: entry.start + entry.nblocks });
  }
  return { superblock, problem: superblock.crcOk ? null : 'superblock checksum mismatch', entries };
}

function superblockInfo(sb: Uint8Array): LabfsSuperblockInfo {
  const v = view(sb, 0, BLOCK);
  return {
    magicOk: v.getUint32(0, true) === LABFS_MAGIC,
    crcOk: v.getUint32(4092, true) === crc32(sb.subarray(0, 4092)),
    version: v.getUint32(4, true),
    blockSize: v.getUint32(8, true),
    totalBlocks: v.getUint32(12, true),
    dataStart: v.getUint32(24, true),
    label: entryName(sb.subarray(32, 48)),
  };
}

const NAME_CHAR = /^[A-Za-z0-9._-]{1,39}$/;

function listedEntry(
  index: number,
  raw: Uint8Array,
  sb: LabfsSuperblockInfo,
  read: BlockReader,
  valid: readonly LabfsListedEntry[],
  taken: readonly { start: number; end: number }[],
): LabfsListedEntry {
  const v = view(raw, 0, ENTRY_BYTES);
  const base: LabfsEntry = {
    index,
    name: entryName(raw),
    size: v.getUint32(44, true),
    start: v.getUint32(48, true),
    nblocks: v.getUint32(52, true),
    dataCrc: v.getUint32(56, true),
  };
  const entryCrcOk = v.getUint32(60, true) === crc32(raw.subarray(0, 60));
  const end = base.start + base.nblocks;
  const problem = !entryCrcOk
    ? 'entry checksum mismatch'
    : (v.getUint32(40, true) & 1) === 0
      ? 'not marked in use'
      : !NAME_CHAR.test(base.name) || raw[39] !== 0
        ? 'invalid name'
        : base.size > MAX_FILE_BYTES || base.nblocks !== Math.ceil(base.size / BLOCK)
          ? 'size and block count disagree'
          : base.nblocks > 0 && (base.start < sb.dataStart || end > sb.totalBlocks)
            ? 'extent outside the data area'
            : taken.some((t) => base.start < t.end && t.start < end)
              ? "extent overlaps another file's"
              : valid.some((e) => e.problem === null && e.name === base.name)
                ? 'duplicate name'
                : null;
  const data = base.nblocks === 0 ? new Uint8Array(0) : read(base.start, base.nblocks);
  const dataCrcOk =
    data === null || base.size > data.length ? null : crc32(data.subarray(0, base.size)) === base.dataCrc;
  return { ...base, entryCrcOk, dataCrcOk, problem };
}
