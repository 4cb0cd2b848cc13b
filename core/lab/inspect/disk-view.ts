// The disk inspector: a window of a domain's volume as the host disk stores it, next to what the
// guest's virtio-blk device gives the guest for the same sectors, how they are stored, and the
// volume's labfs as parsed from the host disk. Reads the disk's backing directly (never through
// the controller or the VMM), so inspecting moves no request through the host and makes no event.
// For a VM under CloudVisor's disk protection the host disk holds ciphertext: the guest column is
// what the monitor would deliver for it (verified against its Merkle root and decrypted, read-only).
import type { DiskInspection } from '../../cloudvisor/monitor-hyp';
import { SECTOR_SIZE, type DiskBacking } from '../../hw/devices/disk-backing';
import { LabError } from '../protocol';
import { claimedVolumes } from './disk-volumes';
import {
  MAX_DISK_SECTORS,
  type DiskFileSystem,
  type DiskStorage,
  type DiskView,
  type DiskVolume,
} from './disk-types';
import type { InspectContext } from './inspect-context';
import { BLOCK, labfsListing } from './labfs-reader';

const SECTORS_PER_BLOCK = BLOCK / SECTOR_SIZE;

const PLAINTEXT = 'plaintext on the host disk: the VMM and anyone with the disk read it';
const PLAINTEXT_UNPROTECTED =
  `${PLAINTEXT}. CloudVisor's disk protection does not cover this VM`;
const PLAINTEXT_DEFENSE_OFF =
  `${PLAINTEXT}. CloudVisor's disk protection (diskCrypto) is switched off on this host`;
const PLAINTEXT_NOT_YET =
  `${PLAINTEXT}: the guest has not used its disk under CloudVisor yet (its first request starts the protection; a fresh protected volume reads as blank)`;
const ENCRYPTED =
  'ciphertext on the host disk: CloudVisor encrypts each sector with the VM\'s disk key (AES-128-XTS, tweak = the sector number) ' +
  'before the VMM sees it; the VMM and anyone with the disk read only ciphertext';
const GUEST_PLAIN =
  "the volume is plaintext, so the guest's virtio-blk device returns these sectors as stored (unless the VMM's device model alters them on the way)";
const GUEST_DECRYPTED =
  'what CloudVisor would deliver to the guest for these host sectors: each one checked against its leaf under the Merkle root, ' +
  'then decrypted (a sector never written under protection reads as zeros; one that does not check reads as zeros here and ' +
  'would be refused)';

export interface DiskWindow {
  readonly disk: number;
  readonly sector: number;
  readonly count: number;
}

export function diskView(ctx: InspectContext, domainId: number, window: DiskWindow): DiskView {
  const domain = ctx.domain(domainId);
  const backing = ctx.host.board.diskBacking;
  if (backing === null)
    throw new LabError('bad-request', `host '${ctx.name}' has no host disk, so dom${domain.id} has no disk`);
  const volumes = claimedVolumes(ctx.host, domain.id);
  if (volumes.length === 0)
    throw new LabError(
      'bad-request',
      `dom${domain.id} on host '${ctx.name}' has no disk (its configuration attaches no volume)`,
    );
  const volume = volumes[window.disk];
  if (volume === undefined) {
    throw new LabError(
      'bad-request',
      `dom${domain.id} has ${volumes.length} disk(s); there is no disk ${window.disk}`,
    );
  }
  checkWindow(volume, backing, window);
  const hostBytes = backing.read(volume.hostSector + window.sector, window.count);
  const disk = protectedDisk(ctx, domain.vmid);
  const storage = disk === null ? plainStorage(ctx, domain.vmid) : encryptedStorage(disk, window, hostBytes);
  const guestBytes = disk === null ? hostBytes : delivered(disk, window, hostBytes);
  return {
    host: ctx.name,
    mode: ctx.mode,
    domain: domain.id,
    disk: window.disk,
    volumes,
    volume,
    hostDiskSectors: backing.sectorCount,
    sector: window.sector,
    count: window.count,
    hostBytes: Buffer.from(hostBytes).toString('base64'),
    // Plaintext storage: what the device model hands the guest is the stored sector itself.
    guestBytes: Buffer.from(guestBytes).toString('base64'),
    guestSource: disk === null ? GUEST_PLAIN : GUEST_DECRYPTED,
    storage,
    fileSystem: fileSystemOf(volume, backing, disk !== null),
  };
}

function checkWindow(volume: DiskVolume, backing: DiskBacking, window: DiskWindow): void {
  if (window.count < 1 || window.count > MAX_DISK_SECTORS) {
    throw new LabError('bad-request', `count must be 1 to ${MAX_DISK_SECTORS} sectors, not ${window.count}`);
  }
  if (window.sector + window.count > volume.sectors) {
    throw new LabError(
      'bad-request',
      `sectors ${window.sector}..${window.sector + window.count - 1} are outside volume '${volume.name}' (sectors 0..${volume.sectors - 1})`,
    );
  }
  if (volume.hostSector + volume.sectors > backing.sectorCount) {
    throw new LabError(
      'bad-request',
      `the VMM places volume '${volume.name}' at host sectors ${volume.hostSector}..${volume.hostSector + volume.sectors - 1}, beyond the ${backing.sectorCount}-sector host disk`,
    );
  }
}

/** The monitor's record of the VM's protected disk, or null (bare host, defense off, unprotected VM). */
function protectedDisk(ctx: InspectContext, vmid: number | null): DiskInspection | null {
  if (ctx.mode !== 'protected' || vmid === null) return null;
  return ctx.host.monitor?.inspectDisk(vmid) ?? null;
}

function plainStorage(ctx: InspectContext, vmid: number | null): DiskStorage {
  const monitor = ctx.host.monitor;
  if (ctx.mode !== 'protected' || monitor === null) return { kind: 'plaintext', summary: PLAINTEXT };
  if (!monitor.defenses.diskCrypto) return { kind: 'plaintext', summary: PLAINTEXT_DEFENSE_OFF };
  const record = vmid === null ? null : monitor.inspectVm(vmid);
  return { kind: 'plaintext', summary: record !== null && !record.protected ? PLAINTEXT_UNPROTECTED : PLAINTEXT_NOT_YET };
}

/** Per shown sector: its tweak, its leaf, and whether the host disk's bytes check against the root. */
function encryptedStorage(disk: DiskInspection, window: DiskWindow, hostBytes: Uint8Array): DiskStorage {
  const sectors = [];
  for (let i = 0; i < window.count; i++) {
    const sector = window.sector + i;
    const tweak = Buffer.alloc(16);
    tweak.writeBigUInt64LE(BigInt(sector));
    const { check } = disk.check(sector, hostBytes.subarray(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
    sectors.push({
      sector,
      iv: tweak.toString('base64'),
      hash: Buffer.from(disk.leaf(sector)).toString('base64'),
      verified: check === 'never-written' ? null : check === 'ok',
    });
  }
  return {
    kind: 'encrypted',
    summary: `${ENCRYPTED}; ${disk.written.length} sectors written under protection, each a leaf of the Merkle tree whose root the monitor keeps`,
    suite: `modern (${disk.suite})`,
    merkleRoot: Buffer.from(disk.root).toString('base64'),
    sectors,
  };
}

function delivered(disk: DiskInspection, window: DiskWindow, hostBytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(hostBytes.length);
  for (let i = 0; i < window.count; i++) {
    out.set(disk.check(window.sector + i, hostBytes.subarray(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE)).plaintext, i * SECTOR_SIZE);
  }
  return out;
}

/** The volume's labfs as the host disk holds it (blocks read straight from the backing). */
function fileSystemOf(volume: DiskVolume, backing: DiskBacking, encrypted: boolean): DiskFileSystem {
  const blocks = Math.floor(volume.sectors / SECTORS_PER_BLOCK);
  const listing = labfsListing((first, count) =>
    first + count > blocks
      ? null
      : backing.read(volume.hostSector + first * SECTORS_PER_BLOCK, count * SECTORS_PER_BLOCK),
  );
  // Ciphertext parses as nothing: its "superblock" fields would be noise, so only the reason shows.
  const unreadable = encrypted && listing.superblock?.magicOk !== true;
  return {
    readFrom: 'host-disk',
    superblock: unreadable ? null : listing.superblock,
    problem: unreadable ? `${listing.problem ?? 'not labfs'}: the host disk holds only ciphertext of this volume` : listing.problem,
    entries: listing.entries.map((e) => ({
      index: e.index,
      name: e.name,
      size: e.size,
      start: e.start,
      nblocks: e.nblocks,
      sector: e.start * SECTORS_PER_BLOCK,
      entryCrcOk: e.entryCrcOk,
      dataCrcOk: e.dataCrcOk,
      problem: e.problem,
    })),
  };
}
