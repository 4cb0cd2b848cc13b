// Web mode: the renderer in a plain browser talks to `npm run serve` over ws://HOST/lab?token=T,
// same origin as the page. The server refuses a wrong token at the handshake, which a browser
// reports only as "closed before open"; we then probe the page's own origin over HTTP to tell
// "refused" (server up: the token is wrong) from "unreachable" (server down).
import { LabClient } from '../../core/lab/lab-client';
import type { ClientMessage } from '../../core/lab/protocol';
import { TransportError, type LabTransport } from './transport';
import { createWebSocketPort, openSocket, type SocketLike } from './websocket-port';

export interface WebSocketTransportOptions {
  /** The page's address: the server's origin, and its `token` query parameter if `token` is not given. */
  readonly pageUrl: string;
  /** The access token; taken from pageUrl's `token` parameter when absent. */
  readonly token?: string | null;
  readonly createSocket?: (url: string) => SocketLike;
  /** Returns true when the server that served the page still answers HTTP. */
  readonly serverAnswers?: (origin: string) => Promise<boolean>;
}

export function labSocketUrl(pageUrl: string, token: string): string {
  const page = new URL(pageUrl);
  const url = new URL('lab', page);
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = '/lab';
  url.search = `?token=${encodeURIComponent(token)}`;
  url.hash = '';
  return url.toString();
}

export async function connectWebSocket(options: WebSocketTransportOptions): Promise<LabTransport> {
  const page = new URL(options.pageUrl);
  const token = options.token !== undefined ? options.token : page.searchParams.get('token');
  if (token === null || token === '') {
    throw new TransportError(
      'unauthorised',
      'Not authorised: this address has no access token. Open the full address printed by `npm run serve` (it ends in ?token=...).',
    );
  }
  const create = options.createSocket ?? ((url: string) => new WebSocket(url) as SocketLike);
  let socket: SocketLike;
  try {
    socket = await openSocket(() => create(labSocketUrl(options.pageUrl, token)));
  } catch (error) {
    const answers = await (options.serverAnswers ?? httpAnswers)(page.origin);
    if (answers) {
      throw new TransportError(
        'unauthorised',
        'Not authorised: the lab server refused this page. The token in the address is wrong or from an earlier run; open the address `npm run serve` printed this time.',
      );
    }
    throw new TransportError(
      'unreachable',
      `The lab server at ${page.origin} is not reachable (${String(error instanceof Error ? error.message : error)}). Is \`npm run serve\` still running?`,
    );
  }
  const port = createWebSocketPort<ClientMessage>(socket);
  const client = new LabClient(port);
  return {
    mode: 'web',
    api: client,
    onLost: (listener) => port.onClose(listener),
    close: () => client.close(),
  };
}

async function httpAnswers(origin: string): Promise<boolean> {
  try {
    // Any HTTP answer (even 404) means the server is up, so the refusal was about the token.
    await fetch(`${origin}/`, { method: 'HEAD' });
    return true;
  } catch {
    return false;
  }
}
