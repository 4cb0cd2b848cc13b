// The host side of the lab protocol over one port: validates each request, hands it to the
// backend, answers it exactly once, and pumps the backend's events to this receiver through its
// own EventPump, so one slow front end cannot slow the host or the other front ends.
import { EventPump } from './event-pump';
import { isLabMethod, parseClientMessage } from './message-validation';
import type { MessagePortLike } from './message-port';
import { LabError, type LabErrorInfo, type LabEvent, type LabMethod, type ServerMessage } from './protocol';

export interface LabBackend {
  handle(method: LabMethod, params: unknown): Promise<unknown>;
  onEvent(listener: (event: LabEvent) => void): () => void;
  /** What a front end connecting now should see first (console history, the latest status). */
  history?(): LabEvent[];
}

export interface LabEndpointOptions {
  readonly flushIntervalMs?: number;
  readonly maxInFlight?: number;
}

/** Serves `backend` on `port` until the port closes; returns a function that stops serving. */
export function serveLab(
  backend: LabBackend,
  port: MessagePortLike<ServerMessage>,
  options: LabEndpointOptions = {},
): () => void {
  let open = true;
  const pump = new EventPump({
    send: (batch) => port.send(batch),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
  });
  const answer = (id: number, outcome: { result: unknown } | { error: LabErrorInfo }): void => {
    if (!open) return;
    if ('error' in outcome) port.send({ type: 'response', id, ok: false, error: outcome.error });
    else port.send({ type: 'response', id, ok: true, result: outcome.result });
  };

  for (const event of backend.history?.() ?? []) pump.push(event);
  const stopEvents = backend.onEvent((event) => pump.push(event));
  const timer = setInterval(() => pump.flush(), options.flushIntervalMs ?? 16);
  const stopMessages = port.onMessage((raw) => {
    let message;
    try {
      message = parseClientMessage(raw);
    } catch (error) {
      pump.push({ kind: 'log', level: 'warn', source: 'lab', message: `ignored a malformed message: ${String(error)}` });
      return;
    }
    if (message.type === 'ack') {
      pump.ack(message.seq);
      pump.flush();
      return;
    }
    const { id, method, params } = message;
    if (!isLabMethod(method)) {
      answer(id, { error: { code: 'unknown-method', message: `unknown method ${JSON.stringify(method)}` } });
      return;
    }
    backend.handle(method, params).then(
      (result) => answer(id, { result }),
      (error: unknown) => answer(id, { error: toErrorInfo(error) }),
    );
  });

  const stop = (): void => {
    if (!open) return;
    open = false;
    clearInterval(timer);
    stopEvents();
    stopMessages();
  };
  port.onClose(stop);
  return stop;
}

function toErrorInfo(error: unknown): LabErrorInfo {
  if (error instanceof LabError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'host-failed', message: error.message };
  return { code: 'host-failed', message: String(error) };
}
