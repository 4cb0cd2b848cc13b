// Messages arrive from other processes, threads and browsers: they are `unknown` until checked
// here. A malformed message is a clear error, never a crash of the host.
import { LAB_METHODS, type ClientMessage, type LabEvent, type LabMethod, type ServerMessage } from './protocol';

export class MessageError extends Error {
  override readonly name = 'MessageError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isLabMethod(value: unknown): value is LabMethod {
  return typeof value === 'string' && (LAB_METHODS as readonly string[]).includes(value);
}

export function parseClientMessage(raw: unknown): ClientMessage {
  if (!isRecord(raw)) throw new MessageError('message is not an object');
  if (raw.type === 'ack') {
    if (!isCount(raw.seq)) throw new MessageError('ack without a valid seq');
    return { type: 'ack', seq: raw.seq };
  }
  if (raw.type !== 'request') throw new MessageError(`unknown message type ${JSON.stringify(raw.type)}`);
  if (!isCount(raw.id)) throw new MessageError('request without a valid id');
  if (typeof raw.method !== 'string') throw new MessageError('request without a method');
  // An unknown method is answered as such (with the request's id), so it is let through here.
  return { type: 'request', id: raw.id, method: raw.method as LabMethod, params: raw.params ?? {} };
}

function isLabEvent(value: unknown): value is LabEvent {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case 'console':
      return typeof value.console === 'string' && typeof value.data === 'string';
    case 'status':
      return isRecord(value.status) && typeof value.status.state === 'string';
    case 'log':
      return typeof value.message === 'string' && typeof value.source === 'string';
    case 'host-error':
      return typeof value.message === 'string';
    case 'security':
      return isRecord(value.activity) && typeof value.activity.what === 'string' && typeof value.activity.message === 'string';
    case 'perf':
      return isRecord(value.sample) && typeof value.sample.host === 'string' && typeof value.sample.mips === 'number';
    default:
      return false;
  }
}

export function parseServerMessage(raw: unknown): ServerMessage {
  if (!isRecord(raw)) throw new MessageError('message is not an object');
  if (raw.type === 'events') {
    if (!isCount(raw.seq) || !isCount(raw.dropped) || !Array.isArray(raw.events)) {
      throw new MessageError('malformed event batch');
    }
    const events = raw.events as unknown[];
    if (!events.every(isLabEvent)) throw new MessageError('event batch holds a malformed event');
    return { type: 'events', seq: raw.seq, dropped: raw.dropped, events };
  }
  if (raw.type !== 'response' || !isCount(raw.id) || typeof raw.ok !== 'boolean') {
    throw new MessageError('malformed response');
  }
  if (raw.ok) return { type: 'response', id: raw.id, ok: true, result: raw.result };
  const error = raw.error;
  if (!isRecord(error) || typeof error.code !== 'string' || typeof error.message !== 'string') {
    throw new MessageError('error response without an error');
  }
  return {
    type: 'response',
    id: raw.id,
    ok: false,
    error: { code: error.code as never, message: error.message },
  };
}
