// What the memory inspector's live refresh costs the running host: the host worker is one thread,
// so every inspect request it answers is time the guests do not run. Measures one refresh (the
// visible rows of the hex view, 1 KiB, and the host panel's hosts view) and the host's slowdown
// while a labOS guest (bare, then protected) runs `bench cpu` with refreshes at the panels' rates
// (memory twice a second, hosts once), alternating with runs without refresh. CPU time of this process.
import { GuestSession } from '../../core/lab/host/guest-session';
import { VmmHost } from '../../core/lab/host/vmm-host';
import { handleInspect } from '../../core/lab/inspect/inspect-requests';
import type { Bench } from './report';

const BUDGET = 4_000_000_000;
const SLICE = 200_000;
const ROUNDS = 5;

function cpuMs(run: () => void): number {
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
}

interface Measured {
  readonly memoryMs: number;
  readonly hostsMs: number;
  readonly plainMs: number;
  readonly liveMs: number;
}

async function measure(mode: 'bare' | 'protected'): Promise<Measured> {
  const host = await VmmHost.create({ seed: 'bench', mode, harts: 2 });
  try {
    const session = new GuestSession(host);
    const dom = session.createGuest('bench', 'labos', 32);
    // A second guest: on a bare host the frame colours come from walking every domain's G-stage.
    session.createGuest('other', 'labos', 32);
    if (!session.type(dom, 'secret where', BUDGET)) throw new Error('labOS did not answer');
    const va = parseInt(/SECRET where va 0x([0-9a-f]+)/.exec(session.output(dom))?.[1] ?? '0', 16);
    const hosts = new Map([[mode, host]]);
    const memory = (): unknown => handleInspect(hosts, 'inspect.memory', { viewpoint: 'guest-virtual', domain: dom, address: va, length: 1024 });
    const view = (): unknown => handleInspect(hosts, 'inspect.hosts', {});
    const memoryMs = cpuMs(() => { for (let i = 0; i < 100; i++) memory(); }) / 100;
    const hostsMs = cpuMs(() => { for (let i = 0; i < 100; i++) view(); }) / 100;

    /** Runs `bench cpu` to its prompt in host slices, refreshing as the panels do when asked. */
    const runBench = (refresh: boolean): number => cpuMs(() => {
      const from = session.output(dom).length;
      host.consoleInput(dom, new TextEncoder().encode('bench cpu 100\r'));
      let nextMemory = performance.now() + 500;
      let nextHosts = performance.now() + 1000;
      while (!session.output(dom).slice(from + 12).includes('labos> ')) {
        host.run(SLICE);
        if (!refresh) continue;
        const now = performance.now();
        if (now >= nextMemory) { memory(); nextMemory = now + 500; }
        if (now >= nextHosts) { view(); nextHosts = now + 1000; }
      }
    });
    const plain: number[] = [];
    const live: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      plain.push(runBench(false));
      live.push(runBench(true));
    }
    return { memoryMs, hostsMs, plainMs: median(plain), liveMs: median(live) };
  } finally {
    host.dispose();
  }
}

export const inspectorRefresh: Bench = async () => {
  const lines: string[] = [];
  const metrics: Record<string, number> = {};
  for (const mode of ['bare', 'protected'] as const) {
    const m = await measure(mode);
    const overhead = (m.liveMs / m.plainMs - 1) * 100;
    const share = ((2 * m.memoryMs + m.hostsMs) / 1000) * 100;
    lines.push(
      `${mode}: one refresh: memory view 1 KiB ${m.memoryMs.toFixed(3)} ms, hosts view ${m.hostsMs.toFixed(3)} ms (CPU); at the panels' rates ${share.toFixed(2)}% of the host's time`,
      `${mode}: labOS bench cpu 100: ${m.plainMs.toFixed(0)} ms plain, ${m.liveMs.toFixed(0)} ms with live refresh (${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}%, target under 5%)`,
    );
    Object.assign(metrics, {
      [`${mode}RefreshMemoryMs`]: m.memoryMs,
      [`${mode}RefreshHostsMs`]: m.hostsMs,
      [`${mode}RefreshSharePercent`]: share,
      [`${mode}LiveRefreshOverheadPercent`]: overhead,
    });
  }
  return { name: 'inspector live refresh', lines, metrics };
};
