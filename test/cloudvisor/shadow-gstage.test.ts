// The shadow G-stage table against the ownership rules of CLOUDVISOR.md section 2. The shadow
// table is checked with an independent Sv32x4 walk written from the priv spec (9.5.1).
import { beforeEach, describe, expect, it } from 'vitest';
import { FrameOwners, MONITOR, VMM, vmOwner } from '../../core/cloudvisor/frame-owners';
import { MonitorFramePool } from '../../core/cloudvisor/monitor-frame-pool';
import { ShadowGStage, type ShadowPolicy } from '../../core/cloudvisor/shadow-gstage';
import { ByteMemory } from './support/byte-memory';

const BASE = 0x8000_0000;
const SIZE = 8 << 20;
const VMM_ROOT = 0x8001_0000; // 16 KiB aligned
const VMM_L0 = 0x8001_4000;
const STRICT: ShadowPolicy = { ownership: true, zeroing: true };
const GPA = 0x8000_0000;

let memory: ByteMemory;
let owners: FrameOwners;
let pool: MonitorFramePool;
let shadow: ShadowGStage;
const vmmHgatp = (0x8000_0000 | (VMM_ROOT >>> 12)) >>> 0;

function vmmMap(gpa: number, pa: number, perms = 0b1_1111 /* V R W X U */): void {
  memory.write32(VMM_ROOT + (Math.floor(gpa / 0x40_0000) & 0xfff) * 4, ((VMM_L0 >>> 12) << 10) | 1);
  memory.write32(VMM_L0 + ((gpa >>> 12) & 0x3ff) * 4, ((pa >>> 12) << 10) | perms);
}

/** Sv32x4 walk of a table as the hart does it (priv 1.12, 9.5.1); returns the PA or null. */
function hartWalk(hgatp: number, gpa: number): number | null {
  const root = (hgatp & 0x3f_ffff) * 4096;
  const top = memory.read32(root + (Math.floor(gpa / 0x40_0000) & 0xfff) * 4);
  if ((top & 1) === 0 || (top & 0b1010) !== 0) return null;
  const leaf = memory.read32((top >>> 10) * 4096 + ((gpa >>> 12) & 0x3ff) * 4);
  if ((leaf & 1) === 0 || (leaf & 0b1_0000) === 0 || (leaf & 0b0100_0000) === 0) return null;
  return (leaf >>> 10) * 4096 + (gpa & 0xfff);
}

beforeEach(() => {
  memory = new ByteMemory(BASE, SIZE);
  owners = new FrameOwners(memory);
  const monitorFirst = (BASE + SIZE - (1 << 20)) >>> 12;
  for (let f = monitorFirst; f < (BASE + SIZE) >>> 12; f++) owners.transfer(f, VMM, MONITOR, true);
  pool = new MonitorFramePool(memory, owners, monitorFirst, 256);
  shadow = new ShadowGStage(memory, owners, pool, 1, 1);
});

describe('ShadowGStage', () => {
  it('maps a VMM frame into the VM, which then owns it, and the hart walks to it', () => {
    vmmMap(GPA, 0x8010_0000);
    const result = shadow.sync(vmmHgatp, GPA + 0x123, false, STRICT);
    expect(result).toEqual({ kind: 'mapped', gpa: GPA, frame: 0x80100, firstUse: true });
    expect(owners.ownerOf(0x80100)).toEqual(vmOwner(1));
    expect(hartWalk(shadow.hgatp, GPA + 0x123)).toBe(0x8010_0123);
    expect(shadow.hgatp >>> 31).toBe(1);
    expect((shadow.hgatp >>> 22) & 0x7f).toBe(1);
  });

  it('keeps the loaded image before the VM starts and zeroes frames joining a running VM', () => {
    memory.write32(0x8010_0000, 0xdeadbeef);
    memory.write32(0x8010_1000, 0xfeedface);
    vmmMap(GPA, 0x8010_0000);
    vmmMap(GPA + 0x1000, 0x8010_1000);
    shadow.sync(vmmHgatp, GPA, false, STRICT);
    shadow.sync(vmmHgatp, GPA + 0x1000, true, STRICT);
    expect(memory.read32(0x8010_0000)).toBe(0xdeadbeef);
    expect(memory.read32(0x8010_1000)).toBe(0);
  });

  it('refuses frames of another VM and of the monitor, changing nothing', () => {
    owners.transfer(0x80200, VMM, vmOwner(2), false);
    memory.write32(0x8020_0000, 0x5ec2e7);
    vmmMap(GPA, 0x8020_0000);
    expect(shadow.sync(vmmHgatp, GPA, true, STRICT)).toMatchObject({ kind: 'refused', reason: 'frame-of-other-vm' });
    expect(owners.ownerOf(0x80200)).toEqual(vmOwner(2));
    expect(memory.read32(0x8020_0000)).toBe(0x5ec2e7);
    expect(hartWalk(shadow.hgatp, GPA)).toBeNull();

    vmmMap(GPA, BASE + SIZE - 0x1000);
    expect(shadow.sync(vmmHgatp, GPA, true, STRICT)).toMatchObject({ kind: 'refused', reason: 'frame-of-monitor' });
    expect(shadow.mappedPages.size).toBe(0);
  });

  it('refuses a VMM table that lives in a VM frame', () => {
    vmmMap(GPA, 0x8010_0000);
    owners.transfer(VMM_L0 >>> 12, VMM, vmOwner(2), false);
    expect(shadow.sync(vmmHgatp, GPA, true, STRICT)).toMatchObject({ kind: 'refused', reason: 'table-not-vmm' });
    expect(owners.ownerOf(0x80100)).toEqual(VMM);
  });

  it('never remaps or drops a populated GPA, but lets the VMM reduce permissions', () => {
    vmmMap(GPA, 0x8010_0000);
    shadow.sync(vmmHgatp, GPA, true, STRICT);
    vmmMap(GPA, 0x8030_0000); // planted page
    expect(shadow.resync(vmmHgatp, true, STRICT)).toMatchObject([{ kind: 'refused', reason: 'remap' }]);
    expect(hartWalk(shadow.hgatp, GPA)).toBe(0x8010_0000);
    expect(owners.ownerOf(0x80300)).toEqual(VMM);

    memory.write32(VMM_L0, 0); // unmap
    expect(shadow.resync(vmmHgatp, true, STRICT)).toMatchObject([{ kind: 'refused', reason: 'unmap' }]);
    expect(hartWalk(shadow.hgatp, GPA)).toBe(0x8010_0000);

    vmmMap(GPA, 0x8010_0000, 0b1_0011); // V R U: read-only now
    expect(shadow.resync(vmmHgatp, true, STRICT)).toEqual([]);
    const rootEntry = memory.read32(shadow.rootFrame * 4096 + (GPA >>> 22) * 4);
    const leaf = memory.read32((rootEntry >>> 10) * 4096);
    expect(leaf & 0b1110).toBe(0b0010);
  });

  it('splits a VMM superpage into the 4 KiB frame that was touched', () => {
    memory.write32(VMM_ROOT + (GPA >>> 22) * 4, ((0x8040_0000 >>> 12) << 10) | 0b1_1111);
    expect(shadow.sync(vmmHgatp, GPA + 0x5678, true, STRICT)).toMatchObject({ kind: 'mapped', frame: 0x80405 });
    expect(hartWalk(shadow.hgatp, GPA + 0x5678)).toBe(0x8040_5678);
    expect(owners.ownerOf(0x80404)).toEqual(VMM);
  });

  it('reports an unmapped GPA so the fault goes to the VMM', () => {
    expect(shadow.sync(vmmHgatp, GPA, true, STRICT)).toEqual({ kind: 'not-mapped' });
  });

  it('with the ownership defense off, maps another VM\'s frame (what the defense buys)', () => {
    owners.transfer(0x80200, VMM, vmOwner(2), false);
    vmmMap(GPA, 0x8020_0000);
    expect(shadow.sync(vmmHgatp, GPA, true, { ownership: false, zeroing: true })).toMatchObject({ kind: 'mapped' });
    expect(hartWalk(shadow.hgatp, GPA)).toBe(0x8020_0000);
  });

  it('gives every frame back to the VMM zeroed on teardown and frees its tables', () => {
    const before = pool.available;
    vmmMap(GPA, 0x8010_0000);
    shadow.sync(vmmHgatp, GPA, false, STRICT);
    memory.write32(0x8010_0000, 0x5ec2e7);
    expect(shadow.teardown(true)).toEqual([0x80100]);
    expect(owners.ownerOf(0x80100)).toEqual(VMM);
    expect(memory.read32(0x8010_0000)).toBe(0);
    expect(pool.available).toBe(before + 4);
  });
});
