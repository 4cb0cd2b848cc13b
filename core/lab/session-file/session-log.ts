// The session log: every request that changed the hosts' course (console input, patch load and
// unload, a TPM quote, a reset), each stamped with where every host stood when it took effect.
// Replayed on hosts rebuilt from the same seed, each host run exactly to each stamp, it brings
// them to the same state (the host is deterministic). Checked here, in the browser before a file
// is opened and in the host worker before a replay, since both take it from outside.
import type { HostMode, HostPositions, LabMethod, PatchTarget, SessionEvent, StampedEvent } from '../protocol';

const MODES: readonly HostMode[] = ['bare', 'protected'];
const TARGETS: readonly PatchTarget[] = ['bare', 'protected', 'both'];

export class SessionLogError extends Error {
  override readonly name = 'SessionLogError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isPosition = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isMode = (v: unknown): v is HostMode => (MODES as readonly unknown[]).includes(v);

export function parseHostPositions(value: unknown, what: string): HostPositions {
  if (!isRecord(value)) throw new SessionLogError(`${what} is not a set of host positions`);
  const out: { -readonly [M in HostMode]?: number } = {};
  for (const [mode, position] of Object.entries(value)) {
    if (!isMode(mode) || !isPosition(position)) throw new SessionLogError(`${what} has an invalid position for ${JSON.stringify(mode)}`);
    out[mode] = position;
  }
  return out;
}

function parseEvent(value: unknown, index: number): SessionEvent {
  const bad = (): never => {
    throw new SessionLogError(`event ${index + 1} of the session log is not valid`);
  };
  if (!isRecord(value)) return bad();
  switch (value.kind) {
    case 'input':
      if (typeof value.console !== 'string' || typeof value.data !== 'string') bad();
      return { kind: 'input', console: value.console as string, data: value.data as string };
    case 'patch-load':
      if (typeof value.fileName !== 'string' || typeof value.source !== 'string' || !(TARGETS as readonly unknown[]).includes(value.target)) bad();
      return { kind: 'patch-load', fileName: value.fileName as string, source: value.source as string, target: value.target as PatchTarget };
    case 'patch-unload':
      if (!isMode(value.host) || !Number.isSafeInteger(value.id)) bad();
      return { kind: 'patch-unload', host: value.host as HostMode, id: value.id as number };
    case 'quote':
      if (!isMode(value.host) || typeof value.nonce !== 'string') bad();
      return { kind: 'quote', host: value.host as HostMode, nonce: value.nonce as string };
    case 'reset':
      return { kind: 'reset' };
    default:
      return bad();
  }
}

/** Checks a log: each event valid, and no host's stamps going backwards. */
export function parseSessionLog(value: unknown): StampedEvent[] {
  if (!Array.isArray(value)) throw new SessionLogError('the session log is not a list');
  const last: { [M in HostMode]?: number } = {};
  return value.map((item: unknown, index): StampedEvent => {
    if (!isRecord(item)) throw new SessionLogError(`event ${index + 1} of the session log is not valid`);
    const at = parseHostPositions(item.at, `event ${index + 1}'s stamp`);
    for (const mode of MODES) {
      const p = at[mode];
      if (p === undefined) continue;
      if (p < (last[mode] ?? 0)) throw new SessionLogError(`event ${index + 1} of the session log goes back in the ${mode} host's run`);
      last[mode] = p;
    }
    return { at, event: parseEvent(item.event, index) };
  });
}

/** The request that a lab method with these parameters is, as a log event; null if it changes no course. */
export function eventOfRequest(method: LabMethod, params: unknown): SessionEvent | null {
  const p = isRecord(params) ? params : {};
  switch (method) {
    case 'console.input':
      return typeof p.console === 'string' && typeof p.data === 'string' ? { kind: 'input', console: p.console, data: p.data } : null;
    case 'patch.load':
      return typeof p.fileName === 'string' && typeof p.source === 'string' && (TARGETS as readonly unknown[]).includes(p.target)
        ? { kind: 'patch-load', fileName: p.fileName, source: p.source, target: p.target as PatchTarget }
        : null;
    case 'patch.unload':
      return isMode(p.host) && typeof p.id === 'number' ? { kind: 'patch-unload', host: p.host, id: p.id } : null;
    case 'attestation.quote':
      return isMode(p.host) && typeof p.nonce === 'string' ? { kind: 'quote', host: p.host, nonce: p.nonce } : null;
    case 'host.reset':
      return { kind: 'reset' };
    default:
      return null;
  }
}

/** The lab request that replays `event`. */
export function requestOfEvent(event: SessionEvent): { method: LabMethod; params: Record<string, unknown> } {
  switch (event.kind) {
    case 'input':
      return { method: 'console.input', params: { console: event.console, data: event.data } };
    case 'patch-load':
      return { method: 'patch.load', params: { fileName: event.fileName, source: event.source, target: event.target } };
    case 'patch-unload':
      return { method: 'patch.unload', params: { host: event.host, id: event.id } };
    case 'quote':
      return { method: 'attestation.quote', params: { host: event.host, nonce: event.nonce } };
    case 'reset':
      return { method: 'host.reset', params: {} };
  }
}

/** Short words for the UI: how many of each kind of event a log holds. */
export function describeLog(log: readonly StampedEvent[]): string {
  const counts = new Map<string, number>();
  const name: Record<SessionEvent['kind'], string> = { input: 'input', 'patch-load': 'patch load', 'patch-unload': 'patch unload', quote: 'TPM quote', reset: 'reset' };
  for (const { event } of log) counts.set(name[event.kind], (counts.get(name[event.kind]) ?? 0) + 1);
  return counts.size === 0 ? 'no events' : [...counts].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
}
