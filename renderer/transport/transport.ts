// What the renderer needs from a connection to the lab host, whatever carries it (Electron IPC
// or a WebSocket). Stores see only `api`; the shell also watches `onLost` to tell the user when
// the host went away, and a refused connection is a typed error the UI can explain.
import type { LabApi } from '../../core/lab/lab-api';

export type TransportMode = 'electron' | 'web';

export interface LabTransport {
  readonly mode: TransportMode;
  readonly api: LabApi;
  /** Called once if the connection is lost after it was established; returns unsubscribe. */
  onLost(listener: (reason: string) => void): () => void;
  close(): void;
}

export type TransportFailure = 'unauthorised' | 'unreachable' | 'no-transport';

/** Connecting failed; `kind` says why in a way the UI can show without guessing. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportFailure,
    message: string,
  ) {
    super(message);
  }
}
