// The lab session file: what a user saves and opens again. Versioned, with a SHA-256 checksum over
// the body so a damaged or hand-edited file is refused before anything in the session changes.
// It holds the machine's configuration, the loaded patches with their source, the input typed at
// each console since the last reset, the editor's documents and the window layout. It does not
// hold the hosts' memory: the VMM runs in its own engine whose heap cannot be saved. Version 2
// adds the session log (every event that changed the hosts' course, stamped with where each host
// stood), the save point and each host's state digest there: opening replays the log on hosts
// rebuilt from the seed and checks the digests (the host is deterministic). Version 1 files have
// no log; they open the old way (patches, reset, input typed when each prompt shows), not exactly.
// Runs in the browser and in Node: the checksum is WebCrypto's (OpenSSL in Node).
import type { HostMode, HostPositions, StampedEvent } from '../protocol';
import { parseHostPositions, parseSessionLog, SessionLogError } from './session-log';

export const SESSION_FORMAT = 'cloudvisor-lab-session';
export const SESSION_VERSION = 2;
/** The oldest version this lab still opens (without its exactness: it has no log). */
export const OLDEST_SESSION_VERSION = 1;
/** Larger files are refused unread: a session is text, a few hundred KiB at most. */
export const MAX_SESSION_BYTES = 16 * 1024 * 1024;

export type SessionHostMode = 'bare' | 'protected';

export interface SessionPatch {
  readonly host: SessionHostMode;
  readonly fileName: string;
  readonly name: string;
  readonly source: string;
}

/** What makes a version 2 session exact: the stamped log, the save point, the digests there. */
export interface SessionReplayRecord {
  readonly log: readonly StampedEvent[];
  readonly savePoint: HostPositions;
  readonly digests: { readonly [M in HostMode]?: string };
  /** False when the host had dropped the start of a very long log: the replay cannot be exact. */
  readonly complete: boolean;
}

export interface SessionBody {
  readonly host: {
    readonly seed: string;
    readonly machine: string;
    readonly harts: number;
    readonly ramBytes: number;
    readonly consoles: readonly string[];
    readonly hosts: readonly SessionHostMode[];
  };
  readonly patches: readonly SessionPatch[];
  readonly input: readonly { readonly console: string; readonly data: string }[];
  /** The editor store's snapshot (checked by the editor when it is restored). */
  readonly editor: unknown;
  /** The layout store's snapshot (checked by the layout when it is restored). */
  readonly layout: unknown;
  /** Version 2: how to bring the hosts back exactly. Absent or null in a version 1 file. */
  readonly replay?: SessionReplayRecord | null;
}

export interface SessionFile {
  readonly format: typeof SESSION_FORMAT;
  readonly version: number;
  readonly savedAt: string;
  /** What a saved session restores, said in the file for whoever opens it in a text editor. */
  readonly restores: string;
  readonly checksum: string;
  readonly body: SessionBody;
}

export const RESTORE_NOTE =
  'Opening this session rebuilds the hosts from the saved seed and replays every input, patch load or unload, TPM quote and reset ' +
  "at the exact point of each host's run where it happened, then runs to the point where the session was saved and pauses there. " +
  "Guest and VMM memory are not in the file (the VMM's engine heap cannot be saved): the state is rebuilt, then checked. " +
  "A SHA-256 digest of each host's RAM, harts, devices, clock and random streams is compared with the one saved; " +
  'the lab says whether they match. Files saved by version 1 of this format have no such log: their input is typed again when each ' +
  'guest shows its prompt, and the result is not exact.';

export class SessionFileError extends Error {
  override readonly name = 'SessionFileError';
  constructor(
    readonly reason: 'too-large' | 'not-json' | 'truncated' | 'foreign' | 'version' | 'checksum' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Writes version 2 when the body has a replay record, else version 1 (what such a body is). */
export async function encodeSessionFile(body: SessionBody, savedAt: Date = new Date()): Promise<string> {
  const checksum = `sha256:${await sha256Hex(JSON.stringify(body))}`;
  const version = body.replay ? SESSION_VERSION : OLDEST_SESSION_VERSION;
  const file: SessionFile = { format: SESSION_FORMAT, version, savedAt: savedAt.toISOString(), restores: RESTORE_NOTE, checksum, body };
  return `${JSON.stringify(file, null, 1)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A file cut short fails at its very end: "Unexpected end of JSON input", or V8's position
    // of the failure equals the length of what is there.
    const at = /position (\d+)/.exec(message)?.[1];
    const atEnd = /end of (JSON )?input/i.test(message) || (at !== undefined && Number(at) >= text.trimEnd().length);
    if (atEnd && text.trimStart().startsWith('{')) {
      throw new SessionFileError('truncated', `The session file is incomplete (it ends too early): ${message}. Nothing was changed.`);
    }
    throw new SessionFileError('not-json', `This is not a CloudVisor Lab session file (it is not JSON: ${message}). Nothing was changed.`);
  }
}

/** Reads and checks a session file; throws SessionFileError (with a sentence for the user) otherwise. */
export async function decodeSessionFile(text: string): Promise<SessionBody> {
  if (text.length > MAX_SESSION_BYTES) throw new SessionFileError('too-large', `The file is larger than ${MAX_SESSION_BYTES / 1024 / 1024} MiB; a session file is much smaller. Nothing was changed.`);
  const raw = parseJson(text);
  if (!isRecord(raw) || raw.format !== SESSION_FORMAT) {
    throw new SessionFileError('foreign', 'This file is JSON but not a CloudVisor Lab session (it has no "format": "cloudvisor-lab-session"). Nothing was changed.');
  }
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < OLDEST_SESSION_VERSION || version > SESSION_VERSION) {
    const newer = typeof version === 'number' && version > SESSION_VERSION;
    throw new SessionFileError('version', `This session file is version ${JSON.stringify(version)}; this lab reads versions ${OLDEST_SESSION_VERSION} to ${SESSION_VERSION}${newer ? ' (the file comes from a newer lab)' : ''}. Nothing was changed.`);
  }
  if (typeof raw.checksum !== 'string' || !isRecord(raw.body)) throw new SessionFileError('malformed', 'The session file has no body or no checksum. Nothing was changed.');
  const actual = `sha256:${await sha256Hex(JSON.stringify(raw.body))}`;
  if (actual !== raw.checksum) {
    throw new SessionFileError('checksum', 'The session file is damaged or was edited: its checksum does not match its contents. Nothing was changed.');
  }
  return parseBody(raw.body, version);
}

function fail(what: string): never {
  throw new SessionFileError('malformed', `The session file's ${what} is not valid. Nothing was changed.`);
}

const isMode = (v: unknown): v is SessionHostMode => v === 'bare' || v === 'protected';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseReplay(value: unknown, hosts: readonly SessionHostMode[]): SessionReplayRecord {
  if (!isRecord(value) || !isRecord(value.digests) || typeof value.complete !== 'boolean') fail('replay record');
  try {
    const log = parseSessionLog(value.log);
    const savePoint = parseHostPositions(value.savePoint, 'save point');
    const digests: { [M in HostMode]?: string } = {};
    for (const mode of hosts) {
      const digest = value.digests[mode];
      if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest) || savePoint[mode] === undefined) fail('replay record');
      digests[mode] = digest;
    }
    if (Object.keys(savePoint).length !== hosts.length || Object.keys(value.digests).length !== hosts.length) fail('replay record');
    return { log, savePoint, digests, complete: value.complete };
  } catch (error) {
    if (error instanceof SessionLogError) throw new SessionFileError('malformed', `The session file's replay log is not valid (${error.message}). Nothing was changed.`);
    throw error;
  }
}

function parseBody(body: Record<string, unknown>, version: number): SessionBody {
  const host = body.host;
  if (!isRecord(host) || typeof host.seed !== 'string' || typeof host.machine !== 'string' || !Number.isSafeInteger(host.harts) ||
    !Number.isSafeInteger(host.ramBytes) || !isStringList(host.consoles) || !Array.isArray(host.hosts) || !host.hosts.every(isMode)) {
    fail('host description');
  }
  if (!Array.isArray(body.patches)) fail('patch list');
  const patches = body.patches.map((p: unknown): SessionPatch => {
    if (!isRecord(p) || !isMode(p.host) || typeof p.fileName !== 'string' || typeof p.name !== 'string' || typeof p.source !== 'string') fail('patch list');
    return { host: p.host, fileName: p.fileName, name: p.name, source: p.source };
  });
  if (!Array.isArray(body.input)) fail('console input');
  const input = body.input.map((i: unknown) => {
    if (!isRecord(i) || typeof i.console !== 'string' || typeof i.data !== 'string') fail('console input');
    return { console: i.console, data: i.data };
  });
  const hosts = [...host.hosts];
  const parsed: SessionBody = {
    host: { seed: host.seed, machine: host.machine, harts: host.harts as number, ramBytes: host.ramBytes as number, consoles: [...host.consoles], hosts },
    patches,
    input,
    editor: body.editor ?? null,
    layout: body.layout ?? null,
  };
  if (version < 2) return parsed;
  return { ...parsed, replay: parseReplay(body.replay, hosts) };
}
