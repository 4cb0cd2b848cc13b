// The virtio block device (virtio 1.2, section 5.2) of one domain, backed by a volume on the
// host disk through the VMM's bounce-buffered host disk driver. Requests are IN, OUT, FLUSH and
// GET_ID; each completes asynchronously when the host disk answers.
// Invariants: a request never touches sectors outside its volume; the status byte is the last
// writable byte of the chain (5.2.6); the used length counts every byte written to the guest.
import type { DiskStatus, HostDiskDriver } from '../host-disk-driver';
import type { Volume } from '../volume-store';
import { utf8Encode } from '../text-codec';
import { gather, scatter, type VirtqBuffer, type VirtqChain } from './virtqueue';
import type { VirtioBackend, VirtioMmio } from './virtio-mmio';
import { readLe } from '../guest-memory';
import type { BlkRequest } from '../patch-api';

export const VIRTIO_BLK = {
  DEVICE_ID: 2,
  T_IN: 0,
  T_OUT: 1,
  T_FLUSH: 4,
  T_GET_ID: 8,
  S_OK: 0,
  S_IOERR: 1,
  S_UNSUPP: 2,
  F_RO: 1 << 5,
  F_FLUSH: 1 << 9,
  ID_BYTES: 20,
  HEADER_BYTES: 16,
  QUEUE_SIZE: 128,
} as const;

export type { BlkRequest } from '../patch-api';

export interface BlkHooks {
  /** Wrappable: a request is about to be sent to the host disk. */
  submit(request: BlkRequest): void;
  /** Wrappable: a request finished; writes data and status to the guest. Returns the status. */
  complete(request: BlkRequest, finish: (request: BlkRequest) => void): number;
  request(queue: number, chain: VirtqChain): void;
}

export class VirtioBlk implements VirtioBackend {
  readonly deviceId = VIRTIO_BLK.DEVICE_ID;
  readonly name = 'blk';
  readonly queueCount = 1;
  readonly queueMax = VIRTIO_BLK.QUEUE_SIZE;
  inflight = 0;

  constructor(
    readonly domain: number,
    readonly volume: Volume,
    readonly readOnly: boolean,
    private readonly disk: HostDiskDriver,
    private readonly hooks: BlkHooks,
  ) {}

  features(): readonly [number, number] {
    return [VIRTIO_BLK.F_FLUSH | (this.readOnly ? VIRTIO_BLK.F_RO : 0), 1];
  }

  /** Config space (5.2.4): capacity (le64, 512-byte sectors) at 0; nothing else is offered. */
  configRead(offset: number, width: number): number {
    const cfg = new Uint8Array(8);
    let c = this.volume.sectors;
    for (let i = 0; i < 8; i++) {
      cfg[i] = c % 256;
      c = Math.floor(c / 256);
    }
    return offset + width <= cfg.length ? readLe(cfg, offset, width) : 0;
  }

  configWrite(): void {
    // virtio-blk's config is read-only unless VIRTIO_BLK_F_CONFIG_WCE, which is not offered.
  }

  reset(): void {
    // In-flight requests complete into a reset queue and are dropped by the transport.
  }

  process(t: VirtioMmio, queue: number): void {
    for (let chain = t.pop(queue); chain !== null; chain = t.pop(queue)) {
      this.hooks.request(queue, chain);
      this.start(t, queue, chain);
    }
  }

  /** Parses a chain (5.2.6: header, data, status byte) and starts the request. */
  private start(t: VirtioMmio, queue: number, chain: VirtqChain): void {
    const statusBuf = lastByte(chain.writable);
    const header = gather(t.mem, chain.readable, VIRTIO_BLK.HEADER_BYTES);
    if (statusBuf === null || header.length < VIRTIO_BLK.HEADER_BYTES) {
      // No place for a status: the chain is malformed and goes back unanswered but used.
      t.complete(queue, chain.head, 0);
      return;
    }
    const type = readLe(header, 0, 4);
    const dataIn = trimLast(chain.writable);
    const bytes = type === VIRTIO_BLK.T_IN ? total(dataIn) : type === VIRTIO_BLK.T_OUT ? total(chain.readable) - VIRTIO_BLK.HEADER_BYTES : 0;
    const req: BlkRequest = {
      domain: this.domain, type, sector: readLe(header, 8, 4) + readLe(header, 12, 4) * 0x1_0000_0000,
      sectors: Math.floor(bytes / 512), data: null, status: VIRTIO_BLK.S_OK,
    };
    const finish = (r: BlkRequest): void => {
      if (t.detached) return;
      const deliver = (r.type === VIRTIO_BLK.T_IN || r.type === VIRTIO_BLK.T_GET_ID) && r.data !== null && r.status === VIRTIO_BLK.S_OK;
      const written = deliver && r.data !== null ? scatter(t.mem, dataIn, r.data) : 0;
      t.mem.write(statusBuf.gpa, new Uint8Array([r.status & 0xff]));
      t.complete(queue, chain.head, written + 1);
    };
    this.inflight++;
    this.issue(req, bytes, () => gatherFrom(t, chain.readable, VIRTIO_BLK.HEADER_BYTES, bytes), (status) => {
      req.status = status;
      this.inflight--;
      this.hooks.complete(req, finish);
    });
  }

  /** Validates a parsed request against the volume and sends it to the host disk. */
  private issue(req: BlkRequest, bytes: number, outData: () => Uint8Array, settle: (status: number) => void): void {
    const fromDisk = (s: DiskStatus): number => (s === 'ok' ? VIRTIO_BLK.S_OK : VIRTIO_BLK.S_IOERR);
    if (req.type === VIRTIO_BLK.T_GET_ID) {
      req.data = utf8Encode(`labvol-${this.volume.name}`.slice(0, VIRTIO_BLK.ID_BYTES));
      return settle(VIRTIO_BLK.S_OK);
    }
    if (req.type === VIRTIO_BLK.T_FLUSH) return this.disk.flush((s) => settle(fromDisk(s)));
    if (req.type !== VIRTIO_BLK.T_IN && req.type !== VIRTIO_BLK.T_OUT) return settle(VIRTIO_BLK.S_UNSUPP);
    if (bytes % 512 !== 0 || bytes === 0 || req.sector + req.sectors > this.volume.sectors) return settle(VIRTIO_BLK.S_IOERR);
    if (req.type === VIRTIO_BLK.T_OUT && this.readOnly) return settle(VIRTIO_BLK.S_IOERR);
    const hostSector = this.volume.start + req.sector;
    if (req.type === VIRTIO_BLK.T_IN) {
      this.hooks.submit(req);
      this.disk.read(hostSector, req.sectors, (s, data) => {
        req.data = data;
        settle(fromDisk(s));
      });
      return;
    }
    req.data = outData();
    this.hooks.submit(req);
    // A wrapper may have replaced the data; the disk gets exactly the request's length.
    const data = req.data ?? new Uint8Array(bytes);
    this.disk.write(hostSector, data.length === bytes ? data : fit(data, bytes), (s) => settle(fromDisk(s)));
  }
}

function total(bufs: readonly VirtqBuffer[]): number {
  return bufs.reduce((n, b) => n + b.len, 0);
}

/** The status byte: the last byte of the last writable buffer. */
function lastByte(bufs: readonly VirtqBuffer[]): VirtqBuffer | null {
  const last = bufs[bufs.length - 1];
  return last === undefined || last.len === 0 ? null : { gpa: last.gpa + last.len - 1, len: 1 };
}

/** The writable buffers without the final status byte. */
function trimLast(bufs: readonly VirtqBuffer[]): VirtqBuffer[] {
  const out = bufs.slice(0, -1);
  const last = bufs[bufs.length - 1];
  if (last !== undefined && last.len > 1) out.push({ gpa: last.gpa, len: last.len - 1 });
  return out;
}

function gatherFrom(t: VirtioMmio, bufs: readonly VirtqBuffer[], skip: number, len: number): Uint8Array {
  const all = gather(t.mem, bufs, skip + len);
  return all.subarray(skip, skip + len);
}

function fit(data: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  out.set(data.subarray(0, len));
  return out;
}
