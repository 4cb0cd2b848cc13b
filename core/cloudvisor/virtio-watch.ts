// How the monitor learns which guest memory a virtio device model may touch (CLOUDVISOR.md
// section 4): it watches the guest's own MMIO traffic. A window is a virtio-mmio device once the
// guest reads its magic value there (as every driver must, virtio 1.2 section 4.2.3.1) and has
// set DRIVER in its status (so a VMM answering "virt" at some other device's registers gains
// nothing: the guest does not drive that page as a virtio device); the
// queue registers the guest writes give the rings; at each QueueNotify the monitor walks the new
// available entries in guest memory itself and whitelists each request's buffers (device-readable
// ones for loads, device-writable ones for stores). A buffer leaves the list when the device
// model publishes its used entry; the rings stay listed until the queue or the device is reset.
// A window whose device ID the guest read as 2 is a block device in the guest's eyes: its requests
// also go to the disk hooks (disk-guard.ts), which interpose on their data.
import type { IoRange, IoWhitelist } from './io-whitelist';

const MAGIC = 0x7472_6976; // "virt"
const WINDOW = 0x1000;
const DEVICE_ID_BLK = 2;
const REG = {
  DEVICE_ID: 0x008,
  QUEUE_SEL: 0x030,
  QUEUE_NUM: 0x038,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  STATUS: 0x070,
  DESC_LOW: 0x080,
  DESC_HIGH: 0x084,
  DRIVER_LOW: 0x090,
  DRIVER_HIGH: 0x094,
  DEVICE_LOW: 0x0a0,
  DEVICE_HIGH: 0x0a4,
} as const;
const STATUS_DRIVER = 2;
const DESC_F_NEXT = 1;
const DESC_F_WRITE = 2;
const DESC_F_INDIRECT = 4;
const MAX_QUEUE = 1024;

/** Guest-physical bytes as the monitor reads them (through the VM's shadow map); null if unmapped. */
export type GuestReader = (gpa: number, len: number) => Uint8Array | null;

interface QueueState {
  num: number;
  desc: number;
  driver: number;
  device: number;
  highBits: boolean;
  ready: boolean;
  lastAvail: number;
  lastUsed: number;
}

interface DeviceWindow {
  selected: number;
  /** The guest's last Status write: queues count only once it has said DRIVER (3.1.1 step 3). */
  status: number;
  /** The device ID the guest read (what it will drive the window as). */
  deviceId: number;
  readonly queues: Map<number, QueueState>;
}

export interface VirtioNotice {
  readonly allowed: boolean;
  readonly attempted: string;
}

/** Where a block device's requests go besides the whitelist (the monitor's disk protection). */
export interface BlkHooks {
  /** A request made available, with its chain's buffers in order; `key` is its whitelist grant. */
  request(key: string, buffers: readonly IoRange[]): void;
  /** The request granted under `key` is over (its used entry is published). */
  done(key: string): void;
  /** Every request under `prefix` (a queue, a device) is over. */
  reset(prefix: string): void;
}

export class VirtioWatch {
  private readonly windows = new Map<number, DeviceWindow>();

  constructor(
    private readonly vm: number,
    private readonly whitelist: IoWhitelist,
    private readonly read: GuestReader,
    private readonly notice: (n: VirtioNotice) => void,
    private readonly blk: BlkHooks | null = null,
  ) {}

  /** The VMM answered a guest load at `gpa` with `value`: a magic value at a window base marks a device. */
  loadAnswered(gpa: number, width: number, value: number): void {
    if (width !== 4) return;
    const base = gpa - (gpa % WINDOW);
    const known = this.windows.get(base);
    if (known && gpa - base === REG.DEVICE_ID) {
      known.deviceId = value >>> 0;
      return;
    }
    if (gpa % WINDOW !== 0 || value >>> 0 !== MAGIC || known) return;
    this.windows.set(gpa, { selected: 0, status: 0, deviceId: 0, queues: new Map() });
  }

  /** A guest store to an emulated device register (queue setup, notify, reset). */
  store(gpa: number, width: number, value: number): void {
    const base = gpa - (gpa % WINDOW);
    const window = this.windows.get(base);
    if (!window || width !== 4) return;
    const offset = gpa - base;
    if (offset === REG.STATUS) {
      window.status = value;
      if (value !== 0) return;
      this.whitelist.revokePrefix(this.vm, `virtio@${hex(base)}/`);
      this.blk?.reset(`virtio@${hex(base)}/`);
      window.queues.clear();
      return;
    }
    if (offset === REG.QUEUE_SEL) {
      window.selected = value;
      return;
    }
    if (offset === REG.QUEUE_NOTIFY) {
      this.notify(base, window, value);
      return;
    }
    const q = this.queue(window, window.selected);
    switch (offset) {
      case REG.QUEUE_NUM: q.num = value; break;
      case REG.DESC_LOW: q.desc = value; break;
      case REG.DRIVER_LOW: q.driver = value; break;
      case REG.DEVICE_LOW: q.device = value; break;
      case REG.DESC_HIGH:
      case REG.DRIVER_HIGH:
      case REG.DEVICE_HIGH:
        if (value !== 0) q.highBits = true;
        break;
      case REG.QUEUE_READY:
        this.setReady(base, window.selected, q, value === 1 && (window.status & STATUS_DRIVER) !== 0);
        break;
    }
  }

  /** The VMM wrote into a used ring: the requests it completed leave the whitelist. */
  usedWritten(key: string): void {
    const [, baseText, queueText] = /^virtio@([0-9a-f]+)\/q(\d+)\/used$/.exec(key) ?? [];
    if (baseText === undefined || queueText === undefined) return;
    const base = parseInt(baseText, 16);
    const q = this.windows.get(base)?.queues.get(Number(queueText));
    if (!q?.ready) return;
    const idx = this.u16(q.device + 2);
    if (idx === null) return;
    const completed = (idx - q.lastUsed) & 0xffff;
    if (completed > q.num) return; // a VMM writing garbage: nothing to retire, the guest sees it
    for (let i = 0; i < completed; i++) {
      const head = this.u32(q.device + 4 + 8 * ((q.lastUsed + i) % q.num));
      if (head === null) continue;
      this.whitelist.revoke(this.vm, `${queuePrefix(base, Number(queueText))}req${head}`);
      this.blk?.done(`${queuePrefix(base, Number(queueText))}req${head}`);
    }
    q.lastUsed = idx;
  }

  private queue(window: DeviceWindow, index: number): QueueState {
    let q = window.queues.get(index);
    if (!q) {
      q = { num: 0, desc: 0, driver: 0, device: 0, highBits: false, ready: false, lastAvail: 0, lastUsed: 0 };
      window.queues.set(index, q);
    }
    return q;
  }

  private setReady(base: number, index: number, q: QueueState, ready: boolean): void {
    const prefix = queuePrefix(base, index);
    this.whitelist.revokePrefix(this.vm, prefix);
    this.blk?.reset(prefix);
    q.ready = false;
    if (!ready) return;
    if (q.highBits || q.num === 0 || q.num > MAX_QUEUE) {
      this.notice({ allowed: false, attempted: `virtio queue ${index} at 0x${hex(base)}: rings outside 32-bit guest memory or bad size ${q.num}: not whitelisted` });
      return;
    }
    q.ready = true;
    q.lastAvail = this.u16(q.driver + 2) ?? 0;
    q.lastUsed = this.u16(q.device + 2) ?? 0;
    const ro = (gpa: number, len: number): IoRange => ({ gpa, len, load: true, store: false });
    this.whitelist.grant(this.vm, `${prefix}rings`, [ro(q.desc, 16 * q.num), ro(q.driver, 6 + 2 * q.num)]);
    this.whitelist.grant(this.vm, `${prefix}used`, [{ gpa: q.device, len: 6 + 8 * q.num, load: true, store: true }]);
    this.notice({ allowed: true, attempted: `virtio queue ${index} at 0x${hex(base)}: ${q.num} entries, rings whitelisted` });
  }

  /** Whitelists the buffers of every request the guest made available since the last notify. */
  private notify(base: number, window: DeviceWindow, index: number): void {
    const q = window.queues.get(index);
    if (!q?.ready) return;
    const idx = this.u16(q.driver + 2);
    if (idx === null) return;
    const fresh = (idx - q.lastAvail) & 0xffff;
    if (fresh > q.num) return; // the guest's ring is inconsistent: the device model will see it too
    for (let i = 0; i < fresh; i++) {
      const head = this.u16(q.driver + 4 + 2 * ((q.lastAvail + i) % q.num));
      if (head === null || head >= q.num) continue;
      const ranges = this.chain(q, head);
      if (!ranges) continue;
      const key = `${queuePrefix(base, index)}req${head}`;
      this.whitelist.grant(this.vm, key, ranges);
      if (window.deviceId === DEVICE_ID_BLK) this.blk?.request(key, ranges);
    }
    q.lastAvail = idx;
  }

  /** The buffers of one descriptor chain, or null for a chain no device may follow. */
  private chain(q: QueueState, head: number): IoRange[] | null {
    const ranges: IoRange[] = [];
    let i = head;
    for (let n = 0; n < q.num; n++) {
      const d = this.read(q.desc + 16 * i, 16);
      if (d === null) return null;
      const view = new DataView(d.buffer, d.byteOffset, 16);
      const flags = view.getUint16(12, true);
      if (view.getUint32(4, true) !== 0 || (flags & DESC_F_INDIRECT) !== 0) return null;
      const writable = (flags & DESC_F_WRITE) !== 0;
      ranges.push({ gpa: view.getUint32(0, true), len: view.getUint32(8, true), load: !writable, store: writable });
      if ((flags & DESC_F_NEXT) === 0) return ranges;
      i = view.getUint16(14, true);
      if (i >= q.num) return null;
    }
    return null; // a loop
  }

  private u16(gpa: number): number | null {
    const b = this.read(gpa, 2);
    return b === null ? null : (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  }

  private u32(gpa: number): number | null {
    const b = this.read(gpa, 4);
    return b === null ? null : new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
}

function hex(n: number): string {
  return n.toString(16);
}

function queuePrefix(base: number, index: number): string {
  return `virtio@${hex(base)}/q${index}/`;
}
