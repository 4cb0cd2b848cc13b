// The disk inspector: a window of a domain's volume as the host disk stores it, next to what the
// guest's virtio-blk device gives the guest for the same sectors, how they are stored, and the
// volume's labfs as parsed from the host disk. Reads the disk's backing directly (never through
// the controller or the VMM), so inspecting moves no request through the host and makes no event.
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
const PLAINTEXT_PROTECTED =
  `${PLAINTEXT}. CloudVisor's disk protection (per-sector encryption and a Merkle tree, CLOUDVISOR.md section 4) ` +
  'is not built yet: a known gap (the disk-image-read scenario shows it)';
const GUEST_PLAIN =
  "the volume is plaintext, so the guest's virtio-blk device returns these sectors as stored (unless the VMM's device model alters them on the way)";

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
  const storage = storageOf(ctx);
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
    guestBytes: Buffer.from(hostBytes).toString('base64'),
    guestSource: GUEST_PLAIN,
    storage,
    fileSystem: fileSystemOf(volume, backing),
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

/** How the volume is stored. Every volume is plaintext until the protected-disk work encrypts them. */
function storageOf(ctx: InspectContext): DiskStorage {
  return { kind: 'plaintext', summary: ctx.mode === 'protected' ? PLAINTEXT_PROTECTED : PLAINTEXT };
}

/** The volume's labfs as the host disk holds it (blocks read straight from the backing). */
function fileSystemOf(volume: DiskVolume, backing: DiskBacking): DiskFileSystem {
  const blocks = Math.floor(volume.sectors / SECTORS_PER_BLOCK);
  const listing = labfsListing((first, count) =>
    first + count > blocks
      ? null
      : backing.read(volume.hostSector + first * SECTORS_PER_BLOCK, count * SECTORS_PER_BLOCK),
  );
  return {
    readFrom: 'host-disk',
    superblock: listing.superblock,
    problem: listing.problem,
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
