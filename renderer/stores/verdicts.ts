// The verdicts table: the scenario catalog, and the reports of scenario runs (bare, protected,
// and protected with each defense switched off), each run with its explanation and the monitor's
// refusals that decided it. Runs happen on fresh hosts on the lab's side, one scenario at a time.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { CatalogEntry, ScenarioRunReport, ScenarioRunResult } from '../../core/lab/protocol';

export type RunModes = readonly ('bare' | 'protected' | 'ablation')[];

export const useVerdictsStore = defineStore('verdicts', () => {
  let api: LabApi | null = null;
  const catalog = shallowRef<readonly CatalogEntry[]>([]);
  const reports = shallowRef<Record<string, ScenarioRunReport>>({});
  const running = ref<string | null>(null);
  const error = ref<string | null>(null);
  const selected = ref<{ id: string; index: number } | null>(null);

  const selectedRun = computed<ScenarioRunResult | null>(() => {
    const s = selected.value;
    return s ? (reports.value[s.id]?.runs[s.index] ?? null) : null;
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
      catalog.value = (await api.request('scenario.list', {})).scenarios;
    } catch (e) {
      error.value = `The catalog could not be read: ${messageOf(e)}`;
    }
  }

  async function run(id: string, modes: RunModes): Promise<void> {
    if (!api || running.value) return;
    running.value = id;
    error.value = null;
    try {
      const report = await api.request('scenario.run', { id, modes });
      reports.value = { ...reports.value, [id]: report };
      selected.value = { id, index: 0 };
    } catch (e) {
      error.value = `Running ${id} failed: ${messageOf(e)}`;
    } finally {
      running.value = null;
    }
  }

  async function runAll(modes: RunModes): Promise<void> {
    for (const entry of catalog.value) if (entry.error === null) await run(entry.id, modes);
  }

  function select(id: string, index: number): void {
    selected.value = { id, index };
  }

  return { catalog, reports, running, error, selected, selectedRun, attach, refresh, run, runAll, select };
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
