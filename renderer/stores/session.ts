// Lab sessions: save the current one to a file (the host's machine, loaded patches and typed
// input, the session log with the save point and the hosts' state digests, the editor's documents
// and the layout), open one again, and autosave to this browser's storage. Opening checks
// everything first (format, version, checksum, that this host can run it) and changes nothing on
// any error. A saved session does not hold memory: opening a version 2 file has the host rebuild
// its hosts and replay the log to the save point, then compares the digests it reached with the
// saved ones and says whether they match; a version 1 file (no log) is replayed when each prompt
// shows, and the UI says that is not exact.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { HostMode, LabEvent, SessionReplayResult } from '../../core/lab/protocol';
import {
  decodeSessionFile, encodeSessionFile, SessionFileError, type SessionBody, type SessionReplayRecord,
} from '../../core/lab/session-file/session-file';
import { describeLog } from '../../core/lab/session-file/session-log';
import { parseSnapshot, useEditorStore } from './editor';
import { useHostStore } from './host';
import { useLayoutStore } from './layout';

export const AUTOSAVE_KEY = 'cvlab.session.autosave.v1';
const PROMPT = 'labos> ';
const BOOT_WAIT_MS = 120_000;
const STEP_WAIT_MS = 60_000;
export const AUTOSAVE_MS = 30_000;
const REPLAY_POLL_MS = 200;

/** One host's state after opening a session, against the one saved. */
export interface DigestCheck {
  readonly host: HostMode;
  readonly saved: string;
  readonly restored: string | null;
  readonly match: boolean;
}

/** What opening a version 2 session reached: exact only if every host's digest matches. */
export interface RestoreCheck {
  readonly exact: boolean;
  readonly hosts: readonly DigestCheck[];
  /** Why the replay stopped short of the save point, or why it cannot be exact (null if neither). */
  readonly problem: string | null;
}

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
  /** A version 2 file is being replayed by the host (it can be stopped). */
  const replaying = ref(false);
  /** The last opened session's digest comparison (null for none, or a version 1 file). */
  const restoreCheck = ref<RestoreCheck | null>(null);
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

  async function snapshot(): Promise<{ text: string; replay: SessionReplayRecord }> {
    if (!api) throw new Error('not connected to the lab host');
    const exported = await api.request('session.export', {});
    const replay: SessionReplayRecord = { log: exported.log, savePoint: exported.savePoint, digests: exported.digests, complete: exported.logComplete };
    const body: SessionBody = {
      host: { seed: exported.seed, machine: exported.machine, harts: exported.harts, ramBytes: exported.ramBytes, consoles: exported.consoles, hosts: exported.hosts },
      patches: exported.patches.filter((p) => p.state === 'installed').map((p) => ({ host: p.host, fileName: p.fileName, name: p.name, source: p.source })),
      input: exported.input,
      editor: useEditorStore().dehydrate(),
      layout: useLayoutStore().dehydrate(),
      replay,
    };
    return { text: await encodeSessionFile(body), replay };
  }

  /** The session as a file's text, with a name to save it under. */
  async function save(): Promise<{ name: string; text: string } | null> {
    error.value = null;
    try {
      const { text, replay } = await snapshot();
      const stamp = new Date().toISOString().replace(/[:T]/g, '-').slice(0, 16);
      lastSaved.value = new Date().toLocaleTimeString();
      const digests = Object.entries(replay.digests).map(([host, d]) => `${host} ${d}`).join(', ');
      status.value = `Session saved: ${describeLog(replay.log)} logged; state digests where it was saved: ${digests}.` +
        (replay.complete ? '' : ' The log had grown past its limit and lost its start, so opening this file cannot restore the hosts exactly.');
      return { name: `cloudvisor-lab-session-${stamp}.json`, text };
    } catch (e) {
      error.value = `Saving failed: ${messageOf(e)}`;
      return null;
    }
  }

  async function autosave(): Promise<void> {
    if (!api || busy.value) return;
    try {
      const { text } = await snapshot();
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
    // A version 2 replay rebuilds every saved host: this lab must run exactly those.
    const needed = body.replay ? [...body.host.hosts] : body.patches.map((p) => p.host);
    const modes = [...new Set(needed)].filter((m) => !(hostsNow?.hosts ?? []).includes(m));
    const extra = body.replay ? (hostsNow?.hosts ?? []).filter((m) => !body.host.hosts.includes(m)) : [];
    if (extra.length > 0) {
      throw new SessionFileError('malformed', `This session was saved on a lab running ${body.host.hosts.join(' and ')} host(s); this lab also runs a ${extra.join(' and ')} host, so its state could not be restored. Nothing was changed.`);
    }
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
    if (!api) return false;
    if (busy.value) {
      error.value = 'A session is being opened already; open this one when it has finished. Nothing was changed.';
      return false;
    }
    const lab = api;
    error.value = null;
    // At once, before anything is awaited: the panel must not go on showing the last outcome.
    status.value = 'Checking the session file...';
    restoreCheck.value = null;
    let body: SessionBody;
    try {
      body = await check(text);
    } catch (e) {
      error.value = e instanceof SessionFileError ? e.message : `The session could not be read: ${messageOf(e)}. Nothing was changed.`;
      status.value = null;
      return false;
    }
    busy.value = true;
    restoreCheck.value = null;
    try {
      const editor = useEditorStore();
      if (body.editor !== null) editor.hydrate(body.editor);
      if (body.layout !== null) useLayoutStore().hydrate(body.layout);
      if (body.replay) {
        await restoreExactly(lab, body, body.replay);
        return true;
      }
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
      status.value =
        `Session opened: ${body.patches.length} patch(es) loaded, ${asLines(body.input).length} input line(s) replayed. ` +
        'This file is version 1 of the format: it holds no session log and no digests, so the input was typed again when each prompt showed, ' +
        'at other points of the run than before; the state is not exact and was not checked.';
      return true;
    } catch (e) {
      error.value = `Opening the session stopped part way: ${messageOf(e)}`;
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Version 2: the host rebuilds its hosts and replays the log to the save point; the digests are compared. */
  async function restoreExactly(lab: LabApi, body: SessionBody, record: SessionReplayRecord): Promise<void> {
    const host = useHostStore();
    const total = record.log.length;
    status.value = `Rebuilding the hosts from the seed and replaying ${describeLog(record.log)} to the point where the session was saved...`;
    output.clear();
    let progress = await lab.request('session.replay', { log: record.log, savePoint: record.savePoint });
    replaying.value = true;
    try {
      while (progress.running) {
        await new Promise((done) => setTimeout(done, REPLAY_POLL_MS));
        progress = await lab.request('session.replay-status', {});
        if (progress.running) status.value = `Replaying the session log: event ${progress.applied} of ${total} applied...`;
      }
    } finally {
      replaying.value = false;
    }
    await useEditorStore().refresh();
    const result: SessionReplayResult = progress.result ?? { reached: false, positions: {}, digests: {}, problem: 'the host gave no outcome for the replay', events: 0 };
    const hosts = (Object.entries(record.digests) as [HostMode, string][]).map(([mode, saved]): DigestCheck => {
      const restored = result.digests[mode] ?? null;
      return { host: mode, saved, restored, match: restored === saved };
    });
    const notes = [
      result.problem,
      record.complete ? null : 'the saved log had lost its start (it grew past its limit)',
      body.host.seed === host.info?.seed ? null : `this host's seed (${host.info?.seed ?? '?'}) differs from the saved one (${body.host.seed})`,
    ].filter((n): n is string => n !== null);
    const exact = hosts.length > 0 && hosts.every((h) => h.match);
    restoreCheck.value = { exact, hosts, problem: notes.length > 0 ? notes.join('; ') : null };
    if (exact) {
      status.value =
        `Session restored bit for bit (digest matches): ${result.events} event(s) replayed on hosts rebuilt from the seed; ` +
        'the host is paused where the session was saved. Run it to go on.';
    } else {
      const differ = hosts.filter((h) => !h.match).map((h) => `${h.host}: saved ${h.saved}, restored ${h.restored ?? 'none'}`).join('; ');
      status.value =
        `Session opened, but the restored state is not the saved one: the digests differ (${differ}).` +
        (notes.length > 0 ? ` Why: ${notes.join('; ')}.` : '');
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

  /** Stops a replay where it stands (a file whose save point lies far ahead runs long); the panel then says it is not exact. */
  async function stopReplay(): Promise<void> {
    if (!api || !replaying.value) return;
    status.value = 'Stopping the replay...';
    await api.request('host.pause', {});
  }

  return { status, error, busy, replaying, stopReplay, restoreCheck, lastSaved, autosaved, autosaveOn, attach, save, autosave, restoreAutosave, open };
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
