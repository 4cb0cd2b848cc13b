// The web-mode transport in Node against real servers: the lab's own web server with a real
// host worker (requests, events, input echo, wrong and missing token), and a bare `ws` server
// for what the lab server never sends (non-JSON frames, an abrupt close mid-request).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LabClient } from '../../core/lab/lab-client';
import { LabHost } from '../../core/lab/lab-host';
import type { ClientMessage, LabEvent } from '../../core/lab/protocol';
import { startWebServer, type WebServer } from '../../core/lab/web-server';
import { TransportError, type LabTransport } from '../../renderer/transport/transport';
import { createWebSocketPort, openSocket, type SocketLike } from '../../renderer/transport/websocket-port';
import { connectWebSocket, labSocketUrl } from '../../renderer/transport/websocket-transport';

const createSocket = (url: string): SocketLike => new WebSocket(url);

function collect(transport: LabTransport): LabEvent[] {
  const seen: LabEvent[] = [];
  transport.api.onEvents((events) => seen.push(...events));
  return seen;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('labSocketUrl', () => {
  it('points at /lab on the page origin with the token', () => {
    expect(labSocketUrl('http://127.0.0.1:4567/?token=abc', 'abc')).toBe('ws://127.0.0.1:4567/lab?token=abc');
    expect(labSocketUrl('https://lab.example:8443/sub/index.html?token=x#y', 'x y')).toBe(
      'wss://lab.example:8443/lab?token=x%20y',
    );
  });
});

describe('WebSocket transport against the lab web server', () => {
  let host: LabHost;
  let server: WebServer;

  beforeAll(async () => {
    host = new LabHost({ seed: 'transport-test' });
    server = await startWebServer({ lab: host, webRoot: mkdtempSync(join(tmpdir(), 'cvlab-web-')), port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await host?.close();
  });

  it('answers requests and streams console events both ways', async () => {
    const transport = await connectWebSocket({ pageUrl: server.url, createSocket });
    try {
      expect(transport.mode).toBe('web');
      const seen = collect(transport);
      const info = await transport.api.request('host.info', {});
      expect(info.seed).toBe('transport-test');
      expect(info.consoles).toEqual(['demo']);
      await transport.api.request('host.reset', {});
      const stepped = await transport.api.request('host.step', { instructions: 10 });
      expect(stepped.instructions).toBe(10);
      await transport.api.request('console.input', { console: 'demo', data: 'abc\r' });
      const text = (): string => seen.flatMap((e) => (e.kind === 'console' ? [e.data] : [])).join('');
      await until(() => text().includes('you typed: abc'), 'the echo');
      expect(text()).toContain('CloudVisor Lab demo source');
    } finally {
      transport.close();
    }
  });

  it('passes on the host refusal with its code', async () => {
    const transport = await connectWebSocket({ pageUrl: server.url, createSocket });
    try {
      await expect(transport.api.request('host.step', { instructions: 0 })).rejects.toMatchObject({
        name: 'LabError',
        code: 'bad-request',
      });
    } finally {
      transport.close();
    }
  });

  it('says "not authorised" for a wrong token while the server is up', async () => {
    const wrong = server.url.replace(/token=[0-9a-f]+/, `token=${'f'.repeat(32)}`);
    const failure = await connectWebSocket({ pageUrl: wrong, createSocket }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as TransportError).kind).toBe('unauthorised');
    expect((failure as TransportError).message).toMatch(/^Not authorised/);
  });

  it('says "not authorised" without trying when the address has no token', async () => {
    let tried = false;
    const failure = await connectWebSocket({
      pageUrl: server.url.replace(/\?token=.*/, ''),
      createSocket: (url) => ((tried = true), createSocket(url)),
    }).catch((error: unknown) => error);
    expect((failure as TransportError).kind).toBe('unauthorised');
    expect(tried).toBe(false);
  });

  it('says "unreachable" when nothing answers at all', async () => {
    const down = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => down.once('listening', r));
    const port = (down.address() as { port: number }).port;
    await new Promise((r) => down.close(r));
    const failure = await connectWebSocket({
      pageUrl: `http://127.0.0.1:${port}/?token=abc`,
      createSocket,
    }).catch((error: unknown) => error);
    expect((failure as TransportError).kind).toBe('unreachable');
  });
});

describe('WebSocket port against a bare ws server', () => {
  let wss: WebSocketServer;
  let url: string;
  let onConnection: (socket: WebSocket) => void = () => undefined;

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
    wss.on('connection', (socket) => onConnection(socket));
  });

  afterAll(async () => {
    await new Promise((r) => wss.close(r));
  });

  it('sends JSON text frames and reports a non-JSON frame as malformed', async () => {
    const received: unknown[] = [];
    onConnection = (socket) =>
      socket.on('message', (data) => {
        received.push(JSON.parse(String(data)));
        socket.send('this is not json');
      });
    const socket = await openSocket(() => createSocket(url));
    const client = new LabClient(createWebSocketPort<ClientMessage>(socket), { requestTimeoutMs: 0 });
    const errors: string[] = [];
    client.onEvents((events) =>
      errors.push(...events.flatMap((e) => (e.kind === 'host-error' ? [e.message] : []))),
    );
    void client.request('host.status', {}).catch(() => undefined);
    await until(() => errors.length > 0, 'the malformed-message report');
    expect(received).toEqual([{ type: 'request', id: 1, method: 'host.status', params: {} }]);
    expect(errors[0]).toContain('malformed message from the host');
    client.close();
  });

  it('rejects pending requests and reports the loss when the server drops the connection', async () => {
    onConnection = (socket) => socket.on('message', () => socket.terminate());
    const socket = await openSocket(() => createSocket(url));
    const port = createWebSocketPort<ClientMessage>(socket);
    const lost: string[] = [];
    port.onClose((reason) => lost.push(reason));
    const client = new LabClient(port);
    await expect(client.request('host.info', {})).rejects.toMatchObject({ code: 'closed' });
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain('code 1006');
    expect(() => port.send({ type: 'ack', seq: 1 })).toThrow('the connection is closed');
  });

  it('refuses to open against a server that is gone', async () => {
    await expect(openSocket(() => createSocket('ws://127.0.0.1:1/'))).rejects.toThrow(
      'closed before opening',
    );
  });
});
