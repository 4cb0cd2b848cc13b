// The one typed API every front end uses: `window.lab` in Electron, a WebSocket client in the
// browser, a direct in-process client in the CLI and tests. Same shape everywhere.
import type { LabEvent, LabMethod, LabParams, LabResult } from './protocol';

export type EventListener = (events: readonly LabEvent[], dropped: number) => void;

export interface LabApi {
  request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>>;
  /** Receive host events in batches; returns the function that unsubscribes. */
  onEvents(listener: EventListener): () => void;
}
