// Builds the `window.lab` bridge object from a LabClient over any port. Kept free of Electron
// imports so the exact object the preload exposes is tested in Node over an in-memory port.
// Requests settle to outcome objects: contextBridge copies only an Error's message, and the
// renderer needs the LabError code.
import { LabClient } from '../core/lab/lab-client';
import type { MessagePortLike } from '../core/lab/message-port';
import { LabError, type ClientMessage, type LabErrorInfo } from '../core/lab/protocol';
import type { LabBridge } from './lab-bridge';

function errorInfo(error: unknown): LabErrorInfo {
  if (error instanceof LabError) return { code: error.code, message: error.message };
  return { code: 'host-failed', message: error instanceof Error ? error.message : String(error) };
}

export function createLabBridge(port: MessagePortLike<ClientMessage>): LabBridge {
  const client = new LabClient(port);
  return {
    request: (method, params) =>
      client.request(method, params).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error: errorInfo(error) }),
      ),
    onEvents: (listener) => client.onEvents((events, dropped) => listener(events, dropped)),
  };
}
