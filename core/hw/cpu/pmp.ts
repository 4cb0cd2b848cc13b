// Physical memory protection: 16 entries, OFF/TOR/NA4/NAPOT, granularity 4 bytes
// (priv spec 1.12 section 3.7). Lowest-numbered matching entry wins; an access that only
// partly matches an entry fails; with no match M-mode succeeds and S/U fail.
// WARL choice: R=0,W=1 is reserved, so a write of it keeps W cleared. Locked entries ignore writes.

const A_OFF = 0;
const A_TOR = 1;
const A_NA4 = 2;
const L_BIT = 0x80;

export class Pmp {
  readonly cfg = new Uint8Array(16);
  readonly addr = new Int32Array(16);
  /** Decoded byte ranges [lo, hi) per entry; hi <= lo means the entry matches nothing. */
  private readonly lo = new Float64Array(16);
  private readonly hi = new Float64Array(16);

  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0);
    this.decode();
  }

  /** Restore saved entries verbatim (snapshots), bypassing the lock rules of CSR writes. */
  restore(cfg: Uint8Array, addr: Int32Array): void {
    if (cfg.length !== 16 || addr.length !== 16) throw new RangeError('PMP state must have 16 entries');
    this.cfg.set(cfg);
    this.addr.set(addr);
    this.decode();
  }

  readCfg(reg: number): number {
    const c = this.cfg;
    const b = reg * 4;
    return (c[b] ?? 0) | ((c[b + 1] ?? 0) << 8) | ((c[b + 2] ?? 0) << 16) | ((c[b + 3] ?? 0) << 24);
  }

  writeCfg(reg: number, value: number): void {
    for (let i = 0; i < 4; i++) {
      const e = reg * 4 + i;
      if (((this.cfg[e] ?? 0) & L_BIT) !== 0) continue;
      let v = (value >>> (8 * i)) & 0x9f;
      if ((v & 3) === 2) v &= ~2;
      this.cfg[e] = v;
    }
    this.decode();
  }

  readAddr(i: number): number {
    return this.addr[i] ?? 0;
  }

  writeAddr(i: number, value: number): void {
    if (((this.cfg[i] ?? 0) & L_BIT) !== 0) return;
    const next = this.cfg[i + 1];
    if (next !== undefined && (next & L_BIT) !== 0 && ((next >> 3) & 3) === A_TOR) return;
    this.addr[i] = value;
    this.decode();
  }

  private decode(): void {
    for (let i = 0; i < 16; i++) {
      const mode = ((this.cfg[i] ?? 0) >> 3) & 3;
      const a = (this.addr[i] ?? 0) >>> 0;
      let lo = 0;
      let hi = 0;
      if (mode === A_TOR) {
        lo = i === 0 ? 0 : ((this.addr[i - 1] ?? 0) >>> 0) * 4;
        hi = a * 4;
      } else if (mode === A_NA4) {
        lo = a * 4;
        hi = lo + 4;
      } else if (mode !== A_OFF) {
        let t = 0;
        while (t < 32 && ((a >>> t) & 1) === 1) t++;
        const span = 2 ** t;
        lo = (a - (a % span)) * 4;
        if (t === 32) lo = 0;
        hi = lo + span * 8;
      }
      this.lo[i] = lo;
      this.hi[i] = hi;
    }
  }

  /** Permission bits (R=1, W=2, X=4) the entry grants `priv`; M gets everything from unlocked entries. */
  private perms(i: number, priv: number): number {
    const c = this.cfg[i] ?? 0;
    if (priv === 3 && (c & L_BIT) === 0) return 7;
    return c & 7;
  }

  /** Whether an access of `size` bytes at `pa` with access bit (1 R, 2 W, 4 X) is allowed. */
  check(pa: number, size: number, accessBit: number, priv: number): boolean {
    const end = pa + size;
    for (let i = 0; i < 16; i++) {
      const lo = this.lo[i] ?? 0;
      const hi = this.hi[i] ?? 0;
      if (hi <= lo || end <= lo || pa >= hi) continue;
      if (pa < lo || end > hi) return false;
      return (this.perms(i, priv) & accessBit) !== 0;
    }
    return priv === 3;
  }

  /**
   * Permissions `priv` has uniformly over the 4 KiB page at `pagePa`, or -1 when an entry
   * splits the page (then every access must be checked on its own).
   */
  pagePerms(pagePa: number, priv: number): number {
    const end = pagePa + 4096;
    for (let i = 0; i < 16; i++) {
      const lo = this.lo[i] ?? 0;
      const hi = this.hi[i] ?? 0;
      if (hi <= lo || end <= lo || pagePa >= hi) continue;
      if (pagePa < lo || end > hi) return -1;
      return this.perms(i, priv);
    }
    return priv === 3 ? 7 : 0;
  }
}
