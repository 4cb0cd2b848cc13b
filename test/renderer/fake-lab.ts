// A fake LabApi for store tests: every request fails loudly unless the test mocked that method,
// so a store calling something unexpected fails the test instead of passing on a silent stub.
// Events are pushed by the test; listeners are counted so tests can catch leaked subscriptions.
import type { EventListener, LabApi } from '../../core/lab/lab-api';
import {
  LabError,
  type LabEvent,
  type LabMethod,
  type LabParams,
  type LabResult,
} from '../../core/lab/protocol';

type Handler<M extends LabMethod> = (params: LabParams<M>) => LabResult<M> | Promise<LabResult<M>>;

export class FakeLab implements LabApi {
  readonly calls: { method: LabMethod; params: unknown }[] = [];
  private readonly handlers = new Map<LabMethod, (params: unknown) => unknown>();
  private readonly listeners = new Set<EventListener>();

  mock<M extends LabMethod>(method: M, handler: Handler<M>): this {
    this.handlers.set(method, handler as (params: unknown) => unknown);
    return this;
  }

  async request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>> {
    this.calls.push({ method, params });
    const handler = this.handlers.get(method);
    if (!handler) throw new Error(`FakeLab: unmocked request ${method}(${JSON.stringify(params)})`);
    return (await handler(params)) as LabResult<M>;
  }

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(events: readonly LabEvent[], dropped = 0): void {
    for (const listener of this.listeners) listener(events, dropped);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

export function refuse(code: LabError['code'], message: string): never {
  throw new LabError(code, message);
}

/** A promise the test settles by hand, to observe a store mid-request. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
