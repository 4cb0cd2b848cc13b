// What the disk inspector answers (issue 9, "Disk"): a guest's volume as stored on the host disk
// next to the guest's own view of the same sectors, how the volume is stored, and its labfs file
// system as anyone holding the host disk can parse it. Plain data for the lab protocol; bytes
// travel as base64. Sectors are 512 bytes and, in requests, counted from the volume's start.

import type { LabfsSuperblockInfo } from './labfs-reader';

/** Largest window one request returns: 64 sectors (32 KiB). */
export const MAX_DISK_SECTORS = 64;
export const DISK_SECTOR_BYTES = 512;

export interface DiskRequest {
  /** Which host of the machine ('bare', 'protected'); the only one when omitted. */
  readonly host?: string;
  readonly domain: number;
  /** Which of the domain's disks, in the order of its configuration (0 when omitted). */
  readonly disk?: number;
  /** First sector shown, counted from the start of the domain's volume. */
  readonly sector: number;
  /** Sectors shown, 1 to MAX_DISK_SECTORS. */
  readonly count: number;
}

/** Where the lab found a domain's volume on the host disk, and on whose word. */
export interface DiskVolume {
  readonly name: string;
  /** First sector of the volume on the host disk. */
  readonly hostSector: number;
  readonly sectors: number;
  readonly readOnly: boolean;
  /**
   * 'vmm-claim': the VMM's own volume table says so. The VMM is untrusted: a patched VMM may
   * report one extent and serve the guest another; the panel says whose word this is.
   * 'monitor-record': the monitor's own record of the VM's protected disk (its sectors are the
   * ones it encrypts and hashes), for the protected-disk work to report.
   */
  readonly source: 'vmm-claim' | 'monitor-record';
  readonly sourceNote: string;
}

/** Per-sector integrity metadata of an encrypted volume (CLOUDVISOR.md section 4). */
export interface SectorIntegrity {
  /** Sector, counted from the volume's start. */
  readonly sector: number;
  /** base64 of the sector's IV (or tweak) as the metadata store keeps it. */
  readonly iv: string;
  /** base64 of the sector's hash: the Merkle tree's leaf. */
  readonly hash: string;
  /** The leaf checks against the monitor's root; null when the sector was never written under protection (it reads as zeros). */
  readonly verified: boolean | null;
}

/**
 * How the shown sectors are stored. 'plaintext': the host disk holds the guest's bytes as they
 * are, so both views are the same bytes. 'encrypted': the host disk holds ciphertext and the guest
 * sees what the monitor decrypts and verifies (a VM under CloudVisor's disk protection).
 */
export type DiskStorage =
  | { readonly kind: 'plaintext'; readonly summary: string }
  | {
      readonly kind: 'encrypted';
      readonly summary: string;
      /** The cipher and hash suite ('paper': AES-128-CBC + MD5, 'modern': AES-XTS + SHA-256). */
      readonly suite: string;
      /** base64 of the Merkle root the monitor keeps, when it may be shown. */
      readonly merkleRoot: string | null;
      readonly sectors: readonly SectorIntegrity[];
    };

/** One directory entry of the labfs listing, with FS.md's checks. */
export interface DiskFileEntry {
  readonly index: number;
  readonly name: string;
  readonly size: number;
  /** First data block (4 KiB) and the number of blocks of the file's extent. */
  readonly start: number;
  readonly nblocks: number;
  /** The extent's first sector, counted from the volume's start (for "go to"). */
  readonly sector: number;
  readonly entryCrcOk: boolean;
  /** The data matches the entry's CRC; null when the extent could not be read. */
  readonly dataCrcOk: boolean | null;
  /** Why labOS would ignore this entry, or null. */
  readonly problem: string | null;
}

export interface DiskFileSystem {
  /** Always the host disk: what anyone holding the disk, the VMM included, can parse. */
  readonly readFrom: 'host-disk';
  readonly superblock: LabfsSuperblockInfo | null;
  /** Why the volume does not read as labfs (blank, bad magic, damaged), or null. */
  readonly problem: string | null;
  readonly entries: readonly DiskFileEntry[];
}

export interface DiskView {
  readonly host: string;
  readonly mode: 'bare' | 'protected';
  readonly domain: number;
  readonly disk: number;
  /** Every disk of the domain (the shown one is `volumes[disk]`). */
  readonly volumes: readonly DiskVolume[];
  readonly volume: DiskVolume;
  readonly hostDiskSectors: number;
  readonly sector: number;
  readonly count: number;
  /** base64: the bytes on the host disk at volume.hostSector + sector, as anyone with the disk reads them. */
  readonly hostBytes: string;
  /** base64: the same sectors as the guest's virtio-blk device returns them to the guest. */
  readonly guestBytes: string;
  /** How the lab knows the guest's view. */
  readonly guestSource: string;
  readonly storage: DiskStorage;
  readonly fileSystem: DiskFileSystem;
}
