// The verdicts table: the scenario catalog, and runs of each scenario (bare, protected, and
// protected with each defense switched off), each run with its explanation and the monitor's
// refusals that decided it. The lab runs one run per request on a fresh host, so a long catalog
// never holds one request open for long; runs happen one at a time.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { CatalogEntry, HostMode, ScenarioRunResult } from '../../core/lab/protocol';

export interface RunSpec {
  readonly mode: HostMode;
  readonly defenseOff: string | null;
}

export const useVerdictsStore = defineStore('verdicts', () => {
  let api: LabApi | null = null;
  const catalog = shallowRef<readonly CatalogEntry[]>([]);
  const defenses = ref<readonly string[]>([]);
  const runs = shallowRef<Record<string, ScenarioRunResult[]>>({});
  const running = ref<{ id: string; spec: RunSpec } | null>(null);
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
    };
  }

  async function refresh(): Promise<void> {
    if (!api) return;
    try {
      const list = await api.request('scenario.list', {});
      catalog.value = list.scenarios;
      defenses.value = list.defenses;
    } catch (e) {
      error.value = `The catalog could not be read: ${messageOf(e)}`;
    }
  }

  function specs(ablation: boolean): RunSpec[] {
    const base: RunSpec[] = [{ mode: 'bare', defenseOff: null }, { mode: 'protected', defenseOff: null }];
    return ablation ? [...base, ...defenses.value.map((d) => ({ mode: 'protected' as const, defenseOff: d }))] : base;
  }

  /** Runs a scenario on each spec in turn; its rows replace the previous ones as they arrive. */
  async function run(id: string, ablation: boolean): Promise<void> {
    if (!api || running.value) return;
    const lab = api;
    error.value = null;
    runs.value = { ...runs.value, [id]: [] };
    try {
      for (const spec of specs(ablation)) {
        running.value = { id, spec };
        const result = await lab.request('scenario.run', { id, mode: spec.mode, defenseOff: spec.defenseOff });
        runs.value = { ...runs.value, [id]: [...(runs.value[id] ?? []), result] };
        if (selected.value?.id !== id) selected.value = { id, index: 0 };
      }
    } catch (e) {
      error.value = `Running ${id} failed: ${messageOf(e)}`;
    } finally {
      running.value = null;
    }
  }

  async function runAll(ablation: boolean): Promise<void> {
    for (const entry of catalog.value) if (entry.error === null) await run(entry.id, ablation);
  }

  function select(id: string, index: number): void {
    selected.value = { id, index };
  }

  function mismatches(id: string): number {
    return (runs.value[id] ?? []).filter((r) => r.matches === false).length;
  }

  return { catalog, defenses, runs, running, error, selected, selectedRun, attach, refresh, run, runAll, select, mismatches };
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
