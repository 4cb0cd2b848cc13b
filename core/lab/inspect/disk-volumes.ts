// Where a domain's disks lie on the host disk, as the VMM's volume table says (vmmStatus). The
// lab has no trusted record of it yet: the host disk sees only the VMM's bounce-buffered requests,
// not whose they are. So the answer is labelled as the VMM's claim, checked only for shape and
// for lying inside the host disk (data from inside the VMM's engine is untrusted input).
import type { VmmHost } from '../host/vmm-host';
import { LabError } from '../protocol';
import type { DiskVolume } from './disk-types';

const SOURCE_NOTE =
  "the VMM's own volume table says so; the VMM is untrusted, and a patched VMM could name one extent and serve the guest another";

interface RawDisk {
  volume: string;
  start: number;
  sectors: number;
  readOnly: boolean;
}

function isRawDisk(value: unknown): value is RawDisk {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return (
    typeof d.volume === 'string' &&
    Number.isSafeInteger(d.start) &&
    Number.isSafeInteger(d.sectors) &&
    typeof d.readOnly === 'boolean'
  );
}

/** The disks the VMM says domain `id` has, in its configuration's order. */
export function claimedVolumes(host: VmmHost, id: number): DiskVolume[] {
  let raw: unknown;
  try {
    raw = host.engine.call('vmmStatus');
  } catch (error) {
    throw new LabError(
      'host-failed',
      `the VMM did not report its volumes: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const domain = Array.isArray(raw)
    ? (raw as unknown[]).find(
        (d) => typeof d === 'object' && d !== null && (d as Record<string, unknown>).id === id,
      )
    : undefined;
  const disks = (domain as Record<string, unknown> | undefined)?.disks;
  if (!Array.isArray(disks)) return [];
  return disks.filter(isRawDisk).map((d) => ({
    name: d.volume,
    hostSector: d.start,
    sectors: d.sectors,
    readOnly: d.readOnly,
    source: 'vmm-claim',
    sourceNote: SOURCE_NOTE,
  }));
}
