// The binding's wire format: every exit kind crosses as a record and comes out inside the engine
// as the same object; word validation at the boundary.
import { afterEach, describe, expect, it } from 'vitest';
import { exitRecord, u32 } from '../../core/sandbox/host-binding';
import type { Exit } from '../../core/sandbox/hyp';
import { testEngine, type TestEngine } from './engine-helpers';

const EXITS: Exit[] = [
  { kind: 'sbi', ext: 0x54494d45, fid: 0, args: [1, 2, 3, 4, 5, 6, 0, 0x54494d45] },
  { kind: 'mmio-load', gpa: 0x1000_0000, width: 4, signed: true, rd: 10 },
  { kind: 'mmio-load', gpa: 0x1000_0005, width: 1, signed: false, rd: 31 },
  { kind: 'mmio-store', gpa: 0x1000_0000, width: 2, value: 0xffff },
  { kind: 'guest-page-fault', gpa: 0x3_ffff_f000, access: 'fetch' },
  { kind: 'guest-page-fault', gpa: 0x8000_0000, access: 'store' },
  { kind: 'virtual-instruction', insn: 0x10500073 },
  { kind: 'wfi' },
  { kind: 'interrupt', cause: 0x8000_0005 },
  { kind: 'quantum' },
  { kind: 'other', scause: 2, stval: 0xdeadbeef, htval: 0x1234, htinst: 0x3020 },
];

describe('host binding', () => {
  let t: TestEngine;
  afterEach(() => t.engine.dispose());

  it('delivers every exit kind intact', async () => {
    t = await testEngine({}, 'export function run(id) { return hyp.vcpu.run(id); }');
    const queue = [...EXITS];
    t.hyp.vcpu.run = (): Exit => {
      const next = queue.shift();
      if (next === undefined) throw new Error('no more exits');
      return next;
    };
    for (const exit of EXITS) expect(t.engine.call('run', 1)).toEqual(exit);
  });

  it('validates words and records', () => {
    expect(u32(-1, 'v')).toBe(0xffffffff);
    expect(u32(0xffffffff, 'v')).toBe(0xffffffff);
    expect(() => u32(2 ** 32, 'v')).toThrow(/v must be a 32-bit integer/);
    expect(() => u32(1.5, 'v')).toThrow(/32-bit integer/);
    expect(() => exitRecord({ kind: 'bogus' } as unknown as Exit)).toThrow(/unknown exit/);
  });
});
