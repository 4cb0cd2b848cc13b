// The labfs reader against what labOS really writes: a guest formats its volume, stores /secret
// and a note; the volume's bytes are then changed the way someone holding the host disk could
// (entries rewritten with valid checksums), and the listing must name each rule of FS.md that the
// change breaks, as labOS would at mount.
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { loadGuestImage } from '../../../core/lab/host/guest-images';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import {
  BLOCK,
  crc32,
  labfsListing,
  listEntries,
  readFile,
  readSuperblock,
  type LabfsListing,
} from '../../../core/lab/inspect/labfs-reader';

const BUDGET = 400_000_000;
const VOLUME_SECTORS = 8192;

/** The 4 MiB volume as labOS left it after `write note ...`. */
let volume: Uint8Array;

beforeAll(async () => {
  const backing = new MemoryDiskBacking(VOLUME_SECTORS * 512);
  const host = await VmmHost.create({ seed: 'labfs-reader', disk: backing });
  try {
    const session = new GuestSession(host);
    host.putFile('labos.elf', loadGuestImage('labos'));
    expect(
      host.toolstack('create name=vm1 kernel=labos.elf memory=32 disk=vol=vm1,size=4M,access=rw').ok,
    ).toBe(true);
    expect(session.waitFor(1, 'labos> ', BUDGET)).toBe(true);
    expect(session.type(1, 'write note kept on the disk', BUDGET)).toBe(true);
    volume = backing.read(0, VOLUME_SECTORS);
  } finally {
    host.dispose();
  }
}, 240_000);

function listing(disk: Uint8Array): LabfsListing {
  const blocks = disk.length / BLOCK;
  return labfsListing((first, count) =>
    first + count > blocks ? null : disk.subarray(first * BLOCK, (first + count) * BLOCK),
  );
}

/** A copy of the volume with directory entry `index` rewritten by `edit` and its entry CRC made valid again. */
function withEntry(index: number, edit: (entry: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = volume.slice();
  const at = BLOCK + 64 * index;
  const bytes = copy.subarray(at, at + 64);
  const view = new DataView(copy.buffer, at, 64);
  edit(view, bytes);
  view.setUint32(60, crc32(bytes.subarray(0, 60)), true);
  return copy;
}

function problemOf(disk: Uint8Array, index: number): string | null | undefined {
  return listing(disk).entries.find((e) => e.index === index)?.problem;
}

describe('labfs reader', () => {
  it('reads what labOS wrote, strictly and as a listing', () => {
    expect(readSuperblock(volume)).toEqual({ totalBlocks: 1024, crcOk: true });
    expect(listEntries(volume).map((e) => e.name)).toEqual(['secret', 'note']);
    expect(new TextDecoder().decode(readFile(volume, 'note'))).toBe('kept on the disk');
    const list = listing(volume);
    expect(list.problem).toBeNull();
    expect(list.superblock).toEqual({
      magicOk: true,
      crcOk: true,
      version: 1,
      blockSize: 4096,
      totalBlocks: 1024,
      dataStart: 2,
      label: 'labos',
    });
    expect(list.entries.map((e) => [e.name, e.size, e.entryCrcOk, e.dataCrcOk, e.problem])).toEqual([
      ['secret', 32, true, true, null],
      ['note', 16, true, true, null],
    ]);
  });

  it('names each broken rule of FS.md', () => {
    const note = listing(volume).entries.find((e) => e.name === 'note');
    const secret = listing(volume).entries.find((e) => e.name === 'secret');
    if (!note || !secret) throw new Error('labOS did not write its files');
    const i = note.index;
    expect(
      problemOf(
        withEntry(i, (_, b) => b.set([0x21], 0)),
        i,
      ),
    ).toBe('invalid name');
    expect(
      problemOf(
        withEntry(i, (v) => v.setUint32(40, 0, true)),
        i,
      ),
    ).toBe('not marked in use');
    expect(
      problemOf(
        withEntry(i, (v) => v.setUint32(44, 5000, true)),
        i,
      ),
    ).toBe('size and block count disagree');
    expect(
      problemOf(
        withEntry(i, (v) => v.setUint32(48, 1, true)),
        i,
      ),
    ).toBe('extent outside the data area');
    expect(
      problemOf(
        withEntry(i, (v) => v.setUint32(48, 1024, true)),
        i,
      ),
    ).toBe('extent outside the data area');
    expect(
      problemOf(
        withEntry(i, (v) => v.setUint32(48, secret.start, true)),
        i,
      ),
    ).toBe("extent overlaps another file's");
    expect(
      problemOf(
        withEntry(i, (_, b) => b.set(new TextEncoder().encode('secret\0'), 0)),
        i,
      ),
    ).toBe('duplicate name');
    // A changed entry whose checksum was not redone, and a changed data byte.
    const stale = volume.slice();
    stale[BLOCK + 64 * i + 44] = 1;
    expect(listing(stale).entries.find((e) => e.index === i)).toMatchObject({
      entryCrcOk: false,
      problem: 'entry checksum mismatch',
    });
    expect(() => listEntries(stale)).toThrow(`labfs: entry ${i} checksum`);
    const flipped = volume.slice();
    flipped[note.start * BLOCK] = 0x4b;
    expect(listing(flipped).entries.find((e) => e.index === i)).toMatchObject({
      dataCrcOk: false,
      problem: null,
    });
    expect(() => readFile(flipped, 'note')).toThrow('labfs: note: data checksum mismatch');
  });

  it('tells a blank, a foreign and a damaged volume apart', () => {
    expect(listing(new Uint8Array(4 * BLOCK))).toEqual({
      superblock: null,
      problem: 'block 0 is all zeros: a blank disk, not formatted yet',
      entries: [],
    });
    const foreign = volume.slice();
    foreign[0] = 0;
    expect(listing(foreign)).toMatchObject({ problem: 'bad magic (not a labfs disk)', entries: [] });
    const damaged = volume.slice();
    damaged[40] = 1; // inside the label: the superblock's CRC no longer matches
    expect(listing(damaged)).toMatchObject({ problem: 'superblock checksum mismatch' });
    expect(listing(damaged).entries).toHaveLength(2);
    expect(listing(volume.subarray(0, 512))).toMatchObject({
      problem: 'the volume is smaller than one 4 KiB block',
    });
  });
});
