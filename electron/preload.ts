// The preload script (sandboxed, CommonJS): exposes `window.lab`, the one lab API the renderer
// gets, through contextBridge: core/lab's LabClient over two IPC channels to the main process
// (see lab-bridge-client.ts). Nothing of Node or Electron is exposed.
import { contextBridge, ipcRenderer } from 'electron';
import type { MessagePortLike } from '../core/lab/message-port';
import type { ClientMessage } from '../core/lab/protocol';
import { LAB_IPC } from './lab-bridge';
import { createLabBridge } from './lab-bridge-client';

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

const bridge = createLabBridge(port);
ipcRenderer.send(LAB_IPC.CONNECT);
contextBridge.exposeInMainWorld('lab', bridge);
