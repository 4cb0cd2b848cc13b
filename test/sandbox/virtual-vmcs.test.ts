// The virtual VMCS option: after a run, the VMM reads and writes the vCPU's registers inside the
// engine (no host call per access); its changes reach the backend, in one batch, with the next run.
import { afterEach, describe, expect, it } from 'vitest';
import type { GuestRegs } from '../../core/sandbox/hyp';
import { testEngine, type TestEngine } from './engine-helpers';

const BUNDLE = `
export function setup() { const id = hyp.vcpu.create(); hyp.vcpu.setRegs(id, { a0: 5, a7: 0x10 }); return id; }
export function exitAndAnswer(id) {
  const exit = hyp.vcpu.run(id);
  const before = hyp.vcpu.regs(id).x10;
  hyp.vcpu.setRegs(id, { a0: before + 1 });
  hyp.vcpu.setReg(id, 'a1', 7);
  const r = hyp.vcpu.regs(id);
  return [exit.args[0], r.x10, r.x11];
}
export function bad(id) { hyp.vcpu.setRegs(id, { nosuch: 1 }); }
`;

describe('virtual VMCS', () => {
  let t: TestEngine;
  afterEach(() => t.engine.dispose());

  function count(t: TestEngine): { regs: number; setRegs: Partial<GuestRegs>[] } {
    const seen = { regs: 0, setRegs: [] as Partial<GuestRegs>[] };
    const { regs, setRegs } = t.hyp.vcpu;
    t.hyp.vcpu.regs = (id) => { seen.regs++; return regs(id); };
    t.hyp.vcpu.setRegs = (id, changes) => { seen.setRegs.push(changes); setRegs(id, changes); };
    return seen;
  }

  it('serves register reads and writes in the engine and delivers the writes with the next run', async () => {
    t = await testEngine({}, BUNDLE, { virtualVmcs: true });
    const id = t.engine.call('setup') as number;
    const seen = count(t);
    expect(t.engine.call('exitAndAnswer', id)).toEqual([5, 6, 7]);
    expect(seen.regs).toBe(1); // the run's own record, nothing per access
    expect(seen.setRegs).toEqual([]);
    expect(t.hyp.vcpu.regs(id).x10).toBe(5); // not yet delivered
    expect(t.engine.call('exitAndAnswer', id)).toEqual([6, 7, 7]);
    expect(seen.setRegs).toEqual([{ x10: 6, x11: 7 }]);
    expect(() => t.engine.call('bad', id)).toThrow(/unknown name 'nosuch'/);
  });

  it('without the option, every access is a host call, as before', async () => {
    t = await testEngine({}, BUNDLE);
    const id = t.engine.call('setup') as number;
    const seen = count(t);
    expect(t.engine.call('exitAndAnswer', id)).toEqual([5, 6, 7]);
    expect(seen.regs).toBe(2);
    expect(seen.setRegs).toEqual([{ x10: 6 }, { x11: 7 }]);
  });
});
