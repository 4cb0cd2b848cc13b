// The preload script (sandboxed, CommonJS): exposes `window.lab`, the one lab API the renderer
// gets, through contextBridge. It runs core/lab's LabClient over two IPC channels to the main
// process, and settles each request to an outcome object so the LabError code survives the
// bridge. Nothing of Node or Electron is exposed.
import { contextBridge, ipcRenderer } from 'electron';
import { LabClient } from '../core/lab/lab-client';
import type { MessagePortLike } from '../core/lab/message-port';
import { LabError, type ClientMessage, type LabErrorInfo } from '../core/lab/protocol';
import { LAB_IPC, type LabBridge } from './lab-bridge';

const messageListeners = new Set<(message: unknown) => void>();
ipcRenderer.on(LAB_IPC.SERVER, (_event, message: unknown) => {
  for (const listener of messageListeners) listener(message);
});

const port: MessagePortLike<ClientMessage> = {
  send: (message) => ipcRenderer.send(LAB_IPC.CLIENT, message),
  onMessage: (listener) => {
    messageListeners.add(listener);
    return () => messageListeners.delete(listener);
  },
  // The page's lifetime is the connection's: the main process ends the session on reload/close.
  onClose: () => () => undefined,
  close: () => messageListeners.clear(),
};

const client = new LabClient(port);
ipcRenderer.send(LAB_IPC.CONNECT);

function errorInfo(error: unknown): LabErrorInfo {
  if (error instanceof LabError) return { code: error.code, message: error.message };
  return { code: 'host-failed', message: error instanceof Error ? error.message : String(error) };
}

const bridge: LabBridge = {
  request: (method, params) =>
    client.request(method, params).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error: errorInfo(error) }),
    ),
  onEvents: (listener) => client.onEvents((events, dropped) => listener(events, dropped)),
};

contextBridge.exposeInMainWorld('lab', bridge);
