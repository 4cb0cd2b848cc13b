// The web mode: one HTTP server on loopback that serves the built renderer and speaks the lab
// protocol over a WebSocket at /lab. The WebSocket is accepted only from this server's own
// origin and with the random per-run token carried in the printed URL, so another page in the
// user's browser or another user on the machine cannot drive the lab.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabApi } from './lab-api';
import { serveLab } from './lab-endpoint';
import { relayBackend } from './lab-relay';
import { contentTypeOf, fileUnderRoot } from './static-files';
import type { MessagePortLike } from './message-port';
import type { ServerMessage } from './protocol';

export interface WebServerOptions {
  readonly lab: LabApi;
  readonly port?: number;
  readonly host?: string;
  /** The built renderer (dist/web). */
  readonly webRoot: string;
}

export interface WebServer {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1 << 20;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(16).toString('hex');
  const webRoot = resolve(options.webRoot);
  const backend = relayBackend(options.lab);

  const server = createServer((request, response) => {
    void serveStatic(webRoot, request, response);
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = host.includes(':') ? `[${host}]` : host;
  const allowedOrigins = new Set([`http://${displayHost}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`]);

  server.on('upgrade', (request, socket, head) => {
    const refusal = checkUpgrade(request, token, allowedOrigins);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveLab(backend, socketPort(ws)));
  });

  return {
    url: `http://${displayHost}:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((done) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function checkUpgrade(request: IncomingMessage, token: string, origins: Set<string>): string | null {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== '/lab') return '404 Not Found';
  const origin = request.headers.origin;
  if (origin !== undefined && !origins.has(origin)) return '403 Forbidden';
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return '401 Unauthorized';
  return null;
}

function socketPort(ws: WebSocket): MessagePortLike<ServerMessage> {
  return {
    send: (message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    },
    onMessage: (listener) => {
      const onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
        if (isBinary) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          parsed = undefined; // reported by the endpoint's validation as malformed
        }
        listener(parsed);
      };
      ws.on('message', onMessage);
      return () => ws.off('message', onMessage);
    },
    onClose: (listener) => {
      const onClose = (code: number): void => listener(`the browser closed the connection (${code})`);
      ws.on('close', onClose);
      return () => ws.off('close', onClose);
    },
    close: () => ws.close(),
  };
}

async function serveStatic(webRoot: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    response.writeHead(400).end('bad path');
    return;
  }
  const file = fileUnderRoot(webRoot, pathname);
  if (file === null) {
    response.writeHead(403).end();
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    response.writeHead(200, {
      'Content-Type': contentTypeOf(file),
      'Content-Length': info.size,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  } catch {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
}
