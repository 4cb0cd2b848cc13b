// The shape of `window.lab`, the one API the preload script exposes to the renderer. Types only:
// the preload implements it, the renderer's IPC transport consumes it. Requests settle to an
// outcome object because contextBridge copies only an Error's message, and the renderer needs the
// LabError code (e.g. 'closed' vs 'bad-request') to react correctly.
import type { LabErrorInfo, LabEvent, LabMethod, LabParams, LabResult } from '../core/lab/protocol';

export type LabBridgeOutcome<T> =
  { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: LabErrorInfo };

export type LabBridgeEventListener = (events: readonly LabEvent[], dropped: number) => void;

export interface LabBridge {
  request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabBridgeOutcome<LabResult<M>>>;
  /** Receive host events in batches; returns the function that unsubscribes. */
  onEvents(listener: LabBridgeEventListener): () => void;
}

/** IPC channel names between the preload and the main process. */
export const LAB_IPC = {
  /** preload -> main: a new page wants a lab session (sent once per page load). */
  CONNECT: 'cvlab:connect',
  /** preload -> main: a ClientMessage. */
  CLIENT: 'cvlab:client',
  /** main -> preload: a ServerMessage. */
  SERVER: 'cvlab:server',
} as const;
