// The monitor's virtqueue parser against a guest-memory image laid out as a virtio 1.2 split
// queue (descriptor table, driver ring, device ring), driven by the MMIO stores a driver makes.
import { describe, expect, it } from 'vitest';
import { IoWhitelist } from '../../core/cloudvisor/io-whitelist';
import { VirtioWatch, type BlkHooks, type VirtioNotice } from '../../core/cloudvisor/virtio-watch';

const BASE = 0x1000_1000;
const DESC = 0x8000_0000;
const DRIVER = 0x8000_1000;
const DEVICE = 0x8000_2000;
const NUM = 8;

function setup(blk: BlkHooks | null = null, deviceId = 2) {
  const ram = new Uint8Array(0x10000);
  const view = new DataView(ram.buffer);
  const at = (gpa: number): number => gpa - DESC;
  const list = new IoWhitelist();
  const notices: VirtioNotice[] = [];
  const watch = new VirtioWatch(3, list, (gpa, len) => (gpa >= DESC && gpa + len <= DESC + ram.length ? ram.slice(at(gpa), at(gpa) + len) : null), (n) => notices.push(n), blk);
  const desc = (i: number, addr: number, len: number, flags: number, next: number): void => {
    view.setUint32(at(DESC + 16 * i), addr, true);
    view.setUint32(at(DESC + 16 * i) + 8, len, true);
    view.setUint16(at(DESC + 16 * i) + 12, flags, true);
    view.setUint16(at(DESC + 16 * i) + 14, next, true);
  };
  const offer = (slot: number, head: number): void => {
    view.setUint16(at(DRIVER + 4 + 2 * slot), head, true);
    view.setUint16(at(DRIVER + 2), slot + 1, true);
  };
  const complete = (slot: number, head: number): void => {
    view.setUint32(at(DEVICE + 4 + 8 * slot), head, true);
    view.setUint16(at(DEVICE + 2), slot + 1, true);
  };
  const bringUp = (): void => {
    watch.loadAnswered(BASE, 4, 0x74726976);
    watch.loadAnswered(BASE + 0x008, 4, deviceId);
    for (const [offset, value] of [[0x70, 3], [0x30, 0], [0x38, NUM], [0x80, DESC], [0x84, 0], [0x90, DRIVER], [0x94, 0], [0xa0, DEVICE], [0xa4, 0], [0x44, 1]] as const) {
      watch.store(BASE + offset, 4, value);
    }
  };
  return { list, notices, watch, desc, offer, complete, bringUp };
}

describe('VirtioWatch', () => {
  it('ignores a window until the guest has read the virtio magic there and set DRIVER', () => {
    const { list, watch } = setup();
    watch.store(BASE + 0x70, 4, 3);
    watch.store(BASE + 0x38, 4, NUM);
    watch.store(BASE + 0x44, 4, 1);
    expect(list.list(3).size).toBe(0);
    watch.loadAnswered(BASE, 4, 0x74726976);
    watch.store(BASE + 0x70, 4, 0);
    watch.store(BASE + 0x38, 4, NUM);
    watch.store(BASE + 0x44, 4, 1); // magic read, but no DRIVER status yet
    expect(list.list(3).size).toBe(0);
  });

  it('lists the rings at QueueReady and a request buffers at QueueNotify, by direction', () => {
    const { list, notices, watch, desc, offer, bringUp } = setup();
    bringUp();
    expect(notices).toHaveLength(1);
    expect(notices[0]?.allowed).toBe(true);
    expect(notices[0]?.attempted).toContain('rings whitelisted');
    expect(list.allows(3, DESC, 16 * NUM, 'load')).not.toBeNull();
    expect(list.allows(3, DESC, 16, 'store')).toBeNull();
    expect(list.allows(3, DEVICE + 4, 8, 'store')).not.toBeNull();
    desc(0, 0x8000_5000, 16, 1, 1); // header, device-readable
    desc(1, 0x8000_6000, 512, 3, 2); // data, device-writable
    desc(2, 0x8000_7000, 1, 2, 0); // status, device-writable
    offer(0, 0);
    expect(list.allows(3, 0x8000_5000, 16, 'load')).toBeNull(); // not notified yet
    watch.store(BASE + 0x50, 4, 0);
    expect(list.allows(3, 0x8000_5000, 16, 'load')).toBe(`virtio@${BASE.toString(16)}/q0/req0`);
    expect(list.allows(3, 0x8000_5000, 16, 'store')).toBeNull();
    expect(list.allows(3, 0x8000_6000, 512, 'store')).not.toBeNull();
    expect(list.allows(3, 0x8000_6000, 513, 'store')).toBeNull();
    expect(list.allows(3, 0x8000_7000, 1, 'store')).not.toBeNull();
  });

  it('retires a request when its used entry is published, and everything on a device reset', () => {
    const { list, watch, desc, offer, complete, bringUp } = setup();
    bringUp();
    desc(5, 0x8000_9000, 64, 2, 0);
    offer(0, 5);
    watch.store(BASE + 0x50, 4, 0);
    expect(list.allows(3, 0x8000_9000, 64, 'store')).not.toBeNull();
    complete(0, 5);
    watch.usedWritten(`virtio@${BASE.toString(16)}/q0/used`);
    expect(list.allows(3, 0x8000_9000, 64, 'store')).toBeNull();
    watch.store(BASE + 0x70, 4, 0);
    expect(list.list(3).size).toBe(0);
  });

  it('lists nothing for a looping or indirect chain', () => {
    const { list, watch, desc, offer, bringUp } = setup();
    bringUp();
    desc(0, 0x8000_9000, 64, 1, 1);
    desc(1, 0x8000_a000, 64, 1, 0); // loops back to 0
    desc(2, 0x8000_b000, 64, 4, 0); // indirect
    offer(0, 0);
    offer(1, 2);
    watch.store(BASE + 0x50, 4, 0);
    expect([...list.list(3).keys()].filter((k) => k.includes('req'))).toEqual([]);
  });

  it('hands a block device\'s requests to the disk hooks, retires them with their used entry, and resets them with the device', () => {
    const calls: string[] = [];
    const hooks: BlkHooks = {
      request: (key, buffers) => calls.push(`request ${key} ${buffers.map((b) => `${b.gpa.toString(16)}+${b.len}${b.store ? 'w' : 'r'}`).join(' ')}`),
      done: (key) => calls.push(`done ${key}`),
      reset: (prefix) => calls.push(`reset ${prefix}`),
    };
    const { watch, desc, offer, complete, bringUp } = setup(hooks);
    bringUp();
    desc(0, 0x8000_5000, 16, 1, 1);
    desc(1, 0x8000_6000, 512, 3, 2);
    desc(2, 0x8000_7000, 1, 2, 0);
    offer(0, 0);
    watch.store(BASE + 0x50, 4, 0);
    complete(0, 0);
    watch.usedWritten(`virtio@${BASE.toString(16)}/q0/used`);
    watch.store(BASE + 0x70, 4, 0);
    const dev = `virtio@${BASE.toString(16)}`;
    expect(calls).toEqual([
      `reset ${dev}/q0/`, // QueueReady starts the queue afresh
      `request ${dev}/q0/req0 80005000+16r 80006000+512w 80007000+1w`,
      `done ${dev}/q0/req0`,
      `reset ${dev}/`,
    ]);
  });

  it('leaves other devices (an rng) to the whitelist alone', () => {
    const calls: string[] = [];
    const { list, watch, desc, offer, bringUp } = setup({ request: (key) => calls.push(key), done: () => undefined, reset: () => undefined }, 4);
    bringUp();
    desc(0, 0x8000_6000, 64, 2, 0);
    offer(0, 0);
    watch.store(BASE + 0x50, 4, 0);
    expect(list.allows(3, 0x8000_6000, 64, 'store')).not.toBeNull();
    expect(calls).toEqual([]);
  });
});
