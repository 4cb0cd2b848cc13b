// A two-way message channel as the lab protocol sees it: a worker's parentPort, a WebSocket, an
// Electron IPC pair or an in-memory pair in tests. Received values are `unknown` until validated.

export interface MessagePortLike<Out> {
  send(message: Out): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when the other side is gone; `reason` says why, for the user. */
  onClose(listener: (reason: string) => void): () => void;
  close(): void;
}

/** Two connected in-memory ports; delivery is asynchronous, as on every real transport. */
export function createPortPair<A, B>(): [MessagePortLike<A>, MessagePortLike<B>] {
  const left = new InMemoryPort<A>();
  const right = new InMemoryPort<B>();
  left.peer = right;
  right.peer = left;
  return [left, right];
}

class InMemoryPort<Out> implements MessagePortLike<Out> {
  peer: InMemoryPort<unknown> | null = null;
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closed = false;

  send(message: Out): void {
    if (this.closed) throw new Error('port is closed');
    const peer = this.peer;
    // structuredClone: values cross by copy, as they do between threads and processes.
    const copy = structuredClone(message);
    queueMicrotask(() => peer?.deliver(copy));
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.shutDown('closed by this side');
    this.peer?.shutDown('closed by the other side');
  }

  private deliver(message: unknown): void {
    if (this.closed) return;
    for (const listener of this.messageListeners) listener(message);
  }

  private shutDown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener(reason);
    this.messageListeners.clear();
    this.closeListeners.clear();
  }
}
