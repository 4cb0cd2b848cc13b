// What a scenario worker is given and what it answers: the run it is asked for, then "loaded"
// (with the verdict the scenario expects, so even a run stopped later can name it) and exactly one
// "result" or "failed". Messages cross a thread boundary, so they are checked, not trusted.
import type { HostMode, LabErrorInfo, ScenarioRunResult, ScenarioVerdict } from '../protocol';

export interface ScenarioWorkerData {
  readonly id: string;
  readonly mode: HostMode;
  readonly defenseOff: string | null;
}

export type ScenarioWorkerMessage =
  | { readonly type: 'loaded'; readonly expected: ScenarioVerdict | null }
  | { readonly type: 'result'; readonly result: ScenarioRunResult }
  | { readonly type: 'failed'; readonly code: LabErrorInfo['code']; readonly message: string };

const VERDICTS: readonly unknown[] = ['compromised', 'defended', 'out-of-scope', 'error'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseWorkerData(raw: unknown): ScenarioWorkerData {
  if (!isRecord(raw) || typeof raw.id !== 'string' || (raw.mode !== 'bare' && raw.mode !== 'protected')) {
    throw new Error('a scenario worker needs a scenario id and a host mode');
  }
  const defenseOff = raw.defenseOff ?? null;
  if (defenseOff !== null && typeof defenseOff !== 'string') throw new Error('defenseOff must be a defense name or null');
  return { id: raw.id, mode: raw.mode, defenseOff };
}

/** null: not a message a scenario worker sends (the pool treats that as a broken worker). */
export function parseWorkerMessage(raw: unknown): ScenarioWorkerMessage | null {
  if (!isRecord(raw)) return null;
  switch (raw.type) {
    case 'loaded':
      return raw.expected === null || VERDICTS.includes(raw.expected) ? { type: 'loaded', expected: raw.expected as ScenarioVerdict | null } : null;
    case 'result':
      return isRecord(raw.result) && VERDICTS.includes(raw.result.verdict) ? { type: 'result', result: raw.result as unknown as ScenarioRunResult } : null;
    case 'failed':
      return typeof raw.code === 'string' && typeof raw.message === 'string'
        ? { type: 'failed', code: raw.code as LabErrorInfo['code'], message: raw.message }
        : null;
    default:
      return null;
  }
}
