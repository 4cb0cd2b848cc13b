// The web mode's server: static files, the token and origin checks, and the protocol over a real
// WebSocket to a real host worker.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LabHost } from '../../core/lab/lab-host';
import { startWebServer, type WebServer } from '../../core/lab/web-server';

let lab: LabHost;
let server: WebServer;
let base: string;

beforeAll(async () => {
  const webRoot = mkdtempSync(join(tmpdir(), 'cvl-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>lab</title>');
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(webRoot, '..', 'secret-outside.txt'), 'outside');
  lab = new LabHost({ seed: 'beef', autoStart: true });
  server = await startWebServer({ lab, webRoot });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  await lab.close();
});

function open(path: string, origin?: string): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${server.port}${path}`, origin ? { origin } : {});
}

function refusal(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('web server', () => {
  it('binds to loopback and prints a URL carrying the token', () => {
    expect(server.url).toBe(`${base}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('serves the renderer with content types and refuses paths outside it', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    const js = await fetch(`${base}/assets/app.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${base}/%2e%2e/secret-outside.txt`)).status).not.toBe(200);
    expect((await fetch(`${base}/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a WebSocket without the right token or from another origin', async () => {
    expect(await refusal(open('/lab?token=wrong', base))).toBe(401);
    expect(await refusal(open('/lab', base))).toBe(401);
    expect(await refusal(open(`/lab?token=${server.token}`, 'http://evil.example'))).toBe(403);
    expect(await refusal(open(`/other?token=${server.token}`, base))).toBe(404);
  });

  it('speaks the lab protocol to the host over the WebSocket', async () => {
    const ws = open(`/lab?token=${server.token}`, base);
    const messages: { type: string; id?: number; ok?: boolean; result?: { seed?: string }; seq?: number; events?: { kind: string; data?: string }[] }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      messages.push(message);
      if (message.type === 'events') ws.send(JSON.stringify({ type: 'ack', seq: message.seq }));
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'request', id: 7, method: 'host.info', params: {} }));
    ws.send('this is not json');
    const deadline = Date.now() + 5000;
    const answered = () => messages.find((m) => m.type === 'response' && m.id === 7);
    const sawConsole = () => messages.some((m) => m.type === 'events' && m.events?.some((e) => e.kind === 'console'));
    while ((!answered() || !sawConsole()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(answered()).toMatchObject({ ok: true, result: { seed: 'beef' } });
    expect(sawConsole()).toBe(true);
    ws.close();
  });
});
