// The monitor's per-VM disk guard against a guest-memory image, driven as the VMM's device model
// drives guest memory: requests with the header and data in one buffer or spread over several,
// sectors split across buffers, a VMM reading a buffer twice or at an offset, delivering a sector
// in pieces; unwritten sectors, failed writes, partial sectors; rollback, swap and tamper caught.
import { describe, expect, it } from 'vitest';
import { DiskGuard } from '../../core/cloudvisor/disk-guard';
import type { IoRange } from '../../core/cloudvisor/io-whitelist';
import { XtsCipher } from '../../core/cloudvisor/xts-cipher';

const RAM = 0x8000_0000;
const KEY = DiskGuard.deriveKey(new Uint8Array(32).fill(7), 1);

function setup() {
  const ram = new Uint8Array(0x10000);
  const detected: string[] = [];
  const guard = new DiskGuard(1, KEY, {
    read: (gpa, len) => (gpa >= RAM && gpa + len <= RAM + ram.length ? ram.slice(gpa - RAM, gpa - RAM + len) : null),
    write: (gpa, bytes) => {
      if (gpa < RAM || gpa + bytes.length > RAM + ram.length) return false;
      ram.set(bytes, gpa - RAM);
      return true;
    },
  }, { detect: (what) => detected.push(what), note: () => undefined });
  const header = (gpa: number, type: number, sector: number): void => {
    const v = new DataView(ram.buffer, gpa - RAM, 16);
    v.setUint32(0, type, true);
    v.setUint32(8, sector, true);
  };
  const vmmRead = (gpa: number, len: number): Uint8Array => {
    const bytes = ram.slice(gpa - RAM, gpa - RAM + len);
    guard.load(gpa, bytes);
    return bytes;
  };
  let next = 0;
  /** A write of `plain` at `sector`: header in its own buffer, data split as `split` says. */
  const write = (sector: number, plain: Uint8Array, split: number[] = [plain.length], status = 0): Uint8Array => {
    const key = `req${next++}`;
    header(RAM, 1, sector);
    const ranges: IoRange[] = [{ gpa: RAM, len: 16, load: true, store: false }];
    let at = 0x1000;
    let done = 0;
    for (const n of split) {
      ram.set(plain.subarray(done, done + n), at);
      ranges.push({ gpa: RAM + at, len: n, load: true, store: false });
      at += n + 64;
      done += n;
    }
    ranges.push({ gpa: RAM + 0x9000, len: 1, load: false, store: true });
    guard.request(key, ranges);
    const seen = new Uint8Array(plain.length);
    let off = 0;
    for (const r of ranges.slice(1, -1)) {
      seen.set(vmmRead(r.gpa, r.len), off);
      off += r.len;
    }
    guard.store(RAM + 0x9000, Uint8Array.of(status));
    guard.done(key);
    return seen;
  };
  /** A read of `sectors` at `sector` into one buffer; the VMM delivers `bytes` in `pieces`. */
  const read = (sector: number, bytes: Uint8Array, pieces: number[] = [bytes.length]): { data: Uint8Array; status: number } => {
    const key = `req${next++}`;
    header(RAM, 0, sector);
    const dataGpa = RAM + 0x4000 + 100; // not page-aligned: a sector crosses into the next page
    ram.fill(0xee, dataGpa - RAM, dataGpa - RAM + bytes.length);
    guard.request(key, [{ gpa: RAM, len: 16, load: true, store: false }, { gpa: dataGpa, len: bytes.length + 1, load: false, store: true }]);
    let done = 0;
    for (const n of pieces) {
      guard.store(dataGpa + done, bytes.subarray(done, done + n));
      done += n;
    }
    guard.store(dataGpa + bytes.length, Uint8Array.of(0));
    guard.done(key);
    return { data: ram.slice(dataGpa - RAM, dataGpa - RAM + bytes.length), status: ram[dataGpa - RAM + bytes.length] ?? -1 };
  };
  return { ram, guard, detected, write, read, vmmRead, header };
}

const text = (s: string, len = 512): Uint8Array => {
  const out = new Uint8Array(len);
  out.set(new TextEncoder().encode(s));
  return out;
};

describe('the disk guard', () => {
  it('hands the VMM XTS ciphertext of a write, the same on every read of the buffer, and reads it back as plaintext', () => {
    const { guard, write, read, vmmRead } = setup();
    const plain = text('hello sector 40', 1024);
    const ct = write(40, plain, [300, 724]);
    expect(ct).toEqual(new XtsCipher(KEY).encrypt(40, plain));
    expect(Buffer.from(ct).includes(Buffer.from('hello'))).toBe(false);
    expect(guard.tree.written(40) && guard.tree.written(41)).toBe(true);
    const back = read(40, ct, [100, 500, 424]);
    expect(back.status).toBe(0);
    expect(back.data).toEqual(plain);
    // The VMM reading the data twice, or at an offset, sees the same ciphertext.
    expect(vmmRead(RAM + 0x1000, 16)).not.toEqual(ct.subarray(0, 16)); // request over: plain guest memory
  });

  it('gives the VMM the same ciphertext when it reads a pending buffer twice or from an offset', () => {
    const { guard, header, ram, vmmRead } = setup();
    header(RAM, 1, 5);
    ram.set(text('twice'), 0x1000);
    guard.request('r', [{ gpa: RAM, len: 16, load: true, store: false }, { gpa: RAM + 0x1000, len: 512, load: true, store: false }, { gpa: RAM + 0x9000, len: 1, load: false, store: true }]);
    const whole = vmmRead(RAM + 0x1000, 512);
    expect(vmmRead(RAM + 0x1000, 512)).toEqual(whole);
    expect(vmmRead(RAM + 0x1000 + 37, 64)).toEqual(whole.subarray(37, 101));
    expect(vmmRead(RAM, 16)).toEqual(ram.slice(0, 16)); // the header stays readable as the guest wrote it
  });

  it('reads never-written sectors as zeros whatever the VMM delivers', () => {
    const { read, detected } = setup();
    const back = read(7, new Uint8Array(512).fill(0x41));
    expect(back).toEqual({ data: new Uint8Array(512), status: 0 });
    expect(detected).toEqual([]);
  });

  it('does not commit a write the VMM failed, nor let the guest hear OK for it afterwards', () => {
    const { guard, write, ram } = setup();
    write(9, text('lost'), [512], 1);
    expect(guard.tree.written(9)).toBe(false);
    expect(ram[0x9000]).toBe(1);
    const { guard: g2, header, ram: ram2 } = setup();
    header(RAM, 1, 4);
    g2.request('w', [{ gpa: RAM, len: 16, load: true, store: false }, { gpa: RAM + 0x1000, len: 512, load: true, store: false }, { gpa: RAM + 0x9000, len: 1, load: false, store: true }]);
    g2.store(RAM + 0x9000, Uint8Array.of(1));
    g2.store(RAM + 0x9000, Uint8Array.of(0));
    expect(ram2[0x9000]).toBe(1);
    expect(g2.tree.written(4)).toBe(false);
  });

  it('catches rollback, swap and tamper, and gives the guest an I/O error instead of the bytes', () => {
    const { write, read, detected } = setup();
    const v1 = write(50, text('version one'));
    const v2 = write(50, text('version two'));
    const other = write(51, text('sector 51'));
    expect(read(50, v2).data).toEqual(text('version two'));
    const rolledBack = read(50, v1);
    expect(rolledBack.status).toBe(1);
    expect(rolledBack.data).not.toEqual(text('version one'));
    const swapped = read(50, other);
    expect(swapped.status).toBe(1);
    const flipped = v2.slice();
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    expect(read(50, flipped).status).toBe(1);
    expect(detected).toHaveLength(3);
    expect(detected[0]).toMatch(/sector 50 .*version 2.*rolled back/);
  });

  it('treats partial sectors as opaque: zeros for the VMM, its stores dropped, an I/O error', () => {
    const { guard, header, ram, vmmRead } = setup();
    header(RAM, 1, 3);
    ram.set(text('partial', 100), 0x1000);
    guard.request('p', [{ gpa: RAM, len: 16, load: true, store: false }, { gpa: RAM + 0x1000, len: 100, load: true, store: false }, { gpa: RAM + 0x9000, len: 1, load: false, store: true }]);
    expect(vmmRead(RAM + 0x1000, 100)).toEqual(new Uint8Array(100));
    header(RAM + 0x20, 0, 3);
    ram.fill(0x11, 0x2000, 0x2000 + 101);
    guard.request('q', [{ gpa: RAM + 0x20, len: 16, load: true, store: false }, { gpa: RAM + 0x2000, len: 101, load: false, store: true }]);
    guard.store(RAM + 0x2000, new Uint8Array(100).fill(0x66));
    guard.store(RAM + 0x2000 + 100, Uint8Array.of(0));
    expect(ram.slice(0x2000, 0x2000 + 100)).toEqual(new Uint8Array(100).fill(0x11));
    expect(ram[0x2000 + 100]).toBe(1);
  });

  it('reports an undelivered sector as an I/O error even when the VMM says OK', () => {
    const { write, read } = setup();
    const ct = write(60, text('sixty', 1024));
    const half = read(60, ct, [512]);
    expect(half.status).toBe(1);
  });

  it('leaves flush and get-id requests alone: no data to transform, their bytes and status pass', () => {
    const { guard, header, ram } = setup();
    header(RAM, 4, 0);
    guard.request('flush', [{ gpa: RAM, len: 16, load: true, store: false }, { gpa: RAM + 0x9000, len: 1, load: false, store: true }]);
    header(RAM + 0x20, 8, 0);
    guard.request('id', [{ gpa: RAM + 0x20, len: 16, load: true, store: false }, { gpa: RAM + 0x3000, len: 21, load: false, store: true }]);
    expect(guard.pending).toBe(0);
    expect(guard.covers(RAM + 0x3000, 21)).toBe(false);
    expect(ram[0x9000]).toBe(0);
  });
});
