// Guest disks as named volumes: extents of the host disk, allocated first-fit, as an LVM-backed
// Xen host gives each guest a logical volume. A volume outlives the domains that use it.
// Invariants: extents never overlap and lie inside the disk; a volume is attached to at most
// one running domain at a time. The table lives in the management domain's memory.
import { isName } from './chars';

export interface Volume {
  readonly name: string;
  readonly start: number;
  readonly sectors: number;
  attachedTo: number | null;
}


export class VolumeStore {
  private readonly volumes = new Map<string, Volume>();

  constructor(readonly diskSectors: number) {}

  list(): readonly Volume[] {
    return [...this.volumes.values()].sort((a, b) => a.start - b.start);
  }

  get(name: string): Volume | undefined {
    return this.volumes.get(name);
  }

  create(name: string, sectors: number): Volume {
    if (!isName(name, 32)) throw new Error(`volume name '${name}' must be 1-32 letters, digits, '.', '_' or '-'`);
    if (this.volumes.has(name)) throw new Error(`volume '${name}' already exists`);
    if (!Number.isInteger(sectors) || sectors <= 0) throw new Error(`volume size must be a positive number of sectors, got ${sectors}`);
    let at = 0;
    for (const v of this.list()) {
      if (v.start - at >= sectors) break;
      at = Math.max(at, v.start + v.sectors);
    }
    if (at + sectors > this.diskSectors) {
      throw new Error(`no room for a ${sectors}-sector volume on the ${this.diskSectors}-sector host disk`);
    }
    const v: Volume = { name, start: at, sectors, attachedTo: null };
    this.volumes.set(name, v);
    return v;
  }

  remove(name: string): void {
    const v = this.volumes.get(name);
    if (v === undefined) throw new Error(`no volume '${name}'`);
    if (v.attachedTo !== null) throw new Error(`volume '${name}' is attached to domain ${v.attachedTo}`);
    this.volumes.delete(name);
  }
}
