// Disk backings: raw image files on the real file system and memory disks. Bad images
// (missing, directory, device, empty, partial sector, truncated later) give DiskImageErrors
// that name the file and the problem; valid ones read and write sectors at 512 * n.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DiskImageError,
  FileDiskBacking,
  MemoryDiskBacking,
  SECTOR_SIZE,
} from '../../../core/hw/devices/disk-backing';

const dir = mkdtempSync(join(tmpdir(), 'cvl-disk-'));

describe('FileDiskBacking', () => {
  it('reads and writes raw sectors at 512 * n and flushes', () => {
    const path = join(dir, 'ok.img');
    const image = new Uint8Array(4 * SECTOR_SIZE).map((_, i) => i & 0xff);
    writeFileSync(path, image);
    const disk = FileDiskBacking.open(path);
    expect(disk.sectorCount).toBe(4);
    expect(Array.from(disk.read(1, 1).subarray(0, 3))).toEqual([0, 1, 2]);
    disk.write(2, new Uint8Array(SECTOR_SIZE).fill(0xaa));
    disk.flush();
    disk.close();
    const after = new Uint8Array(readFileSync(path));
    expect(after[2 * SECTOR_SIZE]).toBe(0xaa);
    expect(after[3 * SECTOR_SIZE - 1]).toBe(0xaa);
    expect(after[3 * SECTOR_SIZE]).toBe(image[3 * SECTOR_SIZE]);
    expect(() => disk.read(0, 1)).toThrow(/closed/);
  });

  it('refuses missing, non-regular, empty and partial-sector images with clear messages', () => {
    expect(() => FileDiskBacking.open(join(dir, 'nope.img'))).toThrow(/nope\.img does not exist/);
    mkdirSync(join(dir, 'adir'));
    expect(() => FileDiskBacking.open(join(dir, 'adir'))).toThrow(DiskImageError);
    expect(() => FileDiskBacking.open(join(dir, 'adir'), { readOnly: true })).toThrow(
      /is not a regular file/,
    );
    expect(() => FileDiskBacking.open('/dev/null', { readOnly: true })).toThrow(/is not a regular file/);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(() => FileDiskBacking.open(join(dir, 'fifo'))).toThrow(/fifo is not a regular file/);
    writeFileSync(join(dir, 'plain'), new Uint8Array(512));
    expect(() => FileDiskBacking.open(join(dir, 'plain', 'x.img'))).toThrow(/not a directory/);
    writeFileSync(join(dir, 'empty.img'), new Uint8Array(0));
    expect(() => FileDiskBacking.open(join(dir, 'empty.img'))).toThrow(
      /0 bytes, not a positive multiple of 512/,
    );
    writeFileSync(join(dir, 'odd.img'), new Uint8Array(1000));
    expect(() => FileDiskBacking.open(join(dir, 'odd.img'))).toThrow(
      /1000 bytes, not a positive multiple of 512/,
    );
  });

  it('refuses writes to a read-only image, out-of-range sectors, and reports a file truncated under it', () => {
    const path = join(dir, 'ro.img');
    writeFileSync(path, new Uint8Array(2 * SECTOR_SIZE));
    const ro = FileDiskBacking.open(path, { readOnly: true });
    expect(ro.readOnly).toBe(true);
    expect(() => ro.write(0, new Uint8Array(SECTOR_SIZE))).toThrow(/read-only/);
    expect(() => ro.read(1, 2)).toThrow(/outside the 2-sector disk/);
    truncateSync(path, SECTOR_SIZE);
    expect(() => ro.read(1, 1)).toThrow(/short read/);
    ro.close();
  });
});

describe('MemoryDiskBacking', () => {
  it('holds whole sectors and copies its input', () => {
    const src = new Uint8Array(SECTOR_SIZE).fill(7);
    const m = new MemoryDiskBacking(src);
    src.fill(0);
    expect(m.read(0, 1)[0]).toBe(7);
    m.write(0, new Uint8Array(SECTOR_SIZE));
    expect(m.contents()[0]).toBe(0);
    expect(() => new MemoryDiskBacking(100)).toThrow(/not a positive multiple of 512/);
    expect(() => m.write(0, new Uint8Array(10))).toThrow(/not whole sectors/);
    expect(() => new MemoryDiskBacking(512, true).write(0, new Uint8Array(512))).toThrow(/read-only/);
  });

  it('round-trips its contents through saveState/loadState', () => {
    const m = new MemoryDiskBacking(2 * SECTOR_SIZE);
    m.write(1, new Uint8Array(SECTOR_SIZE).fill(3));
    const saved = m.saveState();
    m.write(1, new Uint8Array(SECTOR_SIZE));
    const back = MemoryDiskBacking.loadState(saved);
    expect(back.read(1, 1)[511]).toBe(3);
    expect(back.saveState()).toEqual(saved);
    expect(() => MemoryDiskBacking.loadState({ ...saved, version: 2 })).toThrow(/version 2/);
    expect(() => MemoryDiskBacking.loadState({ ...saved, bytes: new Uint8Array(100) })).toThrow(
      /multiple of 512/,
    );
  });
});
