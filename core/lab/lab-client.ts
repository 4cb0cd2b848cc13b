// The client side of the lab protocol over any port: numbered requests with one answer each,
// event batches delivered to listeners and acknowledged, and every pending request rejected
// (never left hanging) when the connection or the host behind it goes away.
import type { EventListener, LabApi } from './lab-api';
import { parseServerMessage } from './message-validation';
import type { MessagePortLike } from './message-port';
import {
  LabError,
  type ClientMessage,
  type LabEvent,
  type LabMethod,
  type LabParams,
  type LabResult,
  type ServerMessage,
} from './protocol';

interface Pending {
  resolve(result: unknown): void;
  reject(error: LabError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface LabClientOptions {
  /** Milliseconds before an unanswered request fails with code 'timeout'; 0 = never. */
  readonly requestTimeoutMs?: number;
}

export class LabClient implements LabApi {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EventListener>();
  private closedReason: string | null = null;
  private readonly timeoutMs: number;

  constructor(
    private readonly port: MessagePortLike<ClientMessage>,
    options: LabClientOptions = {},
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    port.onMessage((raw) => this.receive(raw));
    port.onClose((reason) => this.closed(reason));
  }

  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>> {
    if (this.closedReason !== null) {
      return Promise.reject(new LabError('closed', `the lab host is gone: ${this.closedReason}`));
    }
    const id = this.nextId++;
    return new Promise<LabResult<M>>((resolve, reject) => {
      const timer =
        this.timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new LabError('timeout', `${method} got no answer within ${this.timeoutMs} ms`));
            }, this.timeoutMs)
          : undefined;
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
      this.port.send({ type: 'request', id, method, params });
    });
  }

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.port.close();
  }

  private receive(raw: unknown): void {
    let message: ServerMessage;
    try {
      message = parseServerMessage(raw);
    } catch (error) {
      this.emit([{ kind: 'host-error', message: `malformed message from the host: ${String(error)}` }], 0);
      return;
    }
    if (message.type === 'events') {
      this.emit(message.events, message.dropped);
      this.port.send({ type: 'ack', seq: message.seq });
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (pending.timer) clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new LabError(message.error.code, message.error.message));
  }

  private closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const [, pending] of this.pending) {
      if (pending.timer) clearTimeout(pending.timer);
      pending.reject(new LabError('closed', `the lab host is gone: ${reason}`));
    }
    this.pending.clear();
    this.emit([{ kind: 'host-error', message: `connection to the lab host closed: ${reason}` }], 0);
  }

  private emit(events: readonly LabEvent[], dropped: number): void {
    for (const listener of this.listeners) listener(events, dropped);
  }
}
