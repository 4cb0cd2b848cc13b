// Scenario runs in worker threads of their own (the built dist/node/scenario-worker.mjs, as the
// host worker starts them): the same report as a run in this thread, one run at a time with the
// rest queued in order, a run past its time or memory limit stopped and reported as an `error`
// verdict, and cancelling a queued or a running run.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCatalogScenario } from '../../../core/lab/verdicts/scenario-catalog';
import { ScenarioPool } from '../../../core/lab/verdicts/scenario-pool';
import type { ScenarioRunResult } from '../../../core/lab/protocol';

const pools: ScenarioPool[] = [];
function pool(options: ConstructorParameters<typeof ScenarioPool>[0] = {}): ScenarioPool {
  const created = new ScenarioPool(options);
  pools.push(created);
  return created;
}

afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});

/** The report without its wall time, which is the one thing two identical runs do not share. */
function timeless(result: ScenarioRunResult | null): Omit<ScenarioRunResult, 'seconds'> | null {
  if (result === null) return null;
  const { seconds, ...rest } = result;
  expect(seconds).toBeGreaterThan(0);
  return rest;
}

describe('scenario pool', () => {
  it('gives the same report as a run in this thread', async () => {
    const inThread = await runCatalogScenario('steal-secret', 'protected', null);
    const { state, settled } = pool().submit({ id: 'steal-secret', mode: 'protected', defenseOff: null });
    expect(state).toMatchObject({ id: 'steal-secret', phase: 'running', ahead: 0, result: null });
    const final = await settled;
    expect(final.phase).toBe('done');
    expect(final.result?.verdict).toBe('defended');
    // The host is deterministic: same instructions, same refusals, same everything.
    expect(timeless(final.result)).toEqual(timeless(inThread));
  }, 120_000);

  it('runs one at a time and queues the rest in order', async () => {
    const runs = pool();
    const first = runs.submit({ id: 'steal-secret', mode: 'bare', defenseOff: null });
    const second = runs.submit({ id: 'steal-secret', mode: 'protected', defenseOff: 'eptx' });
    const third = runs.submit({ id: 'steal-secret', mode: 'protected', defenseOff: null });
    expect([first.state.phase, second.state.phase, third.state.phase]).toEqual(['running', 'queued', 'queued']);
    expect([second.state.ahead, third.state.ahead]).toEqual([1, 2]);
    const firstDone = await first.settled;
    expect(runs.runs([second.state.ticket])[0]?.phase).toBe('running');
    expect(runs.runs([third.state.ticket])[0]).toMatchObject({ phase: 'queued', ahead: 1 });
    const [secondDone, thirdDone] = await Promise.all([second.settled, third.settled]);
    expect([firstDone.result?.verdict, secondDone.result?.verdict, thirdDone.result?.verdict]).toEqual(['compromised', 'compromised', 'defended']);
    expect(runs.runs().map((r) => r.ticket)).toEqual([first.state.ticket, second.state.ticket, third.state.ticket]);
  }, 120_000);

  it('stops a run past its time limit, reports an error verdict and goes on with the next', async () => {
    const runs = pool({ timeoutMs: 200 });
    const late = runs.submit({ id: 'steal-secret', mode: 'bare', defenseOff: null });
    const next = runs.submit({ id: 'steal-secret', mode: 'protected', defenseOff: null });
    const stopped = await late.settled;
    expect(stopped.phase).toBe('done');
    expect(stopped.result?.verdict).toBe('error');
    expect(stopped.result?.explanation).toMatch(/did not finish within 0\.2 s, so its worker was stopped/);
    expect(stopped.elapsedMs).toBeLessThan(5_000);
    expect((await next.settled).result?.verdict).toBe('error');
  }, 60_000);

  it('reports a run that runs out of memory as such', async () => {
    const { settled } = pool({ resourceLimits: { maxOldGenerationSizeMb: 16 } }).submit({ id: 'steal-secret', mode: 'bare', defenseOff: null });
    const final = await settled;
    expect(final.result?.verdict).toBe('error');
    expect(final.result?.explanation).toMatch(/ran out of memory \(its worker may use 16 MiB of heap\)/);
  }, 60_000);

  it('reports a worker that crashes as such', async () => {
    // A worker script with a fatal bug: the pool starts whatever worker it is given.
    const workerPath = fileURLToPath(new URL('../fixtures/crashing-worker.mjs', import.meta.url));
    const final = await pool({ workerPath }).submit({ id: 'steal-secret', mode: 'bare', defenseOff: null }).settled;
    expect(final).toMatchObject({ phase: 'done', error: null });
    expect(final.result).toMatchObject({ verdict: 'error', expected: null, matches: null });
    expect(final.result?.explanation).toBe("the run's worker crashed: simulated fatal bug in the host worker");
  }, 30_000);

  it('cancels a running run and a queued one; the queue moves on', async () => {
    const runs = pool();
    const running = runs.submit({ id: 'steal-secret', mode: 'protected', defenseOff: null });
    const queued = runs.submit({ id: 'steal-secret', mode: 'bare', defenseOff: null });
    const last = runs.submit({ id: 'steal-secret', mode: 'bare', defenseOff: null });
    expect(runs.cancel(queued.state.ticket)).toMatchObject({ phase: 'cancelled', error: 'cancelled before it started', elapsedMs: 0 });
    expect(runs.runs([last.state.ticket])[0]?.ahead).toBe(1);
    const cancelled = runs.cancel(running.state.ticket);
    expect(cancelled).toMatchObject({ phase: 'cancelled', result: null });
    expect(cancelled.error).toMatch(/^cancelled after [\d.]+ s$/);
    expect(runs.runs([last.state.ticket])[0]?.phase).toBe('running');
    expect((await last.settled).result?.verdict).toBe('compromised');
    // Cancelling a finished run leaves it as it is; an unknown ticket is an error.
    expect(runs.cancel(last.state.ticket).phase).toBe('done');
    expect(() => runs.cancel('run-999')).toThrow(/no scenario run/);
  }, 60_000);

  it('refuses a request it cannot run, and a scenario the catalog does not have fails', async () => {
    const runs = pool();
    expect(() => runs.submit({ id: 'steal-secret', mode: 'bare', defenseOff: 'eptx' })).toThrow(/only on a protected run/);
    const missing = await runs.submit({ id: 'no-such-scenario', mode: 'bare', defenseOff: null }).settled;
    expect(missing).toMatchObject({ phase: 'failed', result: null });
    expect(missing.error).toMatch(/no scenario "no-such-scenario"/);
  }, 60_000);
});
