// The verdicts table: the scenario catalog, and runs of each scenario (bare, protected, and
// protected with each defense switched off), each run with its explanation and the monitor's
// refusals that decided it. The lab queues each requested run and makes it on a fresh host in a
// worker thread of its own, so the session's host keeps running; this store asks for the state of
// the runs it is waiting on about once a second (queued, running for how long, finished).
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { CatalogEntry, HostMode, ScenarioRunResult, ScenarioRunState } from '../../core/lab/protocol';

export interface RunSpec {
  readonly mode: HostMode;
  readonly defenseOff: string | null;
}

/** How often the state of unfinished runs is asked for. */
export const POLL_MS = 1000;

export const useVerdictsStore = defineStore('verdicts', () => {
  let api: LabApi | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  const catalog = shallowRef<readonly CatalogEntry[]>([]);
  const defenses = ref<readonly string[]>([]);
  const runs = shallowRef<Record<string, ScenarioRunResult[]>>({});
  /** Runs asked for and not finished yet, in the order they were asked for. */
  const pending = shallowRef<readonly ScenarioRunState[]>([]);
  const error = ref<string | null>(null);
  const selected = ref<{ id: string; index: number } | null>(null);

  const selectedRun = computed<ScenarioRunResult | null>(() => {
    const s = selected.value;
    return s ? (runs.value[s.id]?.[s.index] ?? null) : null;
  });

  function attach(lab: LabApi): () => void {
    api = lab;
    void refresh();
    return () => {
      if (api === lab) api = null;
      stopPolling();
    };
  }

  async function refresh(): Promise<void> {
    if (!api) return;
    const lab = api;
    try {
      const list = await lab.request('scenario.list', {});
      catalog.value = list.scenarios;
      defenses.value = list.defenses;
      // Runs asked for before this window (re)loaded are still the session's: show them.
      const { runs: known } = await lab.request('scenario.runs', {});
      const mine = new Set(pending.value.map((r) => r.ticket));
      adopt(known.filter((r) => !mine.has(r.ticket) && (r.phase === 'queued' || r.phase === 'running')));
    } catch (e) {
      error.value = `The catalog could not be read: ${messageOf(e)}`;
    }
  }

  function specs(ablation: boolean): RunSpec[] {
    const base: RunSpec[] = [{ mode: 'bare', defenseOff: null }, { mode: 'protected', defenseOff: null }];
    return ablation ? [...base, ...defenses.value.map((d) => ({ mode: 'protected' as const, defenseOff: d }))] : base;
  }

  /** Queues a scenario on each spec; its rows replace the previous ones as the runs finish. */
  async function run(id: string, ablation: boolean): Promise<void> {
    if (!api) return;
    const lab = api;
    error.value = null;
    runs.value = { ...runs.value, [id]: [] };
    try {
      for (const spec of specs(ablation)) adopt([await lab.request('scenario.run', { id, mode: spec.mode, defenseOff: spec.defenseOff })]);
    } catch (e) {
      error.value = `Running ${id} failed: ${messageOf(e)}`;
    }
  }

  async function runAll(ablation: boolean): Promise<void> {
    // A scenario whose runs are still waiting is not asked for twice.
    for (const entry of catalog.value) if (entry.error === null && pendingOf(entry.id).length === 0) await run(entry.id, ablation);
  }

  async function cancel(ticket: string): Promise<void> {
    if (!api) return;
    try {
      settle([await api.request('scenario.cancel', { ticket })]);
    } catch (e) {
      error.value = `Cancelling the run failed: ${messageOf(e)}`;
    }
  }

  function adopt(states: readonly ScenarioRunState[]): void {
    if (states.length === 0) return;
    pending.value = [...pending.value, ...states];
    settle(states);
    schedule();
  }

  /** Takes in the host's latest states: finished runs leave the queue, done ones become rows. */
  function settle(states: readonly ScenarioRunState[]): void {
    const latest = new Map(states.map((s) => [s.ticket, s]));
    for (const state of states) {
      if (state.phase === 'done' && state.result !== null && pending.value.some((p) => p.ticket === state.ticket)) addRow(state.result);
      if (state.phase === 'failed') error.value = `Running ${state.id} failed: ${state.error ?? 'no reason given'}`;
    }
    pending.value = pending.value
      .map((p) => latest.get(p.ticket) ?? p)
      .filter((p) => p.phase === 'queued' || p.phase === 'running');
  }

  function addRow(result: ScenarioRunResult): void {
    const id = result.scenario;
    runs.value = { ...runs.value, [id]: [...(runs.value[id] ?? []), result] };
    if (selected.value?.id !== id) selected.value = { id, index: 0 };
  }

  function schedule(): void {
    if (timer !== undefined || polling || pending.value.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void poll();
    }, POLL_MS);
  }

  async function poll(): Promise<void> {
    if (!api || pending.value.length === 0) return;
    const tickets = pending.value.map((p) => p.ticket);
    polling = true;
    try {
      const { runs: states } = await api.request('scenario.runs', { tickets });
      const known = new Set(states.map((s) => s.ticket));
      const lost = pending.value.filter((p) => !known.has(p.ticket));
      if (lost.length > 0) {
        error.value = `The host no longer knows ${lost.length} requested run(s) (it was restarted?)`;
        pending.value = pending.value.filter((p) => known.has(p.ticket));
      }
      settle(states);
    } catch (e) {
      error.value = `The state of the runs could not be read: ${messageOf(e)}`;
    } finally {
      polling = false;
    }
    schedule();
  }

  function stopPolling(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function pendingOf(id: string): readonly ScenarioRunState[] {
    return pending.value.filter((p) => p.id === id);
  }

  function select(id: string, index: number): void {
    selected.value = { id, index };
  }

  function mismatches(id: string): number {
    return (runs.value[id] ?? []).filter((r) => r.matches === false).length;
  }

  return {
    catalog, defenses, runs, pending, error, selected, selectedRun, attach, refresh, run, runAll, cancel, pendingOf, select, mismatches,
  };
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
