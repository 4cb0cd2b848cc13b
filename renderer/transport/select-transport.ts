// Picks the transport for where the renderer runs: the Electron preload bridge when present,
// otherwise the WebSocket of the server that served this page.
import { connectIpc } from './ipc-transport';
import type { LabTransport } from './transport';
import { connectWebSocket } from './websocket-transport';

export async function connectLab(): Promise<LabTransport> {
  if (window.lab) return connectIpc(window.lab);
  return connectWebSocket({ pageUrl: window.location.href });
}
