// The disk inspector on a real host: a labOS guest formats its volume and stores its key in
// /secret; the inspector finds the volume, lists labfs from the host disk's bytes, shows the key
// there in plaintext (the same bytes as the key in the guest's RAM), follows a file the guest
// writes, and refuses requests it cannot answer with a clear sentence. Under CloudVisor the host
// disk holds ciphertext, the guest column is what the monitor delivers, each sector checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { loadGuestImage } from '../../../core/lab/host/guest-images';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import type { DiskView } from '../../../core/lab/inspect/disk-types';
import { handleInspect } from '../../../core/lab/inspect/inspect-requests';
import { crc32 } from '../../../core/lab/inspect/labfs-reader';
import { LabError } from '../../../core/lab/protocol';

const BUDGET = 400_000_000;
const MIB = 1024 * 1024;

interface Booted {
  readonly host: VmmHost;
  readonly backing: MemoryDiskBacking;
  readonly session: GuestSession;
  readonly dom: number;
}

async function boot(mode: 'bare' | 'protected'): Promise<Booted> {
  const backing = new MemoryDiskBacking(16 * MIB);
  const host = await VmmHost.create({ seed: 'disk-view', mode, disk: backing });
  const session = new GuestSession(host);
  host.putFile('labos.elf', loadGuestImage('labos'));
  // A first volume the guest does not use, so the guest's volume does not start at host sector 0.
  expect(host.toolstack('vol-create spare 1M').ok).toBe(true);
  const created = host.toolstack('create name=vm1 kernel=labos.elf memory=32 disk=vol=vm1,size=4M,access=rw');
  const dom = Number(/created domain (\d+)/.exec(created.output)?.[1]);
  expect(session.waitFor(dom, 'labos> ', BUDGET)).toBe(true);
  return { host, backing, session, dom };
}

function disk(host: VmmHost, name: string, params: Record<string, unknown>): DiskView {
  return handleInspect(new Map([[name, host]]), 'inspect.disk', { host: name, ...params });
}

function bytesOf(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

/** The guest's key in its own RAM, at the guest-physical address `secret where` prints. */
function keyInRam(b: Booted, name: string): Buffer {
  const from = b.session.output(b.dom).length;
  expect(b.session.type(b.dom, 'secret where', BUDGET)).toBe(true);
  const m = / pa 0x([0-9a-f]+) len (\d+)/.exec(b.session.output(b.dom).slice(from));
  const memory = handleInspect(new Map([[name, b.host]]), 'inspect.memory', {
    host: name,
    viewpoint: 'guest-physical',
    domain: b.dom,
    address: parseInt(m?.[1] ?? '0', 16),
    length: Number(m?.[2]),
  });
  return bytesOf(memory.bytes);
}

describe('inspect.disk on a bare host', () => {
  let b: Booted;
  beforeAll(async () => {
    b = await boot('bare');
  }, 240_000);
  afterAll(() => b?.host.dispose());

  it("finds the guest's volume and lists labfs from the host disk, /secret in plaintext", () => {
    const view = disk(b.host, 'bare', { domain: b.dom, sector: 0, count: 8 });
    expect(view.volume).toMatchObject({
      name: 'vm1',
      hostSector: 2048,
      sectors: 8192,
      readOnly: false,
      source: 'vmm-claim',
    });
    expect(view.volumes).toHaveLength(1);
    expect(view.storage).toEqual({
      kind: 'plaintext',
      summary: 'plaintext on the host disk: the VMM and anyone with the disk read it',
    });
    expect(view.fileSystem.problem).toBeNull();
    expect(view.fileSystem.superblock).toMatchObject({
      magicOk: true,
      crcOk: true,
      totalBlocks: 1024,
      label: 'labos',
    });
    // Sector 0 of the volume is the superblock: "LBFS" as stored on the host disk.
    expect(bytesOf(view.hostBytes).subarray(0, 4).toString('latin1')).toBe('LBFS');
    expect(view.guestBytes).toBe(view.hostBytes);
    const secret = view.fileSystem.entries.find((e) => e.name === 'secret');
    expect(secret).toMatchObject({ size: 32, nblocks: 1, entryCrcOk: true, dataCrcOk: true, problem: null });

    const extent = disk(b.host, 'bare', { domain: b.dom, sector: secret?.sector ?? -1, count: 1 });
    const onDisk = bytesOf(extent.hostBytes).subarray(0, 32);
    expect(crc32(onDisk)).toBe(crc32(keyInRam(b, 'bare')));
    expect(onDisk.equals(keyInRam(b, 'bare'))).toBe(true);
  }, 120_000);

  it('follows a file the guest writes: the listing and the bytes change', () => {
    const before = disk(b.host, 'bare', { domain: b.dom, sector: 0, count: 1 });
    expect(before.fileSystem.entries.map((e) => e.name)).not.toContain('note');
    expect(b.session.type(b.dom, 'write note read me from the host disk', BUDGET)).toBe(true);
    const after = disk(b.host, 'bare', { domain: b.dom, sector: 0, count: 1 });
    const note = after.fileSystem.entries.find((e) => e.name === 'note');
    expect(note).toMatchObject({ size: 'read me from the host disk'.length, dataCrcOk: true, problem: null });
    const bytes = disk(b.host, 'bare', { domain: b.dom, sector: note?.sector ?? -1, count: 1 });
    expect(bytesOf(bytes.hostBytes).toString('latin1')).toContain('read me from the host disk');
  }, 120_000);

  it("reports what someone holding the host disk changed, as labOS's own checks do", () => {
    const view = disk(b.host, 'bare', { domain: b.dom, sector: 0, count: 1 });
    const secret = view.fileSystem.entries.find((e) => e.name === 'secret');
    const note = view.fileSystem.entries.find((e) => e.name === 'note');
    if (!secret || !note) throw new Error('the volume lost its files');
    // One byte of the key flipped on the host disk.
    const at = view.volume.hostSector + secret.sector;
    const sector = b.backing.read(at, 1);
    sector[0] = (sector[0] ?? 0) ^ 0xff;
    b.backing.write(at, sector);
    // The note's size field changed in the directory block (volume block 1), entry CRC left alone.
    const entryByte = 4096 + 64 * note.index + 44;
    const dirSector = view.volume.hostSector + Math.floor(entryByte / 512);
    const dir = b.backing.read(dirSector, 1);
    dir[entryByte % 512] = (dir[entryByte % 512] ?? 0) + 1;
    b.backing.write(dirSector, dir);

    const after = disk(b.host, 'bare', { domain: b.dom, sector: secret.sector, count: 1 });
    expect(after.fileSystem.entries.find((e) => e.name === 'secret')).toMatchObject({
      dataCrcOk: false,
      problem: null,
    });
    expect(after.fileSystem.entries.find((e) => e.index === note.index)).toMatchObject({
      entryCrcOk: false,
      problem: 'entry checksum mismatch',
    });
    // Plaintext storage: the guest is served the flipped byte too, and labOS finds it corrupted.
    expect(bytesOf(after.guestBytes)[0]).toBe(sector[0]);
    const from = b.session.output(b.dom).length;
    expect(b.session.type(b.dom, 'cat secret', BUDGET)).toBe(true);
    expect(b.session.output(b.dom).slice(from)).toContain('checksum mismatch');
  }, 120_000);

  it('refuses what it cannot answer with a clear sentence', () => {
    const refused = (host: string, params: Record<string, unknown>): string => {
      try {
        handleInspect(new Map([['bare', b.host]]), 'inspect.disk', { host, ...params });
      } catch (error) {
        expect(error).toBeInstanceOf(LabError);
        expect((error as LabError).code).toBe('bad-request');
        return (error as Error).message;
      }
      throw new Error('the request was answered');
    };
    expect(refused('protected', { domain: b.dom, sector: 0, count: 1 })).toMatch(
      /no host "protected" to inspect/,
    );
    expect(refused('bare', { domain: 42, sector: 0, count: 1 })).toMatch(/has no domain 42/);
    expect(refused('bare', { domain: b.dom, sector: 8191, count: 2 })).toBe(
      "sectors 8191..8192 are outside volume 'vm1' (sectors 0..8191)",
    );
    expect(refused('bare', { domain: b.dom, sector: 0, count: 0 })).toBe(
      'count must be 1 to 64 sectors, not 0',
    );
    expect(refused('bare', { domain: b.dom, sector: 0, count: 65 })).toBe(
      'count must be 1 to 64 sectors, not 65',
    );
    expect(refused('bare', { domain: b.dom, sector: -1, count: 1 })).toMatch(
      /sector must be a non-negative integer/,
    );
    expect(refused('bare', { domain: b.dom, disk: 1, sector: 0, count: 1 })).toBe(
      `dom${b.dom} has 1 disk(s); there is no disk 1`,
    );
    const created = b.host.toolstack('create name=nodisk kernel=labos.elf memory=16');
    const bare = Number(/created domain (\d+)/.exec(created.output)?.[1]);
    expect(refused('bare', { domain: bare, sector: 0, count: 1 })).toBe(
      `dom${bare} on host 'bare' has no disk (its configuration attaches no volume)`,
    );
  }, 60_000);
});

describe('inspect.disk on a protected host', () => {
  it('shows ciphertext on the host disk, the plaintext the monitor would deliver, and each sector against the Merkle root', async () => {
    const b = await boot('protected');
    try {
      const view = disk(b.host, 'protected', { domain: b.dom, sector: 0, count: 8 });
      expect(view.mode).toBe('protected');
      if (view.storage.kind !== 'encrypted') throw new Error(`storage is ${view.storage.kind}`);
      expect(view.storage.summary).toMatch(/^ciphertext on the host disk: .*AES-128-XTS/);
      expect(view.storage.suite).toBe('modern (AES-128-XTS, SHA-256 Merkle tree)');
      expect(bytesOf(view.storage.merkleRoot ?? '')).toHaveLength(32);
      expect(view.storage.sectors.map((s) => [s.sector, s.verified])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((s) => [s, true]));
      expect(bytesOf(view.storage.sectors[1]?.iv ?? '')).toEqual(Buffer.from([1, ...new Array<number>(15).fill(0)]));
      // The superblock: "LBFS" for the guest, ciphertext on the host disk, which no one can parse as labfs.
      expect(bytesOf(view.guestBytes).subarray(0, 4).toString('latin1')).toBe('LBFS');
      expect(bytesOf(view.hostBytes).subarray(0, 4).toString('latin1')).not.toBe('LBFS');
      expect(view.fileSystem.problem).toMatch(/the host disk holds only ciphertext of this volume$/);
      expect(view.fileSystem.superblock).toBeNull();
      expect(view.guestSource).toMatch(/what CloudVisor would deliver/);

      // /secret's block (labfs block 2, sector 16): the key for the guest, nowhere on the host disk.
      const key = keyInRam(b, 'protected');
      const secret = disk(b.host, 'protected', { domain: b.dom, sector: 16, count: 1 });
      expect(bytesOf(secret.guestBytes).subarray(0, 32).equals(key)).toBe(true);
      expect(Buffer.from(b.backing.read(0, b.backing.sectorCount)).includes(key)).toBe(false);

      // Someone holding the host disk flips a byte: the sector no longer checks, and the guest
      // reading it is stopped by the monitor instead of getting the altered bytes.
      const at = view.volume.hostSector + 16;
      const sector = b.backing.read(at, 1);
      sector[0] = (sector[0] ?? 0) ^ 0xff;
      b.backing.write(at, sector);
      const after = disk(b.host, 'protected', { domain: b.dom, sector: 16, count: 1 });
      if (after.storage.kind !== 'encrypted') throw new Error('storage changed kind');
      expect(after.storage.sectors[0]?.verified).toBe(false);
      expect(bytesOf(after.guestBytes).equals(Buffer.alloc(512))).toBe(true);
      b.session.type(b.dom, 'cat secret', 50_000_000);
      expect(b.session.monitorEvents.filter((e) => e.outcome !== 'allowed').map((e) => [e.mechanism, e.outcome])).toEqual([['disk-integrity', 'fail-stop']]);
    } finally {
      b.host.dispose();
    }
  }, 240_000);
});
