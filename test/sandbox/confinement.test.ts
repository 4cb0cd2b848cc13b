// Code inside the engine must not reach any host object: no globals of the host, no constructor
// chains out, no shared memory, no timers, no module system.
import { afterEach, describe, expect, it } from 'vitest';
import { RAM_BASE } from './in-memory-hyp';
import { testEngine, type TestEngine } from './engine-helpers';

const run = (t: TestEngine, code: string): unknown => t.engine.evalScript({ code, fileName: 'probe.js' });

describe('confinement', () => {
  let t: TestEngine;
  afterEach(() => t.engine.dispose());

  it('exposes no host globals, timers, module system or WebAssembly', async () => {
    t = await testEngine();
    const probe = run(t, `(() => {
      const names = ['process', 'require', 'module', 'exports', 'global', 'Buffer', 'setTimeout', 'setInterval',
        'setImmediate', 'queueMicrotask', 'fetch', 'WebAssembly', 'Date', 'dispatch', 'std', 'os', 'console'];
      const out = {};
      for (const n of names) out[n] = typeof globalThis[n];
      return out;
    })()`) as Record<string, string>;
    for (const [name, type] of Object.entries(probe)) expect([name, type]).toEqual([name, 'undefined']);
    const own = run(t, 'Object.getOwnPropertyNames(globalThis).filter((n) => n[0] === n[0].toLowerCase()).sort()') as string[];
    expect(own).not.toContain('dispatch');
    expect(own).toEqual(expect.arrayContaining(['hyp', 'lab', 'definePatch']));
  });

  it('keeps constructor chains inside the engine', async () => {
    t = await testEngine();
    const probe = run(t, `(() => {
      const out = [];
      const attempt = (f) => { try { const v = f(); out.push(typeof v === 'object' && v !== null ? 'object' : typeof v); }
        catch (e) { out.push(e.name); } };
      // The node:vm escape: at top level \`this\` is the global object.
      attempt(() => globalThis.constructor.constructor('return process')());
      attempt(() => Function('return process')());
      attempt(() => hyp.mem.read.constructor('return require')());
      attempt(() => Object.getPrototypeOf(hyp).constructor.constructor('return module')());
      attempt(() => (0, eval)('typeof process === "undefined" ? undefined : process'));
      attempt(() => hyp.vcpu.run.call.constructor('return globalThis.process')());
      return out;
    })()`);
    expect(probe).toEqual(['ReferenceError', 'ReferenceError', 'ReferenceError', 'ReferenceError', 'undefined', 'undefined']);
    expect(run(t, 'Function("return this")() === globalThis')).toBe(true);
    // Verbatim, at script top level where `this` is the engine's global object.
    expect(run(t, 'try { this.constructor.constructor("return process")() } catch (e) { e.name + ": " + e.message }'))
      .toBe("ReferenceError: 'process' is not defined");
  });

  it('freezes the interface objects and keeps the dispatch function unreachable', async () => {
    t = await testEngine();
    const probe = run(t, `(() => {
      const out = [];
      try { hyp.mem.read = () => new Uint8Array(4); out.push('replaced'); } catch (e) { out.push(e.name); }
      try { globalThis.hyp = {}; out.push('replaced'); } catch (e) { out.push(e.name); }
      try { delete globalThis.lab; out.push(typeof lab); } catch (e) { out.push(e.name); }
      out.push(Object.isFrozen(hyp) && Object.isFrozen(hyp.vcpu) && Object.isFrozen(hyp.tpm));
      out.push(Object.getOwnPropertyNames(globalThis).join().includes('dispatch'));
      // No walking up the call chain to the prelude's closures.
      try { out.push(typeof hyp.mem.read.caller); } catch (e) { out.push(e.name); }
      try { out.push(typeof hyp.vcpu.run.arguments); } catch (e) { out.push(e.name); }
      return out;
    })()`);
    expect(probe).toEqual(['TypeError', 'TypeError', 'TypeError', true, false, 'TypeError', 'TypeError']);
  });

  it('does not let prototype pollution inside the engine reach the host', async () => {
    t = await testEngine({}, `
      export function pollute() {
        Object.prototype.polluted = 'yes';
        Array.prototype.includes = () => true;
        const regs = hyp.vcpu.regs(hyp.vcpu.create());
        Object.getPrototypeOf(regs).viaRegs = 'yes';
        Object.getPrototypeOf(hyp.mem.read(${RAM_BASE}, 4)).constructor.prototype.viaBytes = 'yes';
        return JSON.parse('{"__proto__": {"admin": true}, "regs": 1}');
      }`);
    const result = t.engine.call('pollute') as Record<string, unknown>;
    const clean: Record<string, unknown> = {};
    expect(clean['polluted']).toBeUndefined();
    expect(clean['viaRegs']).toBeUndefined();
    expect(clean['admin']).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(([] as number[]).includes(1)).toBe(false);
    expect((new Uint8Array(1) as unknown as Record<string, unknown>)['viaBytes']).toBeUndefined();
    expect(t.hyp.vcpus.get(1)?.regs).not.toHaveProperty('viaRegs');
  });

  it('has no module loader: static and dynamic imports fail inside the engine', async () => {
    t = await testEngine();
    expect(() => t.engine.loadBundle({ code: 'import fs from "fs"; export const x = fs;', fileName: 'imp.js' }))
      .toThrow(/fs|module/i);
    t.engine.dispose();
    t = await testEngine({}, `
      export let outcome = 'pending';
      export function tryImport() { import('node:fs').then(() => { outcome = 'loaded'; }, (e) => { outcome = e.name + ': ' + e.message; }); }
      export function result() { return outcome; }`);
    t.engine.call('tryImport');
    expect(t.engine.call('result')).toMatch(/Error/);
    expect(t.engine.call('result')).not.toBe('loaded');
  });

  it('passes values by copy in both directions', async () => {
    t = await testEngine({}, `
      let kept;
      export function readAndScribble(pa) { kept = hyp.mem.read(pa, 4); const copy = Array.from(kept); kept.fill(0xee); return copy; }
      export function kept_() { return Array.from(kept); }
      export function writeThenScribble(pa) { const b = new Uint8Array([1, 2, 3, 4]); hyp.mem.write(pa, b); b.fill(9); }
    `);
    t.hyp.ram.set([10, 20, 30, 40], 0x100);
    expect(t.engine.call('readAndScribble', RAM_BASE + 0x100)).toEqual([10, 20, 30, 40]);
    expect(Array.from(t.hyp.ram.subarray(0x100, 0x104))).toEqual([10, 20, 30, 40]);
    t.hyp.ram.set([7, 7, 7, 7], 0x100);
    expect(t.engine.call('kept_')).toEqual([0xee, 0xee, 0xee, 0xee]);
    t.engine.call('writeThenScribble', RAM_BASE + 0x200);
    expect(Array.from(t.hyp.ram.subarray(0x200, 0x204))).toEqual([1, 2, 3, 4]);
  });

  it('is deterministic: seeded Math.random, no wall clock', async () => {
    t = await testEngine();
    const a = run(t, '[Math.random(), Math.random()]');
    const other = await testEngine();
    expect(run(other, '[Math.random(), Math.random()]')).toEqual(a);
    other.engine.dispose();
    expect(run(t, 'typeof Date')).toBe('undefined');
  });

  it('refuses a host callback that calls back into the engine', async () => {
    t = await testEngine({}, 'export function tick() { try { hyp.timer.now(); return "ok"; } catch (e) { return e.message; } }');
    const engine = t.engine;
    t.hyp.timer.now = (): number => engine.callNumbers('tick');
    expect(engine.call('tick')).toMatch(/failed in the host: a host callback tried to call back into the engine/);
  });
});
