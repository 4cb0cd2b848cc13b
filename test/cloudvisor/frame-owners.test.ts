import { describe, expect, it } from 'vitest';
import { FrameOwners, MONITOR, VMM, vmOwner } from '../../core/cloudvisor/frame-owners';
import { ByteMemory } from './support/byte-memory';

describe('FrameOwners', () => {
  const setup = () => {
    const memory = new ByteMemory(0x8000_0000, 64 * 4096);
    return { memory, owners: new FrameOwners(memory) };
  };

  it('starts with every frame owned by the VMM and only RAM frames in the table', () => {
    const { owners } = setup();
    expect(owners.frameCount).toBe(64);
    expect(owners.ownerOf(0x80000)).toEqual(VMM);
    expect(owners.ownerOf(0x7ffff)).toBeNull();
    expect(owners.ownerOf(0x80040)).toBeNull();
  });

  it('moves a frame only from the expected owner, zeroing it when asked', () => {
    const { memory, owners } = setup();
    memory.write32(0x8000_1000, 0x1234);
    expect(owners.transfer(0x80001, vmOwner(3), VMM, true)).toBe('wrong-owner');
    expect(memory.read32(0x8000_1000)).toBe(0x1234);
    expect(owners.transfer(0x80001, VMM, vmOwner(3), false)).toBe('ok');
    expect(memory.read32(0x8000_1000)).toBe(0x1234);
    expect(owners.transfer(0x80001, vmOwner(3), VMM, true)).toBe('ok');
    expect(memory.read32(0x8000_1000)).toBe(0);
    expect(owners.transfer(0x90000, VMM, MONITOR, true)).toBe('not-ram');
  });

  it('counts frames per owner', () => {
    const { owners } = setup();
    owners.transfer(0x80000, VMM, MONITOR, true);
    owners.transfer(0x80001, VMM, vmOwner(1), true);
    owners.transfer(0x80002, VMM, vmOwner(1), true);
    expect(Object.fromEntries(owners.census())).toEqual({ vmm: 61, monitor: 1, vm1: 2 });
    expect(owners.framesOf(vmOwner(1))).toEqual([0x80001, 0x80002]);
  });

  it('rejects VM ids outside the table encoding', () => {
    const { owners } = setup();
    expect(() => owners.transfer(0x80000, VMM, vmOwner(0), true)).toThrow(RangeError);
    expect(() => owners.transfer(0x80000, VMM, vmOwner(0x10000), true)).toThrow(RangeError);
  });
});
