// Lab sessions: save the current one to a file (the host's machine, loaded patches and typed
// input, the editor's documents and the layout), open one again, and autosave to this browser's
// storage. Opening checks everything first (format, version, checksum, that this host can run it)
// and changes nothing on any error. A saved session does not hold memory: opening it resets the
// host, loads the patches again and replays the input; the UI says so.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { LabEvent } from '../../core/lab/protocol';
import { decodeSessionFile, encodeSessionFile, SessionFileError, type SessionBody } from '../../core/lab/session-file/session-file';
import { parseSnapshot, useEditorStore } from './editor';
import { useHostStore } from './host';
import { useLayoutStore } from './layout';

export const AUTOSAVE_KEY = 'cvlab.session.autosave.v1';
const PROMPT = 'labos> ';
const BOOT_WAIT_MS = 120_000;
const STEP_WAIT_MS = 60_000;
export const AUTOSAVE_MS = 30_000;

/** The part of Web Storage autosave uses; absent outside a browser (store tests in Node). */
interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function storage(): KeyValueStorage | null {
  // Storage can be unavailable (privacy settings, opaque origins): autosave is then off.
  try {
    return (globalThis as { localStorage?: KeyValueStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}

export const useSessionStore = defineStore('session', () => {
  let api: LabApi | null = null;
  let stopEvents: (() => void) | null = null;
  const output = new Map<string, string>();
  const status = ref<string | null>(null);
  const error = ref<string | null>(null);
  const busy = ref(false);
  const lastSaved = ref<string | null>(null);
  const autosaved = ref<string | null>(storage()?.getItem(`${AUTOSAVE_KEY}.at`) ?? null);
  const autosaveOn = ref(true);
  let autosaveTimer: ReturnType<typeof setInterval> | undefined;

  function attach(lab: LabApi): () => void {
    stopEvents?.();
    api = lab;
    stopEvents = lab.onEvents((events: readonly LabEvent[]) => {
      for (const e of events) if (e.kind === 'console') output.set(e.console, ((output.get(e.console) ?? '') + e.data).slice(-20_000));
    });
    clearInterval(autosaveTimer);
    autosaveTimer = setInterval(() => {
      if (autosaveOn.value) void autosave();
    }, AUTOSAVE_MS);
    return () => {
      clearInterval(autosaveTimer);
      stopEvents?.();
      stopEvents = null;
      if (api === lab) api = null;
    };
  }

  async function snapshotText(): Promise<string> {
    if (!api) throw new Error('not connected to the lab host');
    const exported = await api.request('session.export', {});
    const body: SessionBody = {
      host: { seed: exported.seed, machine: exported.machine, harts: exported.harts, ramBytes: exported.ramBytes, consoles: exported.consoles, hosts: exported.hosts },
      patches: exported.patches.filter((p) => p.state === 'installed').map((p) => ({ host: p.host, fileName: p.fileName, name: p.name, source: p.source })),
      input: exported.input,
      editor: useEditorStore().dehydrate(),
      layout: useLayoutStore().dehydrate(),
    };
    return encodeSessionFile(body);
  }

  /** The session as a file's text, with a name to save it under. */
  async function save(): Promise<{ name: string; text: string } | null> {
    error.value = null;
    try {
      const text = await snapshotText();
      const stamp = new Date().toISOString().replace(/[:T]/g, '-').slice(0, 16);
      lastSaved.value = new Date().toLocaleTimeString();
      status.value = 'Session saved.';
      return { name: `cloudvisor-lab-session-${stamp}.json`, text };
    } catch (e) {
      error.value = `Saving failed: ${messageOf(e)}`;
      return null;
    }
  }

  async function autosave(): Promise<void> {
    if (!api || busy.value) return;
    try {
      const text = await snapshotText();
      const at = new Date().toLocaleString();
      storage()?.setItem(AUTOSAVE_KEY, text);
      storage()?.setItem(`${AUTOSAVE_KEY}.at`, at);
      autosaved.value = at;
    } catch {
      // Autosave is best effort (a full storage or a lost host): the next round tries again.
    }
  }

  function restoreAutosave(): Promise<boolean> {
    const text = storage()?.getItem(AUTOSAVE_KEY);
    if (!text) {
      error.value = 'There is no autosaved session in this browser.';
      return Promise.resolve(false);
    }
    return open(text);
  }

  /** Checks every part of the file and this host before changing anything. */
  async function check(text: string): Promise<SessionBody> {
    const body = await decodeSessionFile(text);
    if (body.editor !== null && !parseSnapshot(body.editor)) throw new SessionFileError('malformed', "The session's editor documents are not valid. Nothing was changed.");
    const info = useHostStore().info;
    const consoles = info?.consoles ?? [];
    const missing = [...new Set(body.input.map((i) => i.console))].filter((c) => !consoles.includes(c));
    const hostsNow = await api?.request('patch.list', {});
    const modes = [...new Set(body.patches.map((p) => p.host))].filter((m) => !(hostsNow?.hosts ?? []).includes(m));
    if (missing.length > 0 || modes.length > 0) {
      throw new SessionFileError(
        'malformed',
        `This session was saved on another machine (${body.host.machine}); this lab runs ${info?.machine ?? 'no machine'} and lacks ${[...missing.map((c) => `console ${c}`), ...modes.map((m) => `a ${m} host`)].join(', ')}. Nothing was changed.`,
      );
    }
    return body;
  }

  /** Opens a session file's text; false (with `error` set, nothing changed) if it is refused. */
  async function open(text: string): Promise<boolean> {
    if (!api || busy.value) return false;
    const lab = api;
    error.value = null;
    let body: SessionBody;
    try {
      body = await check(text);
    } catch (e) {
      error.value = e instanceof SessionFileError ? e.message : `The session could not be read: ${messageOf(e)}. Nothing was changed.`;
      status.value = null;
      return false;
    }
    busy.value = true;
    try {
      const editor = useEditorStore();
      if (body.editor !== null) editor.hydrate(body.editor);
      if (body.layout !== null) useLayoutStore().hydrate(body.layout);
      status.value = 'Loading the patches again and resetting the host...';
      const host = useHostStore();
      if (host.state === 'running') await host.pause();
      for (const p of (await lab.request('patch.list', {})).patches) await lab.request('patch.unload', { host: p.host, id: p.id });
      // Patches first, then the reset that re-creates the guests: patches see the guests being
      // made, as when a scenario runs.
      for (const p of body.patches) {
        const { results } = await lab.request('patch.load', { fileName: p.fileName, source: p.source, target: p.host });
        if (!results.every((r) => r.ok)) throw new Error(`the patch ${p.fileName} no longer loads on the ${p.host} host`);
      }
      await host.reset();
      await editor.refresh();
      output.clear();
      await host.start();
      await replay(lab, body.input);
      const seedNote = body.host.seed === host.info?.seed ? '' : ` The host's seed (${host.info?.seed ?? '?'}) differs from the saved one (${body.host.seed}): the replay is not bit for bit.`;
      status.value = `Session opened: ${body.patches.length} patch(es) loaded, ${asLines(body.input).length} input line(s) replayed.${seedNote}`;
      return true;
    } catch (e) {
      error.value = `Opening the session stopped part way: ${messageOf(e)}`;
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function replay(lab: LabApi, input: SessionBody['input']): Promise<void> {
    const lines = asLines(input);
    for (const [index, item] of lines.entries()) {
      status.value = `Replaying input ${index + 1} of ${lines.length} on ${item.console}...`;
      // Guests take a line once their shell is back; the toolstack console takes it at once.
      if (item.console !== 'xl' && !item.console.endsWith(':xl')) await waitFor(item.console, PROMPT, index === 0 ? BOOT_WAIT_MS : STEP_WAIT_MS);
      output.set(item.console, '');
      await lab.request('console.input', { console: item.console, data: item.data });
    }
  }

  async function waitFor(console: string, text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(output.get(console) ?? '').includes(text)) {
      if (Date.now() > deadline) throw new Error(`${console} did not show its prompt within ${timeoutMs / 1000} s`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  return { status, error, busy, lastSaved, autosaved, autosaveOn, attach, save, autosave, restoreAutosave, open };
});

/** Keystrokes as typed, regrouped into lines per console (each ends at Enter), in order. */
export function asLines(input: SessionBody['input']): { console: string; data: string }[] {
  const lines: { console: string; data: string }[] = [];
  const open = new Map<string, { console: string; data: string }>();
  for (const item of input) {
    for (const part of item.data.split(/(?<=\r)/)) {
      if (part === '') continue;
      let line = open.get(item.console);
      if (!line) {
        line = { console: item.console, data: '' };
        open.set(item.console, line);
        lines.push(line);
      }
      line.data += part;
      if (part.endsWith('\r')) open.delete(item.console);
    }
  }
  return lines;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
