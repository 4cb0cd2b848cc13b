// Cost of crossing the VMM engine's boundary, side by side in one run: the lab's lean binding (one
// raw dispatch function, numbers and copied buffers) against the naive high-level binding (one
// quickjs-emscripten newFunction per operation, handles for every argument and result field).
// Figures: host calls/s from inside the engine, calls/s into it, and a trap handler doing 10 calls.
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { loadQuickJS } from '../../core/sandbox/quickjs-loader';
import { InterruptBudget } from '../../core/sandbox/budget';
import { VmmEngine } from '../../core/sandbox/vmm-engine';
import type { GuestRegs } from '../../core/sandbox/hyp';
import { InMemoryHyp, RAM_BASE, RecordingLab } from '../sandbox/in-memory-hyp';
import type { Bench } from './report';

/** The same VMM code runs against both bindings. */
const VMM = `
export function hostCalls(n) { let s = 0; for (let i = 0; i < n; i++) s += hyp.timer.now(); return s; }
export function add(a, b) { return a + b; }
export function trap(vcpu) {
  const pa = ${RAM_BASE + 0x1000};
  const exit = hyp.vcpu.run(vcpu);
  const regs = hyp.vcpu.regs(vcpu);
  const now = hyp.timer.now();
  const word = hyp.mem.read32(pa);
  hyp.mem.write32(pa, (word + 1) >>> 0);
  hyp.vcpu.setRegs(vcpu, { a0: 0, a1: regs.x10 });
  const controls = hyp.vcpu.controls(vcpu);
  hyp.vcpu.setControls(vcpu, { hvip: controls.hvip & ~64 });
  hyp.timer.set(now + 1000);
  hyp.mem.read(pa, 64);
  return exit.kind === 'sbi' ? 1 : 0;
}
`;

/** Runs `body` repeatedly for about `ms` milliseconds; returns operations per second. */
function rate(ms: number, opsPerRound: number, body: () => void): number {
  for (let i = 0; i < 20; i++) body();
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    body();
    rounds++;
    elapsed = performance.now() - start;
  }
  return (rounds * opsPerRound * 1000) / elapsed;
}

/** The naive binding: per-operation host functions through the library's high-level handle API. */
function naiveHyp(c: QuickJSContext, backend: InMemoryHyp): void {
  const fn = (target: QuickJSHandle, name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): void => {
    c.newFunction(name, impl).consume((f) => c.setProp(target, name, f));
  };
  const object = (fill: (o: QuickJSHandle) => void): QuickJSHandle => {
    const o = c.newObject();
    fill(o);
    return o;
  };
  const num = (o: QuickJSHandle, key: string, v: number): void => c.newNumber(v).consume((h) => c.setProp(o, key, h));
  const hyp = c.newObject();
  const mem = object((m) => {
    fn(m, 'read32', (pa) => c.newNumber(backend.mem.read32(c.getNumber(pa as QuickJSHandle))));
    fn(m, 'write32', (pa, v) => { backend.mem.write32(c.getNumber(pa as QuickJSHandle), c.getNumber(v as QuickJSHandle)); return undefined; });
    fn(m, 'read', (pa, len) => c.newArrayBuffer(backend.mem.read(c.getNumber(pa as QuickJSHandle), c.getNumber(len as QuickJSHandle)).slice().buffer));
  });
  const vcpu = object((v) => {
    fn(v, 'run', (id) => {
      const exit = backend.vcpu.run(c.getNumber(id as QuickJSHandle));
      return object((o) => {
        c.newString(exit.kind).consume((k) => c.setProp(o, 'kind', k));
        if (exit.kind === 'sbi') {
          num(o, 'ext', exit.ext);
          num(o, 'fid', exit.fid);
          const args = c.newArray();
          exit.args.forEach((a, i) => num(args, String(i), a));
          c.setProp(o, 'args', args);
          args.dispose();
        }
      });
    });
    fn(v, 'regs', (id) => {
      const regs = backend.vcpu.regs(c.getNumber(id as QuickJSHandle));
      return object((o) => { for (const [k, val] of Object.entries(regs)) num(o, k, val); });
    });
    fn(v, 'setRegs', (id, changes) => {
      const raw = c.dump(changes as QuickJSHandle) as Record<string, number>;
      const abi: Record<string, string> = { a0: 'x10', a1: 'x11' };
      const out: Record<string, number> = {};
      for (const [k, val] of Object.entries(raw)) out[abi[k] ?? k] = val;
      backend.vcpu.setRegs(c.getNumber(id as QuickJSHandle), out as Partial<GuestRegs>);
      return undefined;
    });
    fn(v, 'controls', (id) => {
      const controls = backend.vcpu.controls(c.getNumber(id as QuickJSHandle));
      return object((o) => { for (const [k, val] of Object.entries(controls)) num(o, k, val); });
    });
    fn(v, 'setControls', (id, changes) => {
      backend.vcpu.setControls(c.getNumber(id as QuickJSHandle), c.dump(changes as QuickJSHandle) as Record<string, number>);
      return undefined;
    });
  });
  const timer = object((t) => {
    fn(t, 'now', () => c.newNumber(backend.timer.now()));
    fn(t, 'set', (d) => { backend.timer.set(c.getNumber(d as QuickJSHandle)); return undefined; });
  });
  for (const [name, h] of [['mem', mem], ['vcpu', vcpu], ['timer', timer]] as const) {
    c.setProp(hyp, name, h);
    h.dispose();
  }
  c.setProp(c.global, 'hyp', hyp);
  hyp.dispose();
}

interface Side {
  hostCalls: number;
  callsIn: number;
  traps: number;
}

async function measureLean(ms: number): Promise<Side> {
  const backend = new InMemoryHyp();
  const engine = await VmmEngine.create({ backend, lab: new RecordingLab(), limits: { interruptBudget: 1_000_000 } });
  try {
    engine.loadBundle({ code: VMM, fileName: 'vmm.js' });
    const vcpu = backend.vcpu.create();
    return {
      hostCalls: rate(ms, 10_000, () => engine.callNumbers('hostCalls', 10_000)),
      callsIn: rate(ms, 1, () => engine.callNumbers('add', 1, 2)),
      traps: rate(ms, 1, () => engine.callNumbers('trap', vcpu)),
    };
  } finally {
    engine.dispose();
  }
}

async function measureNaive(ms: number): Promise<Side> {
  const backend = new InMemoryHyp();
  const module = await loadQuickJS();
  const runtime = module.newRuntime();
  const budget = new InterruptBudget(1_000_000);
  runtime.setInterruptHandler(budget.onInterrupt);
  const c = runtime.newContext();
  try {
    naiveHyp(c, backend);
    const ns = c.unwrapResult(c.evalCode(VMM, 'vmm.js', { type: 'module' }));
    const fns = new Map(['hostCalls', 'add', 'trap'].map((name) => [name, c.getProp(ns, name)]));
    ns.dispose();
    const call = (name: string, ...args: number[]): number => {
      const handles = args.map((a) => c.newNumber(a));
      const result = c.unwrapResult(c.callFunction(fns.get(name) as QuickJSHandle, c.undefined, handles));
      const value = c.getNumber(result);
      result.dispose();
      for (const h of handles) h.dispose();
      return value;
    };
    const vcpu = backend.vcpu.create();
    const side = {
      hostCalls: rate(ms, 10_000, () => { budget.arm(); call('hostCalls', 10_000); }),
      callsIn: rate(ms, 1, () => { budget.arm(); call('add', 1, 2); }),
      traps: rate(ms, 1, () => { budget.arm(); call('trap', vcpu); }),
    };
    for (const h of fns.values()) h.dispose();
    return side;
  } finally {
    c.dispose();
    runtime.dispose();
  }
}

/** Milliseconds to create an engine (own WebAssembly module, prelude) and dispose it. */
async function engineLifetime(rounds: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    const engine = await VmmEngine.create({ backend: new InMemoryHyp(), lab: new RecordingLab() });
    engine.dispose();
  }
  return (performance.now() - start) / rounds;
}

const k = (v: number): string => `${(v / 1000).toFixed(1)}K/s`.padStart(10);

export const sandboxCrossing: Bench = async () => {
  // Alternating rounds, best of each: on a shared machine load comes and goes, and both sides
  // should see the same conditions.
  const ms = 250;
  const best = (a: Side | undefined, b: Side): Side =>
    a === undefined ? b : { hostCalls: Math.max(a.hostCalls, b.hostCalls), callsIn: Math.max(a.callsIn, b.callsIn), traps: Math.max(a.traps, b.traps) };
  let naive: Side | undefined;
  let lean: Side | undefined;
  for (let round = 0; round < 3; round++) {
    naive = best(naive, await measureNaive(ms));
    lean = best(lean, await measureLean(ms));
  }
  if (naive === undefined || lean === undefined) throw new Error('no measurement');
  const createMs = await engineLifetime(10);
  const ratio = (a: number, b: number): number => Math.round((a / b) * 10) / 10;
  const metrics = {
    hostCallsPerSecond: lean.hostCalls,
    hostCallsPerSecondNaive: naive.hostCalls,
    hostCallRatio: ratio(lean.hostCalls, naive.hostCalls),
    callsIntoEnginePerSecond: lean.callsIn,
    callsIntoEnginePerSecondNaive: naive.callsIn,
    callIntoRatio: ratio(lean.callsIn, naive.callsIn),
    trapsPerSecond: lean.traps,
    trapsPerSecondNaive: naive.traps,
    trapRatio: ratio(lean.traps, naive.traps),
    engineCreateDisposeMs: createMs,
  };
  return {
    name: 'sandbox crossing',
    lines: [
      `                                       lean       naive   ratio`,
      `host calls from inside the engine ${k(lean.hostCalls)}  ${k(naive.hostCalls)}   ${metrics.hostCallRatio}x`,
      `calls into the engine             ${k(lean.callsIn)}  ${k(naive.callsIn)}   ${metrics.callIntoRatio}x`,
      `trap handler, 10 interface calls  ${k(lean.traps)}  ${k(naive.traps)}   ${metrics.trapRatio}x`,
      `engine create + dispose            ${createMs.toFixed(1)} ms`,
    ],
    metrics,
  };
};
