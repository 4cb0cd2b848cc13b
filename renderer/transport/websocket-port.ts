// A MessagePortLike over a WebSocket (the browser's, or `ws` in tests): JSON text frames, exactly
// the ClientMessage/ServerMessage shapes of core/lab/protocol. Received frames stay `unknown`
// (LabClient validates them); a frame that is not JSON is passed on as undefined so the client
// reports it as malformed instead of this port swallowing it.
import type { MessagePortLike } from '../../core/lab/message-port';

/** The part of a WebSocket this port uses; both the DOM WebSocket and `ws` satisfy it. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEventLike) => void,
  ): void;
  removeEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEventLike) => void,
  ): void;
}

export interface SocketEventLike {
  readonly type: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

const OPEN = 1;

/** Wraps an already open socket. */
export function createWebSocketPort<Out>(socket: SocketLike): MessagePortLike<Out> {
  let closedReason: string | null = null;
  const closeListeners = new Set<(reason: string) => void>();
  const messageListeners = new Set<(message: unknown) => void>();

  const onMessage = (event: SocketEventLike): void => {
    let parsed: unknown;
    if (typeof event.data === 'string') {
      try {
        parsed = JSON.parse(event.data);
      } catch {
        parsed = undefined;
      }
    }
    for (const listener of messageListeners) listener(parsed);
  };
  const onClose = (event: SocketEventLike): void => {
    const code = event.code ?? 1006;
    shutDown(
      code === 1000
        ? 'the server closed the connection'
        : `the connection dropped (code ${code}${event.reason ? `: ${event.reason}` : ''})`,
    );
  };
  const shutDown = (reason: string): void => {
    if (closedReason !== null) return;
    closedReason = reason;
    socket.removeEventListener('message', onMessage);
    socket.removeEventListener('close', onClose);
    socket.removeEventListener('error', onError);
    for (const listener of closeListeners) listener(reason);
    closeListeners.clear();
    messageListeners.clear();
  };
  // An 'error' is always followed by 'close', which reports it; listening here also keeps `ws`
  // (an EventEmitter) from turning the error into an uncaught exception.
  const onError = (): void => undefined;
  socket.addEventListener('message', onMessage);
  socket.addEventListener('close', onClose);
  socket.addEventListener('error', onError);
  if (socket.readyState !== OPEN) queueMicrotask(() => shutDown('the socket was not open'));

  return {
    send: (message) => {
      if (closedReason !== null) throw new Error(`the connection is closed: ${closedReason}`);
      socket.send(JSON.stringify(message));
    },
    onMessage: (listener) => {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose: (listener) => {
      if (closedReason !== null) {
        const reason = closedReason;
        queueMicrotask(() => listener(reason));
        return () => undefined;
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => {
      socket.close(1000, 'closed by the lab page');
      shutDown('closed by this page');
    },
  };
}

/** Opens a socket and resolves once it is open; rejects if it closes first (refused or down). */
export function openSocket(create: () => SocketLike, timeoutMs = 10_000): Promise<SocketLike> {
  return new Promise((resolve, reject) => {
    const socket = create();
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('close', onClose);
      if (error) socket.removeEventListener('error', onError);
      if (error) reject(error);
      else resolve(socket);
    };
    const onOpen = (): void => finish(null);
    const onError = (): void => undefined; // 'close' follows and settles; see createWebSocketPort
    const onClose = (event: SocketEventLike): void =>
      finish(new Error(`the WebSocket closed before opening (code ${event.code ?? 1006})`));
    const timer = setTimeout(() => {
      finish(new Error(`the WebSocket did not open within ${timeoutMs} ms`));
      socket.close();
    }, timeoutMs);
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', onClose);
    socket.addEventListener('error', onError);
  });
}
