// Serves the lab to each app window over IPC: one serveLab session (own event pump, own
// backpressure) per page load, relayed to the main process's LabHost. Every message is checked
// first: it must come from the top frame of a window showing our own cvlab:// page; anything
// else is dropped and logged. A reload replaces the page's session; a closed window ends it.
import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import type { LabApi } from '../core/lab/lab-api';
import { serveLab } from '../core/lab/lab-endpoint';
import { relayBackend } from '../core/lab/lab-relay';
import type { MessagePortLike } from '../core/lab/message-port';
import type { ServerMessage } from '../core/lab/protocol';
import { isTrustedFrame } from './app-origin';
import { LAB_IPC } from './lab-bridge';

interface IpcSession {
  deliver(message: unknown): void;
  close(reason: string): void;
}

function isTrustedSender(event: IpcMainEvent): boolean {
  return isTrustedFrame(event.senderFrame);
}

export function serveLabOverIpc(lab: LabApi, log: (message: string) => void = console.warn): () => void {
  const backend = relayBackend(lab);
  const sessions = new Map<number, IpcSession>();
  const watched = new Set<number>();

  const onConnect = (event: IpcMainEvent): void => {
    if (!isTrustedSender(event))
      return log(`refused a lab connection from ${event.senderFrame?.url ?? 'an unknown frame'}`);
    const contents = event.sender;
    sessions.get(contents.id)?.close('the page was reloaded');
    const session = createSession(contents, () => sessions.delete(contents.id));
    sessions.set(contents.id, session.handle);
    serveLab(backend, session.port);
    if (!watched.has(contents.id)) {
      watched.add(contents.id);
      const id = contents.id;
      contents.once('destroyed', () => {
        watched.delete(id);
        sessions.get(id)?.close('the window was closed');
      });
    }
  };
  const onClient = (event: IpcMainEvent, message: unknown): void => {
    if (!isTrustedSender(event))
      return log(`dropped a lab message from ${event.senderFrame?.url ?? 'an unknown frame'}`);
    sessions.get(event.sender.id)?.deliver(message);
  };

  ipcMain.on(LAB_IPC.CONNECT, onConnect);
  ipcMain.on(LAB_IPC.CLIENT, onClient);
  return () => {
    ipcMain.off(LAB_IPC.CONNECT, onConnect);
    ipcMain.off(LAB_IPC.CLIENT, onClient);
    for (const session of [...sessions.values()]) session.close('the app is closing');
  };
}

function createSession(
  contents: WebContents,
  forget: () => void,
): { handle: IpcSession; port: MessagePortLike<ServerMessage> } {
  const messageListeners = new Set<(message: unknown) => void>();
  const closeListeners = new Set<(reason: string) => void>();
  let open = true;
  const close = (reason: string): void => {
    if (!open) return;
    open = false;
    forget();
    for (const listener of closeListeners) listener(reason);
    closeListeners.clear();
    messageListeners.clear();
  };
  const port: MessagePortLike<ServerMessage> = {
    send: (message) => {
      if (open && !contents.isDestroyed()) contents.send(LAB_IPC.SERVER, message);
    },
    onMessage: (listener) => {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose: (listener) => {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => close('closed by the main process'),
  };
  const handle: IpcSession = {
    deliver: (message) => {
      if (!open) return;
      for (const listener of messageListeners) listener(message);
    },
    close,
  };
  return { handle, port };
}
