// HTIF tohost protocol (Spike's fesvr): exit codes, console putchar, SYS_write through a
// syscall block in memory, and both orders of writing the 64-bit word's halves.
import { describe, expect, it } from 'vitest';
import { Htif } from '../../../core/hw/devices/htif';
import { FINISHER, TestFinisher, type FinisherEvent } from '../../../core/hw/devices/test-finisher';

function htif() {
  const mem = new Uint8Array(256);
  const out: number[] = [];
  const exits: number[] = [];
  const h = new Htif(
    {
      exit: (c) => exits.push(c),
      output: (b) => out.push(...b),
      readPhysical: (pa, n) => mem.slice(pa, pa + n),
      writePhysical: (pa, b) => mem.set(b, pa),
    },
    { unknownAccess: () => undefined },
  );
  return { h, mem, out, exits };
}

describe('Htif', () => {
  it('an odd payload exits with payload >> 1 once both halves are written', () => {
    const t = htif();
    t.h.tohost.write(0, 4, (5 << 1) | 1);
    expect(t.exits).toEqual([]);
    t.h.tohost.write(4, 4, 0);
    expect(t.exits).toEqual([5]);
    expect(t.h.tohost.read(0, 4)).toBe(0);
  });

  it('console putchar (device 1, cmd 1) in either half order, acknowledged in fromhost', () => {
    const t = htif();
    t.h.tohost.write(0, 4, 0x41);
    t.h.tohost.write(4, 4, 0x0101_0000);
    t.h.tohost.write(4, 4, 0x0101_0000);
    t.h.tohost.write(0, 4, 0x42);
    expect(t.out).toEqual([0x41, 0x42]);
    expect(t.h.fromhost.read(4, 4)).toBe(0x0101_0000);
  });

  it('SYS_write prints the buffer and returns its length in the block', () => {
    const t = htif();
    const v = new DataView(t.mem.buffer);
    v.setUint32(0, 64, true);
    v.setUint32(8, 1, true);
    v.setUint32(16, 128, true);
    v.setUint32(24, 3, true);
    t.mem.set([104, 105, 10], 128);
    // The block sits at physical 0: write a non-zero pointer instead, 64, holding a copy.
    t.mem.copyWithin(64, 0, 32);
    t.h.tohost.write(0, 4, 64);
    t.h.tohost.write(4, 4, 0);
    expect(t.out).toEqual([104, 105, 10]);
    expect(v.getUint32(64, true)).toBe(3);
    expect(t.h.fromhost.read(0, 4)).toBe(1);
  });
});

describe('TestFinisher', () => {
  it('decodes pass, fail with code, reset; logs anything else', () => {
    const events: FinisherEvent[] = [];
    const logged: number[] = [];
    const f = new TestFinisher((e) => events.push(e), {
      unknownAccess: (_d, _k, _o, _w, v) => logged.push(v ?? -1),
    });
    f.write(0, 4, FINISHER.PASS);
    f.write(0, 4, (7 << 16) | FINISHER.FAIL);
    f.write(0, 4, FINISHER.RESET);
    f.write(0, 4, 0x1234);
    expect(events).toEqual([{ kind: 'exit', code: 0 }, { kind: 'exit', code: 7 }, { kind: 'reset' }]);
    expect(logged).toEqual([0x1234]);
  });
});
