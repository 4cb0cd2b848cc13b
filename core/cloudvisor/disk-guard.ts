// Disk I/O protection of one VM (CLOUDVISOR.md section 4, "modern" suite): the VMM's device model
// sees only ciphertext of the guest's disk, and the guest sees only what it wrote. The monitor
// learns each virtio-blk request from the guest's own descriptors at QueueNotify (virtio-watch.ts
// hands over the chain; the header is read here from guest memory): type, sector and the GPA
// ranges of its data. Then, on the VMM's hyp.mem accesses to those ranges:
// - a write request's data is read by the VMM as AES-128-XTS ciphertext (tweak: the guest's sector
//   number), encrypted once at notify into a bounce buffer, so reading twice or at an offset gives
//   the same bytes; when the VMM completes it with status OK the sectors' leaves (SHA-256 over
//   sector, version, ciphertext) enter the Merkle tree (sector-tree.ts);
// - a read request's data stored by the VMM lands in a bounce buffer, never in the guest; each
//   sector, once all its 512 bytes arrived, must hash to its leaf under the root; then its
//   plaintext is written into the guest. A sector never written under protection reads as zeros
//   whatever the VMM delivers (a fresh protected volume is blank). A mismatch (tampered, swapped or
//   rolled-back sector) is reported to the monitor's detection policy and the request's status
//   becomes an I/O error: the guest never sees forged plaintext.
// Requests whose data is not whole sectors, or lies outside the tree, are opaque: the VMM reads
// zeros and its stores into the data are dropped (the device model refuses them anyway).
// Leaves, versions and the tree live in monitor memory (see sector-tree.ts for the paper's agent).
// Rollback across a VM restart is not covered: the state lives as long as the VM's record.
import { createHmac } from 'node:crypto';
import type { IoRange } from './io-whitelist';
import { MAX_SECTORS, SectorTree, sectorLeaf } from './sector-tree';
import { SECTOR_BYTES, XtsCipher } from './xts-cipher';

export const DISK_SUITE = 'AES-128-XTS, SHA-256 Merkle tree';

const T_IN = 0;
const T_OUT = 1;
const HEADER_BYTES = 16;
const S_OK = 0;
const S_IOERR = 1;

/** The monitor's own access to the VM's guest-physical memory (through its shadow map). */
export interface GuestMemoryAccess {
  read(gpa: number, length: number): Uint8Array | null;
  /** False when some page is not mapped (nothing is written then). */
  write(gpa: number, bytes: Uint8Array): boolean;
}

export interface DiskGuardHooks {
  /** An integrity failure: the monitor applies its policy (fail-stop or refuse and continue). */
  detect(what: string): void;
  /** A decision worth one allowed event (the first interposed request of a disk). */
  note(what: string): void;
}

/** A data range of a request: guest bytes [gpa, gpa + len) are disk bytes from `offset`. */
interface DataRange {
  readonly gpa: number;
  readonly len: number;
  readonly offset: number;
}

interface BlkRequest {
  readonly type: number;
  readonly sector: number;
  readonly sectors: number;
  readonly data: readonly DataRange[];
  readonly statusGpa: number | null;
  /** False: not whole sectors or outside the tree (the VMM sees zeros, its stores are dropped). */
  readonly sealed: boolean;
  /** Write requests: the ciphertext the VMM reads. */
  readonly ciphertext: Uint8Array | null;
  /** Read requests: bytes the VMM delivered, which of them arrived, per sector how many. */
  readonly staged: Uint8Array | null;
  readonly arrived: Uint8Array | null;
  readonly arrivedPerSector: Uint16Array | null;
  readonly delivered: Uint8Array | null;
  failed: boolean;
  settled: boolean;
  committed: boolean;
}

export interface DiskCounters {
  encryptedSectors: number;
  committedSectors: number;
  verifiedSectors: number;
  blankSectors: number;
  refusedSectors: number;
}

export type SectorCheck = 'ok' | 'mismatch' | 'never-written';

export class DiskGuard {
  private readonly cipher: XtsCipher;
  readonly tree = new SectorTree();
  private readonly versions = new Map<number, number>();
  private readonly requests = new Map<string, BlkRequest>();
  readonly counters: DiskCounters = { encryptedSectors: 0, committedSectors: 0, verifiedSectors: 0, blankSectors: 0, refusedSectors: 0 };
  private announced = false;

  constructor(
    readonly vm: number,
    key: Uint8Array,
    private readonly guest: GuestMemoryAccess,
    private readonly hooks: DiskGuardHooks,
  ) {
    this.cipher = new XtsCipher(key);
  }

  /**
   * The per-VM disk key: HMAC-SHA256 of the monitor's seeded key material over the VM's id, split
   * into XTS's data and tweak keys. A VM's disk reads back only under the same material and id.
   */
  static deriveKey(material: Uint8Array, vm: number): Uint8Array {
    return new Uint8Array(createHmac('sha256', material).update(`cloudvisor disk key vm${vm}`).digest());
  }

  get pending(): number {
    return this.requests.size;
  }

  /** A virtio-blk request the guest made available, with its chain's buffers in order. */
  request(key: string, buffers: readonly IoRange[]): void {
    const readable = buffers.filter((b) => b.load);
    const writable = buffers.filter((b) => b.store);
    const header = gatherGuest(this.guest, readable, 0, HEADER_BYTES);
    const last = writable[writable.length - 1];
    if (header === null || last === undefined || last.len === 0) return; // the device model refuses it
    const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
    const type = view.getUint32(0, true);
    if (type !== T_IN && type !== T_OUT) return; // flush, get-id: no disk data
    const sector = view.getUint32(8, true) + view.getUint32(12, true) * 0x1_0000_0000;
    const data = type === T_OUT ? slice(readable, HEADER_BYTES) : trimStatus(writable);
    const bytes = data.reduce((n, d) => Math.max(n, d.offset + d.len), 0);
    const sectors = bytes / SECTOR_BYTES;
    const sealed = bytes > 0 && bytes % SECTOR_BYTES === 0 && sector + sectors <= MAX_SECTORS;
    const statusGpa = last.gpa + last.len - 1;
    let ciphertext: Uint8Array | null = null;
    if (type === T_OUT && sealed) {
      const plain = gatherGuest(this.guest, readable, HEADER_BYTES, bytes);
      if (plain !== null) {
        ciphertext = this.cipher.encrypt(sector, plain);
        this.counters.encryptedSectors += sectors;
      }
    }
    const reading = type === T_IN && sealed;
    this.requests.set(key, {
      type, sector, sectors, data, statusGpa, sealed: sealed && (type === T_IN || ciphertext !== null), ciphertext,
      staged: reading ? new Uint8Array(bytes) : null,
      arrived: reading ? new Uint8Array(bytes) : null,
      arrivedPerSector: reading ? new Uint16Array(sectors) : null,
      delivered: reading ? new Uint8Array(sectors) : null,
      failed: false, settled: false, committed: false,
    });
    if (!this.announced) {
      this.announced = true;
      this.hooks.note(`disk of vm${this.vm}: sectors leave the VM as ${DISK_SUITE.split(',')[0]} ciphertext and come back verified against the Merkle root`);
    }
  }

  /** The request's used entry was published (or its queue reset): it is over. */
  done(key: string): void {
    this.requests.delete(key);
  }

  /** Drops every request whose key starts with `prefix` (device or queue reset). */
  reset(prefix: string): void {
    for (const key of [...this.requests.keys()]) if (key.startsWith(prefix)) this.requests.delete(key);
  }

  /** True if [gpa, gpa + len) touches the data or status byte of a pending request. */
  covers(gpa: number, len: number): boolean {
    for (const r of this.requests.values()) {
      if (r.statusGpa !== null && r.statusGpa >= gpa && r.statusGpa < gpa + len) return true;
      for (const d of r.data) if (d.gpa < gpa + len && gpa < d.gpa + d.len) return true;
    }
    return false;
  }

  /** The VMM loaded `bytes` from guest `gpa`: data of a write request becomes its ciphertext. */
  load(gpa: number, bytes: Uint8Array): void {
    for (const r of this.requests.values()) {
      if (r.type !== T_OUT) continue;
      for (const d of r.data) {
        const from = Math.max(gpa, d.gpa);
        const to = Math.min(gpa + bytes.length, d.gpa + d.len);
        if (from >= to) continue;
        const at = d.offset + (from - d.gpa);
        if (r.sealed && r.ciphertext !== null) bytes.set(r.ciphertext.subarray(at, at + (to - from)), from - gpa);
        else bytes.fill(0, from - gpa, to - gpa);
      }
    }
  }

  /**
   * The VMM stored `bytes` at guest `gpa`, a range it may write: data of a read request is staged
   * and verified, a status byte is checked, anything else goes to the guest as it is.
   */
  store(gpa: number, bytes: Uint8Array): void {
    let plainFrom = 0;
    const flushPlain = (upTo: number): void => {
      if (upTo > plainFrom) this.guest.write(gpa + plainFrom, bytes.subarray(plainFrom, upTo));
    };
    for (let i = 0; i < bytes.length;) {
      const g = gpa + i;
      const status = this.statusAt(g);
      if (status !== null) {
        flushPlain(i);
        this.guest.write(g, Uint8Array.of(this.settle(status, bytes[i] ?? 0)));
        plainFrom = ++i;
        continue;
      }
      const hit = this.dataAt(g);
      if (hit === null) {
        i++;
        continue;
      }
      flushPlain(i);
      const n = Math.min(bytes.length - i, hit.range.gpa + hit.range.len - g);
      if (hit.request.type === T_IN && hit.request.sealed) this.stage(hit.request, hit.range.offset + (g - hit.range.gpa), bytes.subarray(i, i + n));
      // A store into a write request's data, or an opaque request's: dropped (the guest's bytes stay).
      i += n;
      plainFrom = i;
    }
    flushPlain(bytes.length);
  }

  /** What the guest would get for `ciphertext` read from `sector` now (the lab's view; no events). */
  inspect(sector: number, ciphertext: Uint8Array): { check: SectorCheck; plaintext: Uint8Array } {
    // The lab's view walks the full authentication path to the root (what an untrusted agent's
    // leaves would be checked with); the hot path compares the stored leaf (same verdict).
    let check: SectorCheck = 'never-written';
    if (this.tree.written(sector)) check = this.tree.verify(sector, sectorLeaf(sector, this.version(sector), ciphertext)) ? 'ok' : 'mismatch';
    return { check, plaintext: check === 'ok' ? this.cipher.decrypt(sector, ciphertext) : new Uint8Array(SECTOR_BYTES) };
  }

  /** The stored version of a sector (0: never written under protection). */
  version(sector: number): number {
    return this.versions.get(sector) ?? 0;
  }

  private statusAt(gpa: number): BlkRequest | null {
    for (const r of this.requests.values()) if (r.statusGpa === gpa) return r;
    return null;
  }

  private dataAt(gpa: number): { request: BlkRequest; range: DataRange } | null {
    for (const request of this.requests.values()) {
      for (const range of request.data) if (gpa >= range.gpa && gpa < range.gpa + range.len) return { request, range };
    }
    return null;
  }

  /**
   * The status the guest gets. A write the VMM calls done commits its leaves (a VMM that lies
   * here is caught at the next read of those sectors); a read that failed a check, or left a
   * sector undelivered, is an I/O error whatever the VMM says.
   */
  private settle(r: BlkRequest, status: number): number {
    if (r.type === T_OUT) {
      // The first status decides: a write is committed once, and the guest never hears OK for a
      // write the monitor did not commit (an opaque one, or one the VMM first called failed).
      if (!r.settled && status === S_OK && r.sealed && r.ciphertext !== null) {
        this.commit(r);
        r.committed = true;
      }
      r.settled = true;
      return r.committed || status !== S_OK ? status : S_IOERR;
    }
    r.settled = true;
    if (!r.sealed) return status === S_OK ? S_IOERR : status;
    if (r.failed || (status === S_OK && r.delivered?.includes(0))) return S_IOERR;
    return status;
  }

  private commit(r: BlkRequest): void {
    const ct = r.ciphertext as Uint8Array;
    const leaves: [number, Uint8Array][] = [];
    for (let s = 0; s < r.sectors; s++) {
      const sector = r.sector + s;
      const version = (this.versions.get(sector) ?? 0) + 1;
      this.versions.set(sector, version);
      leaves.push([sector, sectorLeaf(sector, version, ct.subarray(s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES))]);
    }
    this.tree.updateMany(leaves);
    this.counters.committedSectors += r.sectors;
  }

  /** Bytes of a read request's data arrived; each sector complete is verified and delivered. */
  private stage(r: BlkRequest, offset: number, bytes: Uint8Array): void {
    const staged = r.staged as Uint8Array;
    const arrived = r.arrived as Uint8Array;
    const perSector = r.arrivedPerSector as Uint16Array;
    staged.set(bytes, offset);
    const complete: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const at = offset + i;
      if (arrived[at] !== 0) continue;
      arrived[at] = 1;
      const s = Math.floor(at / SECTOR_BYTES);
      perSector[s] = (perSector[s] ?? 0) + 1;
      if (perSector[s] === SECTOR_BYTES) complete.push(s);
    }
    for (const s of complete) {
      // A later store into this sector starts a new delivery, checked again in full.
      arrived.fill(0, s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES);
      perSector[s] = 0;
    }
    // Sectors that check are decrypted in runs: one cipher call per run, not per sector.
    let run: number[] = [];
    const flush = (): void => {
      const first = run[0];
      if (first === undefined) return;
      const ct = staged.subarray(first * SECTOR_BYTES, (first + run.length) * SECTOR_BYTES);
      this.deliver(r, first, this.cipher.decrypt(r.sector + first, ct), run.length);
      this.counters.verifiedSectors += run.length;
      run = [];
    };
    for (const s of complete.sort((a, b) => a - b)) {
      const sector = r.sector + s;
      const check = this.check(sector, staged.subarray(s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES));
      if (check === 'ok' && (run.length === 0 || run[run.length - 1] === s - 1)) {
        run.push(s);
        continue;
      }
      flush();
      if (check === 'ok') run.push(s);
      else if (check === 'never-written') {
        this.deliver(r, s, new Uint8Array(SECTOR_BYTES), 1);
        this.counters.blankSectors++;
      } else this.refuse(r, s);
    }
    flush();
  }

  private check(sector: number, ciphertext: Uint8Array): SectorCheck {
    if (!this.tree.written(sector)) return 'never-written';
    return this.tree.holds(sector, sectorLeaf(sector, this.version(sector), ciphertext)) ? 'ok' : 'mismatch';
  }

  private refuse(r: BlkRequest, index: number): void {
    const sector = r.sector + index;
    r.failed = true;
    (r.delivered as Uint8Array)[index] = 0;
    this.counters.refusedSectors++;
    this.hooks.detect(`vm${this.vm} disk sector ${sector} delivered by the VMM is not the ciphertext last written there (version ${this.version(sector)}): tampered, swapped or rolled back`);
  }

  /** Plaintext of `count` sectors from request sector `index` on goes to the guest. */
  private deliver(r: BlkRequest, index: number, plaintext: Uint8Array, count: number): void {
    const ok = this.scatter(r.data, index * SECTOR_BYTES, plaintext);
    (r.delivered as Uint8Array).fill(ok ? 1 : 0, index, index + count);
  }

  /** Writes disk bytes [offset, offset + bytes.length) of a request to their guest ranges. */
  private scatter(data: readonly DataRange[], offset: number, bytes: Uint8Array): boolean {
    let ok = true;
    for (const d of data) {
      const from = Math.max(offset, d.offset);
      const to = Math.min(offset + bytes.length, d.offset + d.len);
      if (from >= to) continue;
      ok = this.guest.write(d.gpa + (from - d.offset), bytes.subarray(from - offset, to - offset)) && ok;
    }
    return ok;
  }
}

/** The readable buffers from byte `skip` on, as data ranges numbered from 0. */
function slice(buffers: readonly IoRange[], skip: number): DataRange[] {
  const out: DataRange[] = [];
  let at = 0;
  for (const b of buffers) {
    const from = Math.max(skip, at);
    const to = at + b.len;
    if (from < to) out.push({ gpa: b.gpa + (from - at), len: to - from, offset: from - skip });
    at = to;
  }
  return out;
}

/** The writable buffers without the last byte (the status, virtio 1.2 section 5.2.6). */
function trimStatus(buffers: readonly IoRange[]): DataRange[] {
  const out: DataRange[] = [];
  let at = 0;
  buffers.forEach((b, i) => {
    const len = i === buffers.length - 1 ? b.len - 1 : b.len;
    if (len > 0) out.push({ gpa: b.gpa, len, offset: at });
    at += len;
  });
  return out;
}

function gatherGuest(guest: GuestMemoryAccess, buffers: readonly IoRange[], skip: number, length: number): Uint8Array | null {
  const out = new Uint8Array(length);
  for (const d of slice(buffers, skip)) {
    if (d.offset >= length) break;
    const n = Math.min(d.len, length - d.offset);
    const bytes = guest.read(d.gpa, n);
    if (bytes === null) return null;
    out.set(bytes, d.offset);
  }
  const total = buffers.reduce((n, b) => n + b.len, 0) - skip;
  return total >= length ? out : null;
}
