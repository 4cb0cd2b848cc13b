// Scenario runs asked of a session's host (through LabHost and its real worker thread) are made
// beside it, not on it: while they run, the side-by-side guests keep executing, a line typed at a
// guest's console is echoed and answered, and requests are answered without waiting for the runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabHost } from '../../../core/lab/lab-host';
import type { MachineConfig } from '../../../core/lab/machine-config';
import type { ScenarioRunState } from '../../../core/lab/protocol';

const SIDE_BY_SIDE: MachineConfig = {
  kind: 'bare',
  mode: 'both',
  harts: 1,
  ramMiB: 96,
  guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1 }],
};
const CONSOLE = 'bare:dom1';

let host: LabHost;
let output = '';

async function until<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${CONSOLE} shows:\n${output.slice(-400)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  host = new LabHost({ seed: 'scenario-beside-host', autoStart: true, machine: SIDE_BY_SIDE });
  host.onEvents((events) => {
    for (const e of events) if (e.kind === 'console' && e.console === CONSOLE) output += e.data;
  });
  await until('the guest shell', () => output.includes('labos> '), 120_000);
}, 150_000);

afterAll(async () => {
  await host?.close();
});

/** Milliseconds a request takes to be answered. */
async function timed<T>(request: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await request();
  return { value, ms: performance.now() - started };
}

describe('scenario runs beside the session host', () => {
  it('keeps the guests running and the console answering while scenarios run', async () => {
    const specs = [
      { id: 'steal-secret', mode: 'bare', defenseOff: null },
      { id: 'steal-secret', mode: 'protected', defenseOff: null },
      { id: 'steal-secret', mode: 'protected', defenseOff: 'eptx' },
    ] as const;
    const queued: ScenarioRunState[] = [];
    for (const spec of specs) queued.push(await host.request('scenario.run', spec));
    expect(queued.map((r) => r.phase)).toEqual(['running', 'queued', 'queued']);
    const tickets = queued.map((r) => r.ticket);
    const active = async (): Promise<boolean> =>
      (await host.request('scenario.runs', { tickets })).runs.some((r) => r.phase === 'running');

    const before = await host.request('host.status', {});
    const mark = output.length;
    const input = await timed(() => host.request('console.input', { console: CONSOLE, data: 'uptime\r' }));
    await until('the echo and the answer to uptime', () => /uptime[\s\S]*labos> /.test(output.slice(mark)), 10_000);
    const status = await timed(() => host.request('host.status', {}));
    // The echo came while a scenario was still being run, and nothing waited on it.
    expect(await active()).toBe(true);
    expect(status.value.state).toBe('running');
    expect(status.value.instructions).toBeGreaterThan(before.instructions);
    expect(status.value.virtualTime).toBeGreaterThan(before.virtualTime);
    // A run takes seconds; a request made on the host's thread meanwhile would wait for all of it.
    expect(input.ms).toBeLessThan(1000);
    expect(status.ms).toBeLessThan(1000);

    const finished = await until('the three runs', async () => {
      const { runs } = await host.request('scenario.runs', { tickets });
      return runs.every((r) => r.phase === 'done') && runs;
    }, 120_000);
    expect(finished.map((r) => r.result?.verdict)).toEqual(['compromised', 'defended', 'compromised']);
    const after = await host.request('host.status', {});
    expect(after.instructions).toBeGreaterThan(status.value.instructions);
  }, 180_000);

  it('cancels a run through the protocol and refuses malformed requests', async () => {
    const run = await host.request('scenario.run', { id: 'steal-secret', mode: 'protected', defenseOff: null });
    const cancelled = await host.request('scenario.cancel', { ticket: run.ticket });
    expect(cancelled).toMatchObject({ ticket: run.ticket, phase: 'cancelled' });
    expect((await host.request('scenario.runs', { tickets: [run.ticket] })).runs[0]?.phase).toBe('cancelled');
    await expect(host.request('scenario.cancel', { ticket: 'run-0' })).rejects.toThrow(/no scenario run/);
    await expect(host.request('scenario.run', { id: 'steal-secret', mode: 'bare', defenseOff: 'eptx' })).rejects.toThrow(/only on a protected run/);
    await expect(host.request('scenario.runs', { tickets: 'run-1' as never })).rejects.toThrow(/list of run tickets/);
  }, 30_000);
});
