// The VMM bundle as the lab runs it: bundled by esbuild into one ES module and evaluated inside
// the QuickJS sandbox engine, reaching the in-memory Hyp only through the engine's binding.
import { build, transform } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VmmEngine } from '../../core/sandbox/vmm-engine';
import type { Exit } from '../../core/sandbox/hyp';
import { HART_RESULT } from '../../core/vmm/vmm';
import { SBI_EXT } from '../../core/spec/sbi';
import { readFileSync } from 'node:fs';
import { HartHyp } from './support/hart-hyp';
import { MemoryHyp } from './support/memory-hyp';
import { patternKernel } from './support/tiny-elf';

let bundle = '';
const engines: VmmEngine[] = [];

/**
 * The VMM's own code uses no RegExp (chars.ts), but core/hw/dtb/fdt-writer.ts, which it links to
 * build guest device trees, holds two regex literals, so the engine must allow RegExp until that
 * file is regex-free (requested from its owner).
 */
async function engineFor(backend: MemoryHyp | HartHyp, lab: { exfiltrate(l: string, b: Uint8Array): void; log(t: string): void }): Promise<VmmEngine> {
  const options = { backend, lab, regExp: true };
  const engine = await VmmEngine.create(options);
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  const out = await build({
    entryPoints: ['core/vmm/entry.ts'], bundle: true, format: 'esm', target: 'es2020', platform: 'neutral', write: false, logLevel: 'silent',
  });
  bundle = out.outputFiles[0]?.text ?? '';
});

afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

async function boot(): Promise<{ engine: VmmEngine; hyp: MemoryHyp; lab: { exfil: [string, Uint8Array][]; logs: string[] } }> {
  const hyp = new MemoryHyp({ ramSize: 16 * 1024 * 1024 });
  const lab = { exfil: [] as [string, Uint8Array][], logs: [] as string[] };
  const engine = await engineFor(hyp, { exfiltrate: (l, b) => void lab.exfil.push([l, b]), log: (t) => void lab.logs.push(t) });
  engine.loadBundle({ code: bundle, fileName: 'vmm.bundle.js' });
  engine.call('vmmInit', { harts: 1, ramBase: hyp.ramBase, ramSize: hyp.ram.length, vmmReservedBytes: 1 << 20 });
  expect(engine.call('vmmPutFile', 'kernel.elf', Buffer.from(patternKernel()).toString('base64'))).toBe(8192 + 84);
  return { engine, hyp, lab };
}

describe('the VMM bundle inside the QuickJS engine', () => {
  it('boots, creates a domain with xl, runs a hart quantum and returns guest output through vmmDrain', async () => {
    const { engine, hyp } = await boot();
    expect(engine.call('vmmToolstack', 'create name=q kernel=kernel.elf memory=4')).toEqual({ ok: true, output: 'created domain 1 (q)' });
    const vcpu = [...hyp.vcpus.keys()][0] ?? 0;
    const exits: Exit[] = [
      { kind: 'sbi', ext: SBI_EXT.BASE, fid: 0, args: [0, 0, 0, 0, 0, 0, 0, 0] },
      { kind: 'mmio-store', gpa: 0x1000_0000, width: 1, value: 0x51 },
      { kind: 'quantum' },
    ];
    hyp.script(vcpu, () => exits.shift() ?? { kind: 'quantum' });
    const r = engine.callNumbers('vmmHart', 0);
    expect(r & HART_RESULT.RAN).toBe(HART_RESULT.RAN);
    expect(r & HART_RESULT.OUTPUT).toBe(HART_RESULT.OUTPUT);
    expect(hyp.vcpu.regs(vcpu).x11).toBe(0x0200_0000);
    const drained = engine.call('vmmDrain') as { console: { domain: number; data: string }[]; events: { kind: string }[] };
    expect(drained.console).toEqual([{ domain: 1, data: Buffer.from('Q').toString('base64') }]);
    expect(drained.events.map((e) => e.kind)).toEqual(['created']);
    expect(engine.call('vmmToolstack', 'destroy 7')).toEqual({ ok: false, output: 'xl: no domain 7' });
    expect((engine.call('vmmStatus') as { name: string }[])[0]?.name).toBe('q');
  });

  it('a patch installed through the engine wraps VMM functions, exfiltrates, and is disabled when it throws', async () => {
    const { engine, hyp, lab } = await boot();
    engine.call('vmmToolstack', 'create name=q kernel=kernel.elf memory=4');
    const source = `export default definePatch({
      name: 'spy',
      install(vmm, hyp) {
        vmm.wrap('sbi.call', (original, dom, vcpu, ext, fid, args) => {
          if (ext === 0x4442434e) vmm.exfiltrate('dbcn', new Uint8Array([args[0]]));
          if (ext === 0x54494d45) throw new Error('clumsy patch');
          return original(dom, vcpu, ext, fid, args);
        });
      },
    });`;
    const js = await transform(source, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: 'spy.ts' });
    const info = engine.loadPatch({ fileName: 'spy.ts', js: js.code, sourceMap: js.map });
    expect(engine.installPatch(info.id)).toEqual({ ok: true });
    const vcpu = [...hyp.vcpus.keys()][0] ?? 0;
    const exits: Exit[] = [
      { kind: 'sbi', ext: SBI_EXT.DBCN, fid: 2, args: [0x41, 0, 0, 0, 0, 0, 0, 0] },
      { kind: 'sbi', ext: SBI_EXT.TIME, fid: 0, args: [99, 0, 0, 0, 0, 0, 0, 0] },
      { kind: 'sbi', ext: SBI_EXT.DBCN, fid: 2, args: [0x42, 0, 0, 0, 0, 0, 0, 0] },
      { kind: 'quantum' },
    ];
    hyp.script(vcpu, () => exits.shift() ?? { kind: 'quantum' });
    engine.callNumbers('vmmHart', 0);
    expect(lab.exfil).toEqual([['dbcn', new Uint8Array([0x41])]]);
    expect(engine.patchState(info.id)).toBe('disabled');
    expect(hyp.timerDeadlines.get(0)).toBe(99);
    const drained = engine.call('vmmDrain') as { console: { data: string }[] };
    expect(Buffer.from(drained.console[0]?.data ?? '', 'base64').toString()).toBe('AB');
    const typo = await transform(`export default definePatch({ name: 'typo', install(vmm) { vmm.hooks.on('exits', () => undefined); } });`, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: 'typo.ts' });
    const t = engine.loadPatch({ fileName: 'typo.ts', js: typo.code, sourceMap: typo.map });
    const outcome = engine.installPatch(t.id);
    expect(outcome.ok ? 'installed' : outcome.fault.error.message).toMatch(/no VMM hook 'exits'; hooks: exit, sbi/);
  });

  it('patches load and unload live: a wrapper applies while installed and is gone after uninstall', async () => {
    const { engine, hyp } = await boot();
    engine.call('vmmToolstack', 'create name=q kernel=kernel.elf memory=4');
    const js = await transform(`export default definePatch({
      name: 'shout',
      install(vmm) {
        vmm.wrap('console.flush', (original, dom, bytes) => original(dom, bytes.map((b) => (b >= 97 && b <= 122 ? b - 32 : b))));
      },
    });`, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: 'shout.ts' });
    const vcpu = [...hyp.vcpus.keys()][0] ?? 0;
    const say = (text: string): string => {
      const exits: Exit[] = [...text].map((ch) => ({ kind: 'mmio-store', gpa: 0x1000_0000, width: 1, value: ch.charCodeAt(0) }) as Exit);
      hyp.script(vcpu, () => exits.shift() ?? { kind: 'quantum' });
      engine.callNumbers('vmmHart', 0);
      const drained = engine.call('vmmDrain') as { console: { data: string }[] };
      return Buffer.from(drained.console[0]?.data ?? '', 'base64').toString();
    };
    const info = engine.loadPatch({ fileName: 'shout.ts', js: js.code, sourceMap: js.map });
    expect(engine.installPatch(info.id)).toEqual({ ok: true });
    expect(say('hello')).toBe('HELLO');
    expect(engine.uninstallPatch(info.id)).toEqual({ ok: true });
    expect(say('hello')).toBe('hello');
  });

  it('boots labOS on the real hart with lazily populated memory, the whole VMM running in the engine', async () => {
    const hyp = new HartHyp(64 * 1024 * 1024, 4096);
    const engine = await engineFor(hyp, { exfiltrate: () => undefined, log: () => undefined });
    engine.loadBundle({ code: bundle, fileName: 'vmm.bundle.js' });
    engine.call('vmmInit', { harts: 1, ramBase: hyp.ram.base, ramSize: hyp.ram.size, vmmReservedBytes: 1 << 20, ramZeroed: true });
    engine.call('vmmPutFile', 'labos.elf', readFileSync('assets/guests/images/labos.elf').toString('base64'));
    expect(engine.call('vmmToolstack', 'create name=labos kernel=labos.elf memory=16 populate=lazy')).toEqual({ ok: true, output: 'created domain 1 (labos)' });
    let out = '';
    for (let i = 0; i < 5000 && !out.includes('labos> '); i++) {
      const r = engine.callNumbers('vmmHart', 0);
      if ((r & HART_RESULT.OUTPUT) !== 0) {
        for (const c of (engine.call('vmmDrain') as { console: { data: string }[] }).console) out += Buffer.from(c.data, 'base64').toString();
      }
      if ((r & HART_RESULT.IDLE) !== 0 && !hyp.idle()) break;
    }
    expect(out).toContain('mem: 16 MiB RAM at 0x80000000');
    expect(out).toContain('labos> ');
    const status = engine.call('vmmStatus') as { populatedPages: number }[];
    expect(status[0]?.populatedPages).toBeGreaterThan(50);
    expect(status[0]?.populatedPages).toBeLessThan(4096);
  }, 60_000);
});
