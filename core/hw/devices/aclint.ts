// ACLINT as QEMU virt's CLINT window at 0x02000000 (hw/intc/riscv_aclint.c): MSWI msip[hart]
// at 0x0000 + 4*hart, MTIMER mtimecmp[hart] at 0x4000 + 8*hart and mtime at 0xbff8.
// mtime is the board clock plus a writable offset; mtimecmp resets to all ones like QEMU.
// Interrupt lines are level: MSIP follows msip bit 0, MTIP is mtime >= mtimecmp (update()).
import type { AccessWidth, Clock, DeviceLog, MmioDevice } from '../device';

export const ACLINT = {
  MSIP: 0x0000,
  MTIMECMP: 0x4000,
  MTIME: 0xbff8,
} as const;

export interface AclintHartLines {
  setSoftware(level: boolean): void;
  setTimer(level: boolean): void;
}

export class Aclint implements MmioDevice {
  readonly name = 'aclint';
  readonly size = 0x1_0000;
  private readonly msip: Uint8Array;
  private readonly cmpLo: Uint32Array;
  private readonly cmpHi: Uint32Array;
  /** Added to the board clock to form mtime (software may write mtime). */
  private offset = 0;

  constructor(
    private readonly clock: Clock,
    private readonly harts: readonly AclintHartLines[],
    private readonly log: DeviceLog,
  ) {
    this.msip = new Uint8Array(harts.length);
    this.cmpLo = new Uint32Array(harts.length);
    this.cmpHi = new Uint32Array(harts.length);
    this.reset();
  }

  reset(): void {
    this.msip.fill(0);
    this.cmpLo.fill(0xffff_ffff);
    this.cmpHi.fill(0xffff_ffff);
    this.offset = 0;
    this.update();
  }

  mtime(): number {
    return this.clock.now() + this.offset;
  }

  /** Hart `i`'s mtimecmp as a board-clock time (mtime minus its offset), for idle fast-forward. */
  deadline(i: number): number {
    return this.compare(i) - this.offset;
  }

  private compare(i: number): number {
    return (this.cmpHi[i] ?? 0) * 0x1_0000_0000 + (this.cmpLo[i] ?? 0);
  }

  /** Re-evaluate every hart's MSIP and MTIP lines. */
  update(): void {
    const t = this.mtime();
    for (let i = 0; i < this.harts.length; i++) {
      const lines = this.harts[i];
      if (lines === undefined) continue;
      lines.setSoftware((this.msip[i] ?? 0) !== 0);
      lines.setTimer(t >= this.compare(i));
    }
  }

  read(offset: number, width: AccessWidth): number {
    const n = this.harts.length;
    if (width === 4 && offset < 4 * n && offset % 4 === 0) return this.msip[offset / 4] ?? 0;
    if (width === 4 && offset >= ACLINT.MTIMECMP && offset < ACLINT.MTIMECMP + 8 * n && offset % 4 === 0) {
      const i = (offset - ACLINT.MTIMECMP) >>> 3;
      return ((offset & 4) !== 0 ? this.cmpHi[i] : this.cmpLo[i]) ?? 0;
    }
    if (width === 4 && (offset === ACLINT.MTIME || offset === ACLINT.MTIME + 4)) {
      const t = this.mtime();
      return offset === ACLINT.MTIME ? t % 0x1_0000_0000 : Math.floor(t / 0x1_0000_0000) >>> 0;
    }
    this.log.unknownAccess(this.name, 'read', offset, width);
    return 0;
  }

  write(offset: number, width: AccessWidth, value: number): void {
    const n = this.harts.length;
    const v = value >>> 0;
    if (width === 4 && offset < 4 * n && offset % 4 === 0) this.msip[offset / 4] = v & 1;
    else if (
      width === 4 &&
      offset >= ACLINT.MTIMECMP &&
      offset < ACLINT.MTIMECMP + 8 * n &&
      offset % 4 === 0
    ) {
      const i = (offset - ACLINT.MTIMECMP) >>> 3;
      if ((offset & 4) !== 0) this.cmpHi[i] = v;
      else this.cmpLo[i] = v;
    } else if (width === 4 && (offset === ACLINT.MTIME || offset === ACLINT.MTIME + 4)) {
      const t = this.mtime();
      const lo = t % 0x1_0000_0000;
      const hi = Math.floor(t / 0x1_0000_0000);
      const next = offset === ACLINT.MTIME ? hi * 0x1_0000_0000 + v : v * 0x1_0000_0000 + lo;
      this.offset += next - t;
    } else {
      this.log.unknownAccess(this.name, 'write', offset, width, value);
      return;
    }
    this.update();
  }
}
