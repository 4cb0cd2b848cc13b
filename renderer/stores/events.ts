// The event log: every host log line, host error, dropped-event notice and run-state change, in
// arrival order, bounded (oldest dropped first), filterable by level and text. What matters for
// security lands here too: the monitor's refusals and fail-stops, data a patch exfiltrated, patch
// faults and a failed VMM (every monitor decision, allowed ones included, is in the monitor log).
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { LabEvent, LogLevel, RunState, SecurityActivity } from '../../core/lab/protocol';

export const MAX_ENTRIES = 2000;

export interface LogEntry {
  readonly id: number;
  /** Wall-clock milliseconds when the renderer received it. */
  readonly at: number;
  readonly level: LogLevel;
  readonly source: string;
  readonly message: string;
  readonly detail?: string;
  /** How many identical entries arrived in a row (shown once, with a count). */
  readonly repeat: number;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const SECURITY_LEVEL: Record<SecurityActivity['what'], LogLevel> = {
  'monitor-refused': 'warn',
  'monitor-fail-stop': 'error',
  exfiltrated: 'error',
  'patch-fault': 'warn',
  'vmm-failed': 'error',
};

export const useEventsStore = defineStore('events', () => {
  let unsubscribe: (() => void) | null = null;
  let nextId = 1;
  let lastState: RunState | null = null;

  const entries = ref<LogEntry[]>([]);
  const minLevel = ref<LogLevel>('debug');
  const text = ref('');
  const droppedTotal = ref(0);

  const visible = computed(() => {
    const needle = text.value.trim().toLowerCase();
    return entries.value.filter(
      (entry) =>
        LEVEL_RANK[entry.level] >= LEVEL_RANK[minLevel.value] &&
        (needle === '' ||
          entry.message.toLowerCase().includes(needle) ||
          entry.source.toLowerCase().includes(needle)),
    );
  });
  const errorCount = computed(() => entries.value.filter((entry) => entry.level === 'error').length);

  function attach(lab: LabApi): void {
    detach();
    unsubscribe = lab.onEvents((events, dropped) => receive(events, dropped));
  }

  function detach(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  function add(level: LogLevel, source: string, message: string, detail?: string): void {
    const last = entries.value[entries.value.length - 1];
    // A burst of the same line (e.g. a flood of drop notices) is one entry with a count.
    if (
      last &&
      last.level === level &&
      last.source === source &&
      last.message === message &&
      last.detail === detail
    ) {
      entries.value[entries.value.length - 1] = { ...last, at: Date.now(), repeat: last.repeat + 1 };
      return;
    }
    const entry: LogEntry = {
      id: nextId++,
      at: Date.now(),
      level,
      source,
      message,
      repeat: 1,
      ...(detail !== undefined ? { detail } : {}),
    };
    entries.value.push(entry);
    const excess = entries.value.length - MAX_ENTRIES;
    if (excess > 0) entries.value.splice(0, excess);
  }

  function receive(events: readonly LabEvent[], dropped: number): void {
    if (dropped > 0) {
      droppedTotal.value += dropped;
      // One wording whatever the count, so consecutive notices merge; the total is in droppedTotal.
      add(
        'warn',
        'lab',
        'host events were dropped or console text cut short: this window fell behind the host',
      );
    }
    for (const event of events) {
      switch (event.kind) {
        case 'log':
          add(event.level, event.source, event.message);
          break;
        case 'host-error':
          add('error', 'host', event.message, event.detail);
          break;
        case 'status':
          if (event.status.state !== lastState) {
            if (lastState !== null) add('info', 'host', `host is ${event.status.state}`);
            lastState = event.status.state;
          }
          break;
        case 'security': {
          const a = event.activity;
          const source = a.what.startsWith('monitor-') ? `monitor (${a.host})` : `${a.host} host`;
          add(SECURITY_LEVEL[a.what], source, `${a.vm === null ? '' : `vm${a.vm}: `}${a.message}`);
          break;
        }
        default:
          break;
      }
    }
  }

  function clear(): void {
    entries.value = [];
  }

  return { entries, minLevel, text, droppedTotal, visible, errorCount, attach, detach, add, clear };
});
