// The protocol end to end over an in-memory port pair: a real HostSession with the demo machine
// on one side, LabClient on the other.
import { afterEach, describe, expect, it } from 'vitest';
import { DemoMachine } from '../../core/lab/demo-machine';
import { HostSession } from '../../core/lab/host-session';
import { LabClient } from '../../core/lab/lab-client';
import { serveLab } from '../../core/lab/lab-endpoint';
import { createPortPair } from '../../core/lab/message-port';
import { LabError, type ClientMessage, type LabEvent, type ServerMessage } from '../../core/lab/protocol';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function connect() {
  const [clientPort, serverPort] = createPortPair<ClientMessage, ServerMessage>();
  const session = new HostSession(new DemoMachine(), { seed: 'cafe' });
  const stop = serveLab(session, serverPort, { flushIntervalMs: 1 });
  const client = new LabClient(clientPort, { requestTimeoutMs: 2000 });
  cleanups.push(() => {
    stop();
    clientPort.close();
  });
  return { client, clientPort, serverPort, session };
}

function collect(client: LabClient): LabEvent[] {
  const events: LabEvent[] = [];
  client.onEvents((batch) => events.push(...batch));
  return events;
}

async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('lab protocol', () => {
  it('answers requests with typed results', async () => {
    const { client } = connect();
    const info = await client.request('host.info', {});
    expect(info.product).toBe('CloudVisor Lab');
    expect(info.seed).toBe('cafe');
    expect(info.consoles).toEqual(['demo']);
    const status = await client.request('host.step', { instructions: 12_345 });
    expect(status).toMatchObject({ state: 'paused', instructions: 12_345 });
  });

  it('rejects bad parameters and unknown methods with codes, not hangs', async () => {
    const { client } = connect();
    await expect(client.request('host.step', { instructions: -1 })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(client.request('console.input', { console: 'nope', data: 'x' })).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(client.request('no.such' as 'host.info', {})).rejects.toMatchObject({ code: 'unknown-method' });
  });

  it('streams console output and echoes console input', async () => {
    const { client } = connect();
    const events = collect(client);
    await client.request('host.step', { instructions: 1 });
    await client.request('console.input', { console: 'demo', data: 'hi\r' });
    const text = () =>
      events
        .filter((e): e is Extract<LabEvent, { kind: 'console' }> => e.kind === 'console')
        .map((e) => e.data)
        .join('');
    await until(() => text().includes('you typed: hi'));
    expect(text()).toContain('demo source');
  });

  it('runs and pauses, reporting status events', async () => {
    const { client } = connect();
    const events = collect(client);
    await client.request('host.start', {});
    await until(() => events.some((e) => e.kind === 'console' && e.data.includes('heartbeat')));
    const paused = await client.request('host.pause', {});
    expect(paused.state).toBe('paused');
    expect(paused.instructions).toBeGreaterThan(0);
    const again = await client.request('host.status', {});
    expect(again.instructions).toBe(paused.instructions);
    expect(events.some((e) => e.kind === 'status' && e.status.state === 'running')).toBe(true);
  });

  it('rejects pending requests when the connection closes', async () => {
    const [clientPort] = createPortPair<ClientMessage, ServerMessage>();
    const client = new LabClient(clientPort, { requestTimeoutMs: 0 });
    const events = collect(client);
    const pending = client.request('host.info', {});
    clientPort.close();
    await expect(pending).rejects.toBeInstanceOf(LabError);
    await expect(client.request('host.info', {})).rejects.toMatchObject({ code: 'closed' });
    expect(events.some((e) => e.kind === 'host-error')).toBe(true);
  });

  it('times out a request nobody answers', async () => {
    const [clientPort] = createPortPair<ClientMessage, ServerMessage>();
    const client = new LabClient(clientPort, { requestTimeoutMs: 50 });
    await expect(client.request('host.info', {})).rejects.toMatchObject({ code: 'timeout' });
    clientPort.close();
  });

  it('survives malformed messages from either side', async () => {
    const { client, clientPort, serverPort } = connect();
    const events = collect(client);
    (clientPort.send as (m: unknown) => void)({ type: 'request', id: 'x' });
    (serverPort.send as (m: unknown) => void)({ type: 'events', seq: 1, events: [{ kind: 'bogus' }], dropped: 0 });
    await until(() => events.some((e) => e.kind === 'host-error'));
    expect((await client.request('host.info', {})).product).toBe('CloudVisor Lab');
    await until(() => events.some((e) => e.kind === 'log' && e.message.includes('malformed')));
  });
});

describe('late-joining front ends', () => {
  it('start with the console history and the latest status', async () => {
    const { relayBackend } = await import('../../core/lab/lab-relay');
    const { client: first } = connect();
    const relay = relayBackend(first);
    await first.request('host.step', { instructions: 1 });
    await first.request('console.input', { console: 'demo', data: 'early\r' });
    await until(() => (relay.history?.() ?? []).some((e) => e.kind === 'console' && e.data.includes('you typed: early')));
    const [clientPort, serverPort] = createPortPair<ClientMessage, ServerMessage>();
    const stop = serveLab(relay, serverPort, { flushIntervalMs: 1 });
    cleanups.push(() => {
      stop();
      clientPort.close();
    });
    const late = new LabClient(clientPort, { requestTimeoutMs: 2000 });
    const events = collect(late);
    await until(() => events.some((e) => e.kind === 'console' && e.data.includes('you typed: early')));
    expect(events.some((e) => e.kind === 'console' && e.data.includes('demo source'))).toBe(true);
  });
});
