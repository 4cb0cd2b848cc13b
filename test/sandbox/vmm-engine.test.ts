// The engine's public surface: bundles, calls in both forms, every hypervisor operation through the
// binding to a real in-memory backend, error reports mapped to TypeScript, and misuse.
import { transform } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../core/sandbox/engine-errors';
import { RAM_BASE } from './in-memory-hyp';
import { testEngine, type TestEngine } from './engine-helpers';

const BUNDLE = `
export function add(a, b) { return a + b; }
export function echo(value) { return { got: value, kind: typeof value }; }
export function nothing() {}
export function boom() { throw new TypeError('boom from the VMM'); }
export function readWord(pa) { return hyp.mem.read32(pa); }
export function hostSide() {
  const id = hyp.vcpu.create();
  hyp.vcpu.setRegs(id, { a0: 1, a1: 2, x17: 0x10, a6: 3, vsatp: 0x80001234, pc: 0x80000000 });
  const exit = hyp.vcpu.run(id);
  hyp.vcpu.setReg(id, exit.args[0] === 1 ? 11 : 12, 0xffffffff);
  hyp.vcpu.setControls(id, { hvip: 1 << 6, htimedelta: 2 ** 40 });
  const regs = hyp.vcpu.regs(id);
  hyp.fence.gvma();
  hyp.fence.vvma(3, 0x1000);
  hyp.timer.set(500);
  hyp.ipi(2);
  return { id, exit, pc: regs.pc, a0: regs.x10, a1: regs.x11, vsatp: regs.vsatp, controls: hyp.vcpu.controls(id),
    now: hyp.timer.now(), harts: hyp.harts, hartId: hyp.hartId };
}
export function devices() {
  const page = ${RAM_BASE + 0x2000};
  hyp.mem.write(page, new Uint8Array(512).fill(0x5a));
  const w = hyp.disk.submit({ op: 'write', sector: 3, count: 1, pa: page });
  const r = hyp.disk.submit({ op: 'read', sector: 3, count: 1, pa: page + 512 });
  const bad = hyp.disk.submit({ op: 'read', sector: 1000, count: 1, pa: page });
  const done = hyp.disk.poll();
  hyp.console.write(new Uint8Array([104, 105]));
  const input = Array.from(hyp.console.read(10));
  hyp.tpm.pcrExtend(10, new Uint8Array(32).fill(1));
  const quote = hyp.tpm.quote(1 << 10, new Uint8Array([9, 9, 9]));
  return { w, r, bad, done, copied: hyp.mem.read(page + 512, 512).every((b) => b === 0x5a),
    sectors: hyp.disk.sectors(), input, pcr: Array.from(hyp.tpm.pcrRead(10)).slice(0, 4),
    quote: { mask: quote.pcrMask, nonce: Array.from(quote.nonce), digest: quote.pcrDigest.length, sig: quote.signature.length },
    random: Array.from(hyp.tpm.random(3)), counter: [hyp.tpm.counterIncrement(1), hyp.tpm.counterRead(1)] };
}
export function fault(pa) {
  try { hyp.mem.read(pa, 4); return 'no fault'; }
  catch (e) { return { name: e.name, pa: e.pa, access: e.access, message: e.message }; }
}
export function badArgs() {
  const out = [];
  for (const f of [() => hyp.mem.read('x', 4), () => hyp.mem.read(-1, 4), () => hyp.mem.write(${RAM_BASE}, [1, 2]),
    () => hyp.vcpu.setRegs(1, { bogus: 1 }), () => hyp.mem.write32(${RAM_BASE}, 2 ** 40), () => hyp.vcpu.regs(999)]) {
    try { f(); out.push('accepted'); } catch (e) { out.push(e.name + ': ' + e.message); }
  }
  return out;
}
export function exfil() { lab.exfiltrate('secret', new Uint8Array([1, 2, 3])); lab.log('hello'); }
`;

describe('VmmEngine', () => {
  let t: TestEngine;
  afterEach(() => t.engine.dispose());

  it('loads a bundle and calls its exports with JSON-like and numeric arguments', async () => {
    t = await testEngine({}, BUNDLE);
    expect(t.engine.callNumbers('add', 2, 40)).toBe(42);
    expect(t.engine.call('echo', { a: [1, 'two', null] })).toEqual({ got: { a: [1, 'two', null] }, kind: 'object' });
    expect(t.engine.call('nothing')).toBeUndefined();
    expect(Number.isNaN(t.engine.callNumbers('echo', 1))).toBe(true);
  });

  it('reaches the backend through every vCPU, fence, timer and IPI operation', async () => {
    t = await testEngine({}, BUNDLE);
    t.hyp.hartId = 1;
    const out = t.engine.call('hostSide') as Record<string, unknown>;
    expect(out).toMatchObject({
      id: 1, pc: 0x80000004, a0: 1, a1: 0xffffffff, vsatp: 0x80001234, now: 100, harts: 2, hartId: 1,
      exit: { kind: 'sbi', ext: 0x10, fid: 3, args: [1, 2, 0, 0, 0, 0, 3, 0x10] },
      controls: { hvip: 64, htimedelta: 2 ** 40, hgatp: 0 },
    });
    expect(t.hyp.fences).toEqual(['gvma undefined undefined', 'vvma 3 4096 undefined']);
    expect(t.hyp.deadline).toBe(500);
    expect(t.hyp.ipis).toEqual([2]);
  });

  it('moves bytes through disk DMA, console, TPM and the lab channel', async () => {
    t = await testEngine({}, BUNDLE);
    t.hyp.consoleIn.push(1, 2, 3);
    const out = t.engine.call('devices') as Record<string, unknown>;
    expect(out).toMatchObject({
      w: 1, r: 2, bad: 3, copied: true, sectors: 64, input: [1, 2, 3],
      done: [{ tag: 1, status: 'ok' }, { tag: 2, status: 'ok' }, { tag: 3, status: 'io-error' }],
      quote: { mask: 1024, nonce: [9, 9, 9], digest: 32, sig: 32 }, random: [13, 180, 91], counter: [1, 1],
    });
    expect(t.hyp.consoleOut).toEqual([104, 105]);
    expect(out['pcr']).toEqual(Array.from(t.hyp.pcrs[10]?.slice(0, 4) ?? []));
    t.engine.call('exfil');
    expect(t.lab.exfiltrated).toEqual([{ label: 'secret', bytes: new Uint8Array([1, 2, 3]) }]);
    expect(t.lab.logs).toEqual(['hello']);
  });

  it('turns refused accesses into HypFault and bad arguments into HypError inside the engine', async () => {
    t = await testEngine({}, BUNDLE);
    t.hyp.refused.add((RAM_BASE + 0x5000) / 4096);
    expect(t.engine.call('fault', RAM_BASE + 0x5000)).toMatchObject({ name: 'HypFault', pa: RAM_BASE + 0x5000, access: 'load' });
    const errors = t.engine.call('badArgs') as string[];
    expect(errors).toHaveLength(6);
    for (const e of errors) expect(e).toMatch(/^HypError: /);
    expect(errors[1]).toMatch(/physical address/);
    expect(errors[2]).toMatch(/must be a Uint8Array/);
    expect(errors[3]).toMatch(/unknown name 'bogus'/);
    expect(errors[5]).toMatch(/failed in the host: no vCPU 999/);
  });

  it('reports a VMM exception with its name, message and frame, and stays usable', async () => {
    t = await testEngine({}, BUNDLE);
    const error = (() => { try { t.engine.call('boom'); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('exception');
    expect((error as EngineError).message).toMatch(/^TypeError: boom from the VMM at vmm\.js:5:\d+/);
    expect(t.engine.callNumbers('add', 1, 1)).toBe(2);
  });

  it('maps bundle frames to the TypeScript source through its source map', async () => {
    const ts = `interface Request { sector: number }

function check(request: Request): number {
  if (request.sector > 10) {
    throw new RangeError(\`sector \${request.sector} out of range\`);
  }
  return request.sector;
}

export function handle(sector: number): number {
  return check({ sector });
}
`;
    const out = await transform(ts, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: 'core/vmm/blk.ts' });
    t = await testEngine();
    t.engine.loadBundle({ code: out.code, fileName: 'vmm.bundle.js', sourceMap: out.map });
    expect(t.engine.callNumbers('handle', 3)).toBe(3);
    const error = (() => { try { t.engine.callNumbers('handle', 12); } catch (e) { return e; } })() as EngineError;
    expect(error.message).toMatch(/^RangeError: sector 12 out of range at core\/vmm\/blk\.ts:5:\d+$/);
    expect(error.frames.slice(0, 2)).toMatchObject([
      { functionName: 'check', file: 'core/vmm/blk.ts', line: 5, generated: { file: 'vmm.bundle.js' } },
      { functionName: 'handle', file: 'core/vmm/blk.ts', line: 11 },
    ]);
    expect(error.stack).toMatch(/at check \(core\/vmm\/blk\.ts:5:\d+\)/);
  });

  it('settles a bundle with top-level await, and refuses one that can never settle', async () => {
    t = await testEngine({}, 'const ready = await Promise.resolve(41); export function answer() { return ready + 1; }');
    expect(t.engine.callNumbers('answer')).toBe(42);
    t.engine.dispose();
    t = await testEngine();
    expect(() => t.engine.loadBundle({ code: 'await new Promise(() => {}); export const x = 1;', fileName: 'stuck.js' }))
      .toThrow(/stuck\.js: its top-level await never settles/);
  });

  it('reports its heap use against the memory limit', async () => {
    t = await testEngine({ memoryBytes: 32 * 1024 * 1024 }, 'let keep = []; export function grow(n) { for (let i = 0; i < n; i++) keep.push({ i }); }');
    const before = t.engine.memoryUsage();
    t.engine.call('grow', 20000);
    const after = t.engine.memoryUsage();
    expect(before.limitBytes).toBe(32 * 1024 * 1024);
    expect(after.usedBytes - before.usedBytes).toBeGreaterThan(20000 * 16);
  });

  it('refuses misuse with clear errors', async () => {
    t = await testEngine({}, BUNDLE);
    expect(() => t.engine.call('missing')).toThrow(/exports no function 'missing'/);
    expect(() => t.engine.loadBundle({ code: '', fileName: 'again.js' })).toThrow(/already loaded/);
    expect(() => t.engine.callNumbers('add', 'x' as unknown as number)).toThrow(/numbers only/);
    await expect(testEngine({ interruptBudget: 0 })).rejects.toThrow(/positive integer/);
  });
});
