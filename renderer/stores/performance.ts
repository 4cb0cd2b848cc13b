// Live performance of each host from the lab's 'perf' samples (MIPS, exits to the VMM per second
// by kind, the monitor's and the VMM's share of wall time), kept for the last few minutes, and the
// bare-vs-protected benchmark table: labOS's own `bench` commands typed into the first guest of
// each host, their result lines read back from the guest consoles, with the wall time the UI saw.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { HostMode, LabEvent, PerfSample } from '../../core/lab/protocol';

export const MAX_SAMPLES = 360;
export const BENCHES = ['cpu 20', 'exit 20000', 'mem 4'] as const;

export interface BenchResult {
  readonly host: HostMode;
  readonly command: string;
  /** The guest's own line: "BENCH <name> <units> <value> ...". */
  readonly line: string;
  readonly value: number | null;
  readonly units: string;
  readonly wallSeconds: number;
}

interface PendingBench {
  readonly host: HostMode;
  readonly console: string;
  readonly command: string;
  readonly name: string;
  readonly started: number;
  text: string;
}

const BENCH_LINE = /BENCH (\S+) (\S+) (\d+)[^\r\n]*|BENCH (\S+) (FAIL|skipped) [^\r\n]*/;


export const usePerformanceStore = defineStore('performance', () => {
  let api: LabApi | null = null;
  let stopEvents: (() => void) | null = null;
  const samples = shallowRef<Record<HostMode, PerfSample[]>>({ bare: [], protected: [] });
  const consoles = ref<readonly string[]>([]);
  const bench = ref<BenchResult[]>([]);
  const pending = ref<PendingBench[]>([]);
  const error = ref<string | null>(null);

  const latest = computed(() => ({ bare: samples.value.bare.at(-1) ?? null, protected: samples.value.protected.at(-1) ?? null }));

  function attach(lab: LabApi, consoleNames: readonly string[]): () => void {
    stopEvents?.();
    api = lab;
    consoles.value = consoleNames;
    stopEvents = lab.onEvents((events) => receive(events));
    return () => {
      stopEvents?.();
      stopEvents = null;
      if (api === lab) api = null;
    };
  }

  function receive(events: readonly LabEvent[]): void {
    let next: Record<HostMode, PerfSample[]> | null = null;
    for (const e of events) {
      if (e.kind === 'perf') {
        next ??= { bare: [...samples.value.bare], protected: [...samples.value.protected] };
        const list = next[e.sample.host];
        list.push(e.sample);
        if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
      } else if (e.kind === 'console') {
        for (const p of pending.value) if (p.console === e.console) p.text += e.data;
      }
    }
    if (next) samples.value = next;
    settle();
  }

  function settle(): void {
    const done: PendingBench[] = [];
    for (const p of pending.value) {
      const m = BENCH_LINE.exec(p.text);
      if (!m || (m[1] ?? m[4]) !== p.name) continue;
      done.push(p);
      bench.value = [
        ...bench.value.filter((b) => !(b.host === p.host && b.command === p.command)),
        {
          host: p.host,
          command: p.command,
          line: m[0].trim(),
          value: m[3] === undefined ? null : Number(m[3]),
          units: m[2] ?? '',
          wallSeconds: (performance.now() - p.started) / 1000,
        },
      ];
    }
    if (done.length > 0) pending.value = pending.value.filter((p) => !done.includes(p));
  }

  /** The first guest console of a host: 'bare:dom1' side by side, 'dom1' on a one-host session. */
  function guestConsole(host: HostMode, hosts: readonly HostMode[]): string | null {
    const prefixed = `${host}:dom1`;
    if (consoles.value.includes(prefixed)) return prefixed;
    return hosts.length === 1 && hosts[0] === host && consoles.value.includes('dom1') ? 'dom1' : null;
  }

  /** Types `bench <command>` into the first guest of each host (the host must be running). */
  async function runBench(command: string, hosts: readonly HostMode[]): Promise<void> {
    if (!api) return;
    error.value = null;
    for (const host of hosts) {
      const console = guestConsole(host, hosts);
      if (console === null) {
        error.value = `No guest console for the ${host} host`;
        continue;
      }
      const name = command.split(' ')[0] ?? command;
      pending.value = [...pending.value.filter((p) => p.console !== console), { host, console, command, name, started: performance.now(), text: '' }];
      try {
        await api.request('console.input', { console, data: `bench ${command}\r` });
      } catch (e) {
        error.value = `Typing into ${console} failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }

  return { samples, latest, bench, pending, error, attach, runBench, guestConsole };
});
