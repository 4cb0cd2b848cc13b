// HTIF (Spike's host-target interface): 64-bit tohost/fromhost words at the addresses of the
// ELF's `tohost`/`fromhost` symbols, overlaying RAM. tohost = device<<56 | cmd<<48 | payload:
// device 0 cmd 0 with an odd payload exits with payload>>1; with an even payload it points at a
// syscall block (SYS_write 64, SYS_exit 93); device 1 cmd 1 writes one console byte.

// A value is acted on once both 32-bit halves have been written, in either order (an RV32
// program stores the word as two halves; acting on one half alone could see a torn value).
import type { AccessWidth, DeviceLog, MmioDevice } from '../device';

export const HTIF_SYSCALL = { WRITE: 64, EXIT: 93 } as const;

export interface HtifHost {
  exit(code: number): void;
  output(bytes: Uint8Array): void;
  readPhysical(pa: number, length: number): Uint8Array;
  writePhysical(pa: number, bytes: Uint8Array): void;
}

function u64(bytes: Uint8Array, index: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return v.getUint32(index * 8 + 4, true) * 0x1_0000_0000 + v.getUint32(index * 8, true);
}

class HtifWord implements MmioDevice {
  readonly size = 8;
  lo = 0;
  hi = 0;
  private loWritten = false;
  private hiWritten = false;

  constructor(
    readonly name: string,
    private readonly log: DeviceLog,
    private readonly onWrite: ((word: HtifWord) => void) | null,
  ) {}

  reset(): void {
    this.lo = 0;
    this.hi = 0;
    this.loWritten = false;
    this.hiWritten = false;
  }

  read(offset: number, width: AccessWidth): number {
    if (width !== 4 || (offset !== 0 && offset !== 4)) {
      this.log.unknownAccess(this.name, 'read', offset, width);
      return 0;
    }
    return offset === 0 ? this.lo : this.hi;
  }

  write(offset: number, width: AccessWidth, value: number): void {
    if (width !== 4 || (offset !== 0 && offset !== 4)) {
      this.log.unknownAccess(this.name, 'write', offset, width, value);
      return;
    }
    if (offset === 0) {
      this.lo = value >>> 0;
      this.loWritten = true;
    } else {
      this.hi = value >>> 0;
      this.hiWritten = true;
    }
    this.onWrite?.(this);
  }

  /** Whether the pending value is ready to act on. */
  complete(): boolean {
    if (this.lo === 0 && this.hi === 0) return false;
    return this.loWritten && this.hiWritten;
  }

  clear(): void {
    this.lo = 0;
    this.hi = 0;
    this.loWritten = false;
    this.hiWritten = false;
  }
}

export class Htif {
  readonly tohost: MmioDevice;
  readonly fromhost: MmioDevice;
  private readonly to: HtifWord;
  private readonly from: HtifWord;

  constructor(
    private readonly host: HtifHost,
    private readonly log: DeviceLog,
  ) {
    this.to = new HtifWord('htif-tohost', log, (w) => this.written(w));
    this.from = new HtifWord('htif-fromhost', log, null);
    this.tohost = this.to;
    this.fromhost = this.from;
  }

  private written(w: HtifWord): void {
    if (!w.complete()) return;
    const device = w.hi >>> 24;
    const cmd = (w.hi >>> 16) & 0xff;
    const payload = (w.hi & 0xffff) * 0x1_0000_0000 + w.lo;
    w.clear();
    if (device === 0 && cmd === 0) {
      if (payload % 2 === 1) this.host.exit(Math.floor(payload / 2));
      else this.syscall(payload);
    } else if (device === 1 && cmd === 1) {
      this.host.output(Uint8Array.of(payload & 0xff));
      this.respond(0x0101_0000, 0x100 | (payload & 0xff));
    } else {
      this.log.unknownAccess('htif', 'write', 0, 4, w.lo);
    }
  }

  private respond(hi: number, lo: number): void {
    this.from.hi = hi >>> 0;
    this.from.lo = lo >>> 0;
  }

  private syscall(pointer: number): void {
    let block: Uint8Array;
    try {
      block = this.host.readPhysical(pointer, 64);
    } catch {
      this.log.unknownAccess('htif', 'write', 0, 4, pointer);
      return;
    }
    const which = u64(block, 0);
    let ret = -38;
    if (which === HTIF_SYSCALL.EXIT) {
      this.host.exit(u64(block, 1) % 256);
      return;
    }
    if (which === HTIF_SYSCALL.WRITE) {
      const fd = u64(block, 1);
      const len = u64(block, 3);
      try {
        const bytes = this.host.readPhysical(u64(block, 2), len);
        if (fd === 1 || fd === 2) this.host.output(bytes);
        ret = len;
      } catch {
        ret = -14;
      }
    } else this.log.unknownAccess('htif', 'write', 0, 4, which);
    const result = new Uint8Array(8);
    const view = new DataView(result.buffer);
    view.setInt32(0, ret, true);
    view.setInt32(4, ret < 0 ? -1 : 0, true);
    this.host.writePhysical(pointer, result);
    this.respond(0, 1);
  }
}
