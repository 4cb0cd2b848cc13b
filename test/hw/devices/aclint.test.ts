// CLINT/ACLINT registers at QEMU virt's offsets: msip drives MSIP, mtime follows the board
// clock (writable), MTIP is mtime >= mtimecmp, mtimecmp resets to all ones.
import { describe, expect, it } from 'vitest';
import { ACLINT, Aclint } from '../../../core/hw/devices/aclint';

function clint() {
  let now = 0;
  const lines = [
    { sw: false, timer: false },
    { sw: false, timer: false },
  ];
  const logged: number[] = [];
  const c = new Aclint(
    { now: () => now },
    lines.map((l) => ({ setSoftware: (v: boolean) => (l.sw = v), setTimer: (v: boolean) => (l.timer = v) })),
    { unknownAccess: (_d, _k, o) => logged.push(o) },
  );
  return { c, lines, logged, tick: (t: number) => (now = t) };
}

describe('Aclint', () => {
  it('msip words drive each hart software interrupt', () => {
    const t = clint();
    t.c.write(ACLINT.MSIP + 4, 4, 1);
    expect([t.lines[0]!.sw, t.lines[1]!.sw]).toEqual([false, true]);
    expect(t.c.read(ACLINT.MSIP + 4, 4)).toBe(1);
  });

  it('MTIP follows mtime >= mtimecmp; mtimecmp resets to all ones', () => {
    const t = clint();
    expect(t.c.read(ACLINT.MTIMECMP, 4) >>> 0).toBe(0xffff_ffff);
    t.c.write(ACLINT.MTIMECMP + 4, 4, 0);
    t.c.write(ACLINT.MTIMECMP, 4, 100);
    t.tick(99);
    t.c.update();
    expect(t.lines[0]!.timer).toBe(false);
    t.tick(100);
    t.c.update();
    expect(t.lines[0]!.timer).toBe(true);
    expect(t.c.deadline(0)).toBe(100);
  });

  it('mtime reads the clock and can be written', () => {
    const t = clint();
    t.tick(0x1_0000_0005);
    expect([t.c.read(ACLINT.MTIME, 4), t.c.read(ACLINT.MTIME + 4, 4)]).toEqual([5, 1]);
    t.c.write(ACLINT.MTIME + 4, 4, 0);
    expect(t.c.mtime()).toBe(5);
  });

  it('logs offsets outside the registers', () => {
    const t = clint();
    expect(t.c.read(0x3000, 4)).toBe(0);
    expect(t.logged).toEqual([0x3000]);
  });
});
