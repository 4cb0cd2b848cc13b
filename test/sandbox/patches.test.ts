// Patches end to end: compiled from TypeScript, evaluated in the VMM's engine against a small VMM
// bundle implementing the patch API; faults are reported at the patch's own lines and disable it.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../core/sandbox/engine-errors';
import { readHypSource } from '../../core/sandbox/hyp-source';
import { PatchCompiler } from '../../core/sandbox/patch-compiler';
import type { CompiledPatch } from '../../core/sandbox/compiled-patch';
import { VmmEngine } from '../../core/sandbox/vmm-engine';
import { InMemoryHyp, RAM_BASE, RecordingLab } from './in-memory-hyp';
import { testEngine, type TestEngine } from './engine-helpers';

/** A minimal VMM: a hook registry, wrappable functions by path, and a run loop for one vCPU. */
const VMM = `
const hooks = new Map();
const functions = { 'sbi.handle': (vcpu, exit) => { hyp.vcpu.setRegs(vcpu, { a0: 0, a1: exit.fid }); return 'handled'; } };
export const patchApi = {
  hooks: {
    on(name, fn) {
      const list = hooks.get(name) ?? [];
      list.push(fn);
      hooks.set(name, list);
      return () => list.splice(list.indexOf(fn), 1);
    },
  },
  wrap(path, fn) {
    const original = functions[path];
    if (original === undefined) throw new Error('no VMM function ' + path);
    const wrapped = (...args) => fn(original, ...args);
    functions[path] = wrapped;
    return () => { functions[path] = original; };
  },
  exfiltrate(label, bytes) { lab.exfiltrate(label, bytes); },
};
export function boot() { const id = hyp.vcpu.create(); hyp.vcpu.setRegs(id, { a0: ${RAM_BASE + 0x40}, a7: 0x42 }); return id; }
export function step(vcpu) {
  const exit = hyp.vcpu.run(vcpu);
  for (const fn of [...(hooks.get('exit') ?? [])]) fn(0, vcpu, exit);
  return exit.kind === 'sbi' ? functions['sbi.handle'](vcpu, exit) : exit.kind;
}
export function hookCount() { return (hooks.get('exit') ?? []).length; }
`;

const compiler = new PatchCompiler({ hypSource: readHypSource() });

function compile(fileName: string, source: string): CompiledPatch {
  const result = compiler.compile(fileName, source);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return result.patch;
}

const STEAL = `export default definePatch({
  name: 'steal the secret',
  install(vmm, hyp) {
    vmm.hooks.on('exit', (_domain, _vcpu, exit) => {
      if (exit.kind !== 'sbi') return;
      vmm.exfiltrate('secret?', hyp.mem.read(exit.args[0] ?? 0, 8));
    });
  },
  uninstall() { lab.log('steal uninstalled'); },
});
declare const lab: { log(text: string): void };
`;

describe('patches in the engine', () => {
  let t: TestEngine;
  afterEach(() => t.engine.dispose());

  it("installs, runs its hook with the VMM's power, and uninstalls cleanly", async () => {
    t = await testEngine({}, VMM);
    t.hyp.ram.set([1, 2, 3, 4, 5, 6, 7, 8], 0x40);
    const info = t.engine.loadPatch(compile('steal.ts', STEAL));
    expect(info).toEqual({ id: 1, name: 'steal the secret', fileName: 'steal.ts' });
    expect(t.engine.patchState(info.id)).toBe('loaded');
    expect(t.engine.installPatch(info.id)).toEqual({ ok: true });
    expect(() => t.engine.installPatch(info.id)).toThrow(/patch 'steal the secret' is installed/);
    const vcpu = t.engine.callNumbers('boot');
    expect(t.engine.call('step', vcpu)).toBe('handled');
    expect(t.lab.exfiltrated).toEqual([{ label: 'secret?', bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }]);
    expect(t.engine.uninstallPatch(info.id)).toEqual({ ok: true });
    expect(t.engine.callNumbers('hookCount')).toBe(0);
    expect(t.lab.logs).toEqual(['steal uninstalled']);
    expect(t.engine.patchState(info.id)).toBe('uninstalled');
  });

  it("reports a throw in install at the patch's TS line, undoes its registrations and disables it", async () => {
    t = await testEngine({}, VMM);
    const info = t.engine.loadPatch(compile('thrower.ts', `interface Plan { steps: number }
export default definePatch({
  name: 'thrower',
  install(vmm) {
    vmm.hooks.on('exit', () => undefined);
    const plan: Plan | undefined = undefined as Plan | undefined;
    const steps: number = plan!.steps;
    vmm.exfiltrate(String(steps), new Uint8Array(0));
  },
});
`));
    const outcome = t.engine.installPatch(info.id);
    if (outcome.ok) throw new Error('expected a fault');
    expect(outcome.fault.phase).toBe('install');
    expect(outcome.fault.patch.name).toBe('thrower');
    expect(outcome.fault.error.message).toMatch(/^TypeError: .* at thrower\.ts:7:\d+$/);
    expect(outcome.fault.error.frames[0]).toMatchObject({ file: 'thrower.ts', line: 7, functionName: 'install' });
    expect(t.engine.patchState(info.id)).toBe('disabled');
    expect(t.engine.callNumbers('hookCount')).toBe(0);
    expect(t.faults).toHaveLength(1);
  });

  it('disables a patch whose hook throws, reports the line, and lets the VMM carry on', async () => {
    t = await testEngine({}, VMM);
    const info = t.engine.loadPatch(compile('hook.ts', `export default definePatch({
  name: 'bad hook',
  install(vmm) {
    vmm.hooks.on('exit', (_d, _v, exit) => {
      if (exit.kind === 'sbi') {
        throw new RangeError('hook failed on ext ' + exit.ext);
      }
    });
    vmm.wrap('sbi.handle', (original, ...args) => original(...args));
  },
  uninstall() { lab.log('cleaned'); },
});
declare const lab: { log(text: string): void };
`));
    expect(t.engine.installPatch(info.id)).toEqual({ ok: true });
    const vcpu = t.engine.callNumbers('boot');
    expect(t.engine.call('step', vcpu)).toBe('handled');
    expect(t.faults).toHaveLength(1);
    const fault = t.faults[0];
    expect(fault?.phase).toBe('hook');
    expect(fault?.error.message).toMatch(/^RangeError: hook failed on ext 66 at hook\.ts:6:\d+$/);
    expect(fault?.error.frames[0]).toMatchObject({ file: 'hook.ts', line: 6 });
    expect(t.engine.patchState(info.id)).toBe('disabled');
    expect(t.engine.callNumbers('hookCount')).toBe(0);
    expect(t.lab.logs).toEqual(['cleaned']);
    expect(t.engine.call('step', vcpu)).toBe('handled');
    expect(t.faults).toHaveLength(1);
  });

  it('reports a rejection from an async hook as a fault at its line', async () => {
    t = await testEngine({}, VMM);
    const info = t.engine.loadPatch(compile('async.ts', `export default definePatch({
  name: 'async hook',
  install(vmm) {
    vmm.hooks.on('exit', async () => {
      await Promise.resolve();
      throw new Error('later');
    });
  },
});
`));
    t.engine.installPatch(info.id);
    expect(t.engine.call('step', t.engine.callNumbers('boot'))).toBe('handled');
    expect(t.faults).toEqual([expect.objectContaining({ phase: 'hook', patch: info })]);
    expect(t.faults[0]?.error.frames[0]).toMatchObject({ file: 'async.ts', line: 6 });
    expect(t.engine.patchState(info.id)).toBe('disabled');
  });

  it('falls back to the original when a wrapper throws', async () => {
    t = await testEngine({}, VMM);
    const info = t.engine.loadPatch(compile('wrap.ts', `export default definePatch({
  name: 'bad wrapper',
  install(vmm) {
    vmm.wrap('sbi.handle', () => { throw new Error('wrapper broke'); });
  },
});
`));
    t.engine.installPatch(info.id);
    expect(t.engine.call('step', t.engine.callNumbers('boot'))).toBe('handled');
    expect(t.faults[0]?.error.frames[0]).toMatchObject({ file: 'wrap.ts', line: 4 });
    expect(t.engine.patchState(info.id)).toBe('disabled');
  });

  it('stops a runaway patch, names it, disables it, and the host keeps running', async () => {
    t = await testEngine({ interruptBudget: 30 }, VMM);
    const info = t.engine.loadPatch(compile('spin.ts', `export default definePatch({
  name: 'spinner',
  install(vmm) {
    vmm.hooks.on('exit', () => {
      let n = 0;
      for (;;) n++;
    });
  },
});
`));
    t.engine.installPatch(info.id);
    const vcpu = t.engine.callNumbers('boot');
    let error: unknown;
    try { t.engine.call('step', vcpu); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(EngineError);
    const e = error as EngineError;
    expect(e.kind).toBe('unresponsive');
    expect(e.patch).toEqual(info);
    expect(e.message).toMatch(/^VMM unresponsive: stopped after 30 interrupt checks at spin\.ts:[456]:\d+$/);
    expect(t.faults).toEqual([expect.objectContaining({ phase: 'limit', patch: info })]);
    expect(t.engine.patchState(info.id)).toBe('disabled');
    expect(t.engine.call('step', vcpu)).toBe('handled');
  });

  it('maps an error thrown while the patch module loads, and rejects a patch without definePatch', async () => {
    t = await testEngine({}, VMM);
    expect(() => t.engine.loadPatch(compile('top.ts', `const table: number[] = [];
if (table.length === 0) throw new Error('top-level failure');
export default definePatch({ name: 'top', install() {} });
`))).toThrow(/^Error: top-level failure at top\.ts:2:\d+$/);
    expect(() => t.engine.loadPatch({ fileName: 'raw.ts', js: 'export default { install: 1 };', sourceMap: '{"version":3,"sources":["raw.ts"],"mappings":""}' }))
      .toThrow(/a patch must "export default definePatch/);
    expect(() => t.engine.installPatch(99)).toThrow(/no patch 99/);
  });

  it("rethrows a fault listener's own error after the call, with the patch still disabled", async () => {
    const engine = await VmmEngine.create({
      backend: new InMemoryHyp(), lab: new RecordingLab(),
      onPatchFault: () => { throw new Error('listener broke'); },
    });
    t = { engine, hyp: new InMemoryHyp(), lab: new RecordingLab(), faults: [] };
    engine.loadBundle({ code: VMM, fileName: 'vmm.js' });
    const info = engine.loadPatch(compile('hook.ts', `export default definePatch({
  name: 'thrower',
  install(vmm) { vmm.hooks.on('exit', () => { throw new Error('hook'); }); },
});
`));
    engine.installPatch(info.id);
    const vcpu = engine.callNumbers('boot');
    expect(() => engine.call('step', vcpu)).toThrow(/^listener broke$/);
    expect(engine.patchState(info.id)).toBe('disabled');
    expect(engine.faults).toHaveLength(1);
  });

  it('cannot install patches into a bundle without a patch API', async () => {
    t = await testEngine({}, 'export function f() { return 1; }');
    const info = t.engine.loadPatch(compile('steal.ts', STEAL));
    const outcome = t.engine.installPatch(info.id);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.fault.error.message).toMatch(/exports no patchApi/);
  });
});
