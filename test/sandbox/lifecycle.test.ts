// Disposal: one leaked handle aborts the whole WebAssembly module when its runtime is freed, so
// engines are created and disposed many times, after every kind of failure, and must all free cleanly.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../core/sandbox/engine-errors';
import { readHypSource } from '../../core/sandbox/hyp-source';
import { PatchCompiler } from '../../core/sandbox/patch-compiler';
import { testEngine } from './engine-helpers';

const BUNDLE = `
export const patchApi = {
  hooks: { on(name, fn) { globalThis.hook = fn; return () => { globalThis.hook = undefined; }; } },
  wrap() { return () => undefined; },
  exfiltrate(label, bytes) { lab.exfiltrate(label, bytes); },
};
export function fire() { if (globalThis.hook) globalThis.hook(0, 0, { kind: 'wfi' }); return 1; }
export function spin() { for (;;) {} }
export function hog() { const a = []; for (;;) a.push({ a: a.length }); }
function deep() { return deep() + 1; }
export function recurse() { return deep(); }
export function boom() { throw new Error('boom'); }
export function throwsValue() { throw 42; }
export async function later() { await null; throw new Error('async boom'); }
export function words(pa) { return hyp.mem.read(pa, 64).length + hyp.vcpu.regs(hyp.vcpu.create()).pc; }
`;

const compiler = new PatchCompiler({ hypSource: readHypSource() });
const patch = compiler.compile('p.ts', `export default definePatch({
  name: 'p',
  install(vmm) { vmm.hooks.on('exit', () => { throw new Error('hook'); }); },
});
`);

describe('engine lifecycle', () => {
  it('creates and disposes engines many times, after every kind of failure', async () => {
    if (!patch.ok) throw new Error('patch did not compile');
    const kinds: string[] = [];
    for (let round = 0; round < 5; round++) {
      const t = await testEngine({ interruptBudget: 100, memoryBytes: 4 * 1024 * 1024, stackBytes: 64 * 1024 }, BUNDLE);
      for (const name of ['spin', 'hog', 'recurse', 'boom', 'throwsValue', 'later']) {
        try {
          t.engine.call(name);
          kinds.push(`${name}:returned`);
        } catch (e) {
          kinds.push(`${name}:${e instanceof EngineError ? e.kind : 'host'}`);
        }
      }
      expect(t.engine.callNumbers('words', 0x8000_0000)).toBe(64);
      const info = t.engine.loadPatch(patch.patch);
      t.engine.installPatch(info.id);
      t.engine.callNumbers('fire');
      expect(t.faults).toHaveLength(1);
      t.engine.dispose();
      t.engine.dispose();
      expect(t.engine.alive).toBe(false);
      expect(() => t.engine.callNumbers('fire')).toThrow(/disposed/);
    }
    expect(new Set(kinds)).toEqual(new Set([
      'spin:unresponsive', 'hog:out-of-memory', 'recurse:stack-overflow', 'boom:exception', 'throwsValue:exception', 'later:returned',
    ]));
  });

  it('disposes an engine whose bundle failed to load', async () => {
    for (let i = 0; i < 5; i++) {
      const t = await testEngine();
      expect(() => t.engine.loadBundle({ code: 'export const x = ;', fileName: 'broken.js' })).toThrow(/SyntaxError/);
      expect(() => t.engine.loadBundle({ code: 'throw new Error("init failed")', fileName: 'init.js' })).toThrow(/init failed at init\.js:1/);
      t.engine.dispose();
    }
  });
});

describe('host-level failures under the engine', () => {
  it('refuses a stack limit the host stack cannot honour', async () => {
    await expect(testEngine({ stackBytes: 1024 * 1024 })).rejects.toThrow(/host's own stack overflow first/);
  });

  it('abandons an engine that a host stack overflow cut through, without aborting the host', async () => {
    const t = await testEngine({ stackBytes: 384 * 1024 }, 'function deep(n) { return deep(n + 1) + 1; } export function r() { return deep(0); }');
    const outcomes = new Set<string>();
    let deepest = 0;
    // Enter the engine on the way back up from a full host stack, one frame at a time, until the
    // engine's own recursion overflows the host's stack inside WebAssembly.
    const dive = (depth: number): void => {
      deepest = Math.max(deepest, depth);
      try {
        dive(depth + 1);
      } catch {
        // the host stack is full below here
      }
      if (depth < deepest - 4000 || !t.engine.alive) return;
      try {
        t.engine.callNumbers('r');
      } catch (e) {
        outcomes.add(e instanceof EngineError ? `${e.kind}${e.kind === 'exception' ? `: ${e.message}` : ''}` : e instanceof RangeError ? 'host RangeError' : String(e));
      }
    };
    dive(0);
    // With the stack full, even the EngineError may not be constructible: the report can be the
    // host's RangeError, but the engine is abandoned either way and says so on the next call.
    expect([...outcomes].filter((o) => !['aborted', 'host RangeError', 'stack-overflow'].includes(o))).toEqual([]);
    expect(t.engine.alive).toBe(false);
    expect(() => t.engine.callNumbers('r')).toThrow(/aborted; create a new engine/);
    t.engine.dispose();
    const fresh = await testEngine({}, 'export function one() { return 1; }');
    expect(fresh.engine.callNumbers('one')).toBe(1);
    fresh.engine.dispose();
  });
});
