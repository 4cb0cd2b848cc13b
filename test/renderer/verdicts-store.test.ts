// The verdicts store over a fake bridge: requested runs show as queued or running until the host
// says they are finished, done runs become rows in the order asked, a cancelled run leaves no row,
// runs asked for before a reload are picked up again, and a failed or forgotten run is an error.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScenarioRunResult, ScenarioRunState } from '../../core/lab/protocol';
import { POLL_MS, useVerdictsStore } from '../../renderer/stores/verdicts';
import { FakeLab } from './fake-lab';

beforeEach(() => {
  setActivePinia(createPinia());
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function report(state: ScenarioRunState): ScenarioRunResult {
  return {
    scenario: state.id, mode: state.mode, defenseOff: state.defenseOff, verdict: state.mode === 'bare' ? 'compromised' : 'defended',
    expected: null, matches: null, explanation: 'e', defendedBy: [], lost: [], altered: [], guests: [], exfiltrated: [],
    monitor: { allowed: 0, refused: 0, failStop: 0, refusals: [] }, failures: [], instructions: 1, seconds: 1,
  };
}

/** The host's queue as scenario.run / runs / cancel see it; the test moves runs along by hand. */
function queueLab(initial: ScenarioRunState[] = []): { fake: FakeLab; states: Map<string, ScenarioRunState>; advance(ticket: string, change: Partial<ScenarioRunState>): void } {
  const states = new Map(initial.map((s) => [s.ticket, s]));
  const fake = new FakeLab()
    .mock('scenario.list', () => ({ scenarios: [], defenses: ['eptx'] }))
    .mock('scenario.run', ({ id, mode, defenseOff }) => {
      const ticket = `run-${states.size + 1}`;
      const state: ScenarioRunState = {
        ticket, id, mode, defenseOff, phase: states.size === 0 ? 'running' : 'queued', ahead: states.size, elapsedMs: 0, result: null, error: null,
      };
      states.set(ticket, state);
      return state;
    })
    .mock('scenario.runs', ({ tickets }) => ({ runs: (tickets ?? [...states.keys()]).flatMap((t) => states.get(t) ?? []) }))
    .mock('scenario.cancel', ({ ticket }) => {
      const state = { ...states.get(ticket)!, phase: 'cancelled' as const, error: 'cancelled before it started' };
      states.set(ticket, state);
      return state;
    });
  return { fake, states, advance: (ticket, change) => states.set(ticket, { ...states.get(ticket)!, ...change }) };
}

async function poll(): Promise<void> {
  await vi.advanceTimersByTimeAsync(POLL_MS);
}

describe('verdicts store', () => {
  it('shows requested runs until they finish, and the finished ones as rows in order', async () => {
    const { fake, states, advance } = queueLab();
    const store = useVerdictsStore();
    store.attach(fake);
    await vi.advanceTimersByTimeAsync(0);
    await store.run('steal-secret', true);
    expect(store.pendingOf('steal-secret').map((p) => [p.mode, p.defenseOff, p.phase])).toEqual([
      ['bare', null, 'running'], ['protected', null, 'queued'], ['protected', 'eptx', 'queued'],
    ]);
    advance('run-1', { phase: 'done', elapsedMs: 2000, result: report(states.get('run-1')!) });
    advance('run-2', { phase: 'running', ahead: 0, elapsedMs: 1000 });
    await poll();
    expect(store.runs['steal-secret']?.map((r) => r.verdict)).toEqual(['compromised']);
    expect(store.pendingOf('steal-secret').map((p) => [p.ticket, p.phase, p.elapsedMs])).toEqual([['run-2', 'running', 1000], ['run-3', 'queued', 0]]);
    expect(store.selectedRun?.mode).toBe('bare');

    await store.cancel('run-3');
    expect(store.pendingOf('steal-secret').map((p) => p.ticket)).toEqual(['run-2']);
    advance('run-2', { phase: 'done', result: report(states.get('run-2')!) });
    await poll();
    expect(store.pending).toEqual([]);
    expect(store.runs['steal-secret']?.map((r) => r.verdict)).toEqual(['compromised', 'defended']);
    // Nothing is left to wait on, so nothing is asked any more.
    const asked = fake.calls.length;
    await poll();
    expect(fake.calls.length).toBe(asked);
    expect(store.error).toBeNull();
  });

  it('picks up runs asked for before a reload, and says when a run failed or was forgotten', async () => {
    const earlier: ScenarioRunState = {
      ticket: 'run-1', id: 'no-such', mode: 'bare', defenseOff: null, phase: 'running', ahead: 0, elapsedMs: 5000, result: null, error: null,
    };
    const finished: ScenarioRunState = { ...earlier, ticket: 'run-2', phase: 'done', result: report(earlier) };
    const { fake, states, advance } = queueLab([earlier, finished]);
    const store = useVerdictsStore();
    store.attach(fake);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.pending.map((p) => p.ticket)).toEqual(['run-1']);
    advance('run-1', { phase: 'failed', error: 'no scenario "no-such" in the catalog' });
    await poll();
    expect(store.error).toBe('Running no-such failed: no scenario "no-such" in the catalog');
    expect(store.pending).toEqual([]);

    await store.run('steal-secret', false);
    states.clear();
    await poll();
    expect(store.error).toMatch(/no longer knows 2 requested run/);
    expect(store.pending).toEqual([]);
  });
});
