import { describe, expect, it } from 'vitest';
import { HookRegistry } from '../../core/vmm/hook-registry';
import { FUNCTION_PATHS, HOOK_NAMES } from '../../core/vmm/patch-paths';
import { patchApi, vmmInit } from '../../core/vmm/entry';
import type { BlkRequest } from '../../core/vmm/devices/virtio-blk';
import { SBI_EXT } from '../../core/spec/sbi';
import { create, labVmm } from './support/lab-vmm';

function registry(): { r: HookRegistry; faults: string[] } {
  const faults: string[] = [];
  return { r: new HookRegistry((owner, where, e) => faults.push(`${owner}|${where}|${(e as Error).message}`)), faults };
}

describe('hook and wrap registry', () => {
  it('wraps a function; the last wrapper is outermost; unwrapping restores the chain', () => {
    const { r } = registry();
    const add = r.define('math.add', (a: number, b: number) => a + b);
    const un1 = r.wrap('math.add', 'p1', (orig, a, b) => (orig(a, b) as number) * 10);
    const un2 = r.wrap('math.add', 'p2', (orig, a, b) => (orig(a, b) as number) + 1);
    expect(add(1, 2)).toBe(31);
    un1();
    expect(add(1, 2)).toBe(4);
    un2();
    expect(add(1, 2)).toBe(3);
    expect(r.call('math.add', [2, 2])).toBe(4);
    expect(() => r.define('math.add', () => 0)).toThrow(/defined twice/);
    expect(() => r.wrap('math.sub', 'p', (o) => o())).toThrow(/no VMM function 'math.sub'/);
  });

  it('a throwing wrapper is reported and the call completes with the original behaviour, once', () => {
    const { r, faults } = registry();
    let calls = 0;
    const f = r.define('f', (x: number) => {
      calls++;
      return x + 1;
    });
    r.wrap('f', 'before', () => {
      throw new Error('boom');
    });
    expect(f(1)).toBe(2);
    expect(calls).toBe(1);
    const { r: r2, faults: faults2 } = registry();
    let calls2 = 0;
    const g = r2.define('g', (x: number) => {
      calls2++;
      return x * 2;
    });
    r2.wrap('g', 'after', (orig, x) => {
      orig(x);
      throw new Error('late');
    });
    expect(g(4)).toBe(8);
    expect(calls2).toBe(1);
    expect(faults).toEqual(["before|wrapper of 'f'|boom"]);
    expect(faults2).toEqual(["after|wrapper of 'g'|late"]);
  });

  it('hooks: listeners in order, off on unsubscribe, a throwing listener reported without stopping others', () => {
    const { r, faults } = registry();
    const seen: string[] = [];
    const off = r.on('ev', 'a', (x) => void seen.push(`a${String(x)}`));
    r.on('ev', 'b', () => {
      throw new Error('bad listener');
    });
    r.on('ev', 'c', (x) => void seen.push(`c${String(x)}`));
    r.emit('ev', 1);
    off();
    r.emit('ev', 2);
    expect(seen).toEqual(['a1', 'c1', 'c2']);
    expect(faults).toHaveLength(2);
    expect(r.hasListeners('none')).toBe(false);
  });

  it('every declared path is defined in the running VMM and nothing else is', () => {
    const { vmm } = labVmm();
    expect(vmm.registry.paths()).toEqual([...FUNCTION_PATHS].sort());
    expect(new Set(HOOK_NAMES).size).toBe(HOOK_NAMES.length);
  });
});

describe('patches through the VMM\'s patch API', () => {
  it('a wrapper of virtio.blk.complete sees read data; exfiltrate reaches the lab; hooks see exits and SBI calls', () => {
    const { vmm, hyp, lab } = labVmm();
    const dom = create(vmm, 'name=p memory=4');
    const sbiSeen: number[] = [];
    const offSbi = vmm.registry.on('sbi', 'test', (_d, _v, ext) => void sbiSeen.push(ext as number));
    const offWrap = vmm.registry.wrap('virtio.blk.complete', 'test', (orig, req) => {
      const r = req as BlkRequest;
      if (r.data !== null) vmm.lab.exfiltrate('disk', r.data.slice(0, 4));
      return orig(req);
    });
    vmm.fns.sbiCall(dom, 0, SBI_EXT.BASE, 0, []);
    hyp.script(vmm.domains.get(dom)?.vcpus[0]?.id ?? 0, () => ({ kind: 'sbi', ext: SBI_EXT.TIME, fid: 0, args: [1, 0, 0, 0, 0, 0, 0, 0] }));
    hyp.time = 0;
    let n = 0;
    hyp.script(vmm.domains.get(dom)?.vcpus[0]?.id ?? 0, () => (n++ === 0 ? { kind: 'sbi', ext: SBI_EXT.TIME, fid: 0, args: [1, 0, 0, 0, 0, 0, 0, 0] } : { kind: 'quantum' }));
    vmm.hart(0);
    expect(sbiSeen).toEqual([SBI_EXT.TIME]);
    const req: BlkRequest = { domain: dom, type: 0, sector: 0, sectors: 1, data: new Uint8Array([9, 8, 7, 6, 5]), status: 0 };
    vmm.fns.blkComplete(req);
    expect(lab.exfiltrated).toEqual([{ label: 'disk', bytes: new Uint8Array([9, 8, 7, 6]) }]);
    offSbi();
    offWrap();
    vmm.fns.blkComplete(req);
    expect(lab.exfiltrated).toHaveLength(1);
  });

  it('the exported patchApi needs vmmInit and the engine globals first', () => {
    expect(() => patchApi.domains()).toThrow(/not initialised/);
    expect(() => vmmInit({ harts: 1, ramBase: 0x8000_0000, ramSize: 1 << 24 })).toThrow(/no hyp\/lab globals/);
  });

  it('a throwing patch wrapper in a hot path leaves the guest running with the VMM\'s own answer', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=p memory=4');
    vmm.registry.wrap('sbi.call', 'evil', () => {
      throw new Error('patch bug');
    });
    const v = vmm.domains.get(dom)?.vcpus[0];
    let n = 0;
    hyp.script(v?.id ?? 0, () => (n++ === 0 ? { kind: 'sbi', ext: SBI_EXT.BASE, fid: 0, args: [0, 0, 0, 0, 0, 0, 0, 0] } : { kind: 'quantum' }));
    vmm.hart(0);
    expect(hyp.vcpu.regs(v?.id ?? 0).x11).toBe(0x0200_0000);
    expect(vmm.drain().events.some((e) => e.kind === 'patch-fault' && /patch bug/.test(e.detail))).toBe(true);
  });
});
