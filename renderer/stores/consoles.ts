// Host consoles: which consoles exist, a bounded scrollback per console (so a terminal opened
// later, or re-opened after a tab switch, shows what came before), live delivery to the
// terminals showing them, and typed input sent to the host. Terminals subscribe here rather than
// to the host directly, so there is exactly one host listener however many panels are open.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { LabEvent } from '../../core/lab/protocol';

/** Characters of scrollback kept per console; older text is dropped first. */
export const SCROLLBACK_CHARS = 256 * 1024;

export type ConsoleWriter = (data: string) => void;

export const useConsolesStore = defineStore('consoles', () => {
  let api: LabApi | null = null;
  let unsubscribe: (() => void) | null = null;
  // Not reactive: text arrives many times a second and only terminals read it.
  const scrollback = new Map<string, string>();
  const writers = new Map<string, Set<ConsoleWriter>>();

  const names = ref<string[]>([]);
  /** Logs shown as consoles (the monitor's decisions): output only, nothing typed is sent. */
  const readOnly = ref<string[]>([]);
  /** Characters received per console since attach (reactive, for status displays). */
  const received = ref<Record<string, number>>({});
  const inputError = ref<string | null>(null);

  /** Starts listening at once (before the host's console list is known, so no output is missed). */
  function attach(lab: LabApi, consoleNames: readonly string[] = []): void {
    detach();
    api = lab;
    unsubscribe = lab.onEvents((events) => receive(events));
    declare(consoleNames);
  }

  /** The host's consoles, in the host's order; consoles seen only in output keep their place after. */
  function declare(consoleNames: readonly string[]): void {
    names.value = [...consoleNames, ...names.value.filter((name) => !consoleNames.includes(name))];
    for (const name of consoleNames) if (!scrollback.has(name)) scrollback.set(name, '');
  }

  /** A log the renderer writes itself (see feed), shown after the host's consoles. */
  function declareLog(name: string): void {
    if (!readOnly.value.includes(name)) readOnly.value = [...readOnly.value, name];
    if (!names.value.includes(name)) names.value = [...names.value, name];
    if (!scrollback.has(name)) scrollback.set(name, '');
  }

  function isReadOnly(name: string): boolean {
    return readOnly.value.includes(name);
  }

  /** Text for a log declared with declareLog. */
  function feed(name: string, data: string): void {
    append(name, data);
  }

  function detach(): void {
    unsubscribe?.();
    unsubscribe = null;
    api = null;
  }

  function receive(events: readonly LabEvent[]): void {
    for (const event of events) {
      if (event.kind !== 'console') continue;
      append(event.console, event.data);
    }
  }

  function append(name: string, data: string): void {
    if (!names.value.includes(name)) names.value = [...names.value, name];
    const text = (scrollback.get(name) ?? '') + data;
    scrollback.set(name, text.length > SCROLLBACK_CHARS ? text.slice(text.length - SCROLLBACK_CHARS) : text);
    received.value = { ...received.value, [name]: (received.value[name] ?? 0) + data.length };
    for (const writer of writers.get(name) ?? []) writer(data);
  }

  /** Replays the scrollback to `writer`, then streams new text to it until unsubscribed. */
  function subscribe(name: string, writer: ConsoleWriter): () => void {
    const past = scrollback.get(name) ?? '';
    if (past.length > 0) writer(past);
    let set = writers.get(name);
    if (!set) {
      set = new Set();
      writers.set(name, set);
    }
    set.add(writer);
    return () => {
      const current = writers.get(name);
      current?.delete(writer);
      if (current?.size === 0) writers.delete(name);
    };
  }

  function scrollbackOf(name: string): string {
    return scrollback.get(name) ?? '';
  }

  function listenerCount(): number {
    let count = 0;
    for (const set of writers.values()) count += set.size;
    return count;
  }

  async function send(name: string, data: string): Promise<boolean> {
    if (isReadOnly(name)) return false;
    if (!api) {
      inputError.value = 'not connected to the lab host';
      return false;
    }
    try {
      await api.request('console.input', { console: name, data });
      inputError.value = null;
      return true;
    } catch (error) {
      inputError.value = `input to ${name} failed: ${error instanceof Error ? error.message : String(error)}`;
      return false;
    }
  }

  return {
    names,
    readOnly,
    received,
    inputError,
    attach,
    declare,
    declareLog,
    isReadOnly,
    feed,
    detach,
    subscribe,
    scrollbackOf,
    listenerCount,
    send,
  };
});
