// PMP matching and permissions (priv 1.12 section 3.7): TOR/NA4/NAPOT ranges, lowest entry
// wins, partial matches fail, default deny below M, locking applies to M and freezes entries.
import { describe, expect, it } from 'vitest';
import { Pmp } from '../../../core/hw/cpu/pmp';

const R = 1,
  W = 2,
  X = 4;

describe('Pmp', () => {
  it('with no entry matching, M is allowed and S/U are denied', () => {
    const p = new Pmp();
    p.reset();
    expect(p.check(0x8000_0000, 4, R, 3)).toBe(true);
    expect(p.check(0x8000_0000, 4, R, 1)).toBe(false);
  });

  it('NAPOT, NA4 and TOR ranges with the lowest-numbered entry winning', () => {
    const p = new Pmp();
    p.reset();
    p.writeAddr(0, (0x8000_0000 >>> 2) | 0x1ff); // NAPOT 4 KiB at 0x80000000
    p.writeAddr(1, 0x8000_2000 >>> 2); // NA4
    p.writeAddr(2, 0x9000_0000 >>> 2); // TOR top, bottom = pmpaddr1
    p.writeCfg(0, 0x18 | R | ((0x10 | R | W) << 8) | ((0x08 | R | W | X) << 16));
    expect(p.check(0x8000_0ffc, 4, R, 1)).toBe(true);
    expect(p.check(0x8000_0ffc, 4, W, 1)).toBe(false);
    expect(p.check(0x8000_0ffe, 4, R, 1)).toBe(false); // straddles the NAPOT end
    expect(p.check(0x8000_2000, 4, W, 1)).toBe(true); // NA4 beats the TOR below
    expect(p.check(0x8000_2004, 4, X, 0)).toBe(true); // TOR
    expect(p.check(0x9000_0000, 4, R, 0)).toBe(false);
    expect(p.pagePerms(0x8000_0000, 1)).toBe(R);
    expect(p.pagePerms(0x8000_2000, 1)).toBe(-1); // NA4 splits the page
  });

  it('locked entries bind M-mode, ignore writes, and lock the TOR base below them', () => {
    const p = new Pmp();
    p.reset();
    p.writeAddr(0, 0x8000_0000 >>> 2);
    p.writeAddr(1, 0x8000_1000 >>> 2);
    p.writeCfg(0, (0x08 | 0x80 | R) << 8);
    expect(p.check(0x8000_0000, 4, W, 3)).toBe(false);
    expect(p.check(0x8000_0000, 4, R, 3)).toBe(true);
    p.writeAddr(0, 0);
    p.writeAddr(1, 0);
    p.writeCfg(0, 0);
    expect([p.readAddr(0), p.readAddr(1), p.readCfg(0)]).toEqual([
      0x8000_0000 >>> 2,
      0x8000_1000 >>> 2,
      (0x08 | 0x80 | R) << 8,
    ]);
  });

  it('R=0 W=1 is reserved: the write keeps W clear', () => {
    const p = new Pmp();
    p.reset();
    p.writeCfg(0, 0x18 | W | X);
    expect(p.readCfg(0) & 0xff).toBe(0x18 | X);
  });
});
