// Picks the transport for where the renderer runs: the Electron preload bridge when present,
// otherwise the WebSocket of the server that served this page. In web mode the access token is
// moved from the address bar into this tab's sessionStorage at once: a lab shown on a projector
// or a shared screen must not display the key to drive it, and a reload still connects.
import { connectIpc } from './ipc-transport';
import type { LabTransport } from './transport';
import { connectWebSocket } from './websocket-transport';

const TOKEN_KEY = 'cvlab.token';

export async function connectLab(): Promise<LabTransport> {
  if (window.lab) return connectIpc(window.lab);
  return connectWebSocket({ pageUrl: window.location.href, token: takeToken() });
}

function takeToken(): string | null {
  const page = new URL(window.location.href);
  const fromAddress = page.searchParams.get('token');
  const storage = tabStorage();
  if (fromAddress !== null && fromAddress !== '') {
    storage?.setItem(TOKEN_KEY, fromAddress);
    // Only hide it from the address bar if it is kept somewhere a reload can find it.
    if (storage) {
      page.searchParams.delete('token');
      window.history.replaceState(window.history.state, '', page.toString());
    }
    return fromAddress;
  }
  return storage?.getItem(TOKEN_KEY) ?? null;
}

function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
