// The Electron path minus Electron: the bridge object the preload exposes (createLabBridge) over
// an in-memory port to serveLab relaying a real host worker, consumed by the renderer's IPC
// transport. Checks results, LabError codes surviving the outcome encoding, and events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLab } from '../../core/lab/lab-endpoint';
import { LabHost } from '../../core/lab/lab-host';
import { relayBackend } from '../../core/lab/lab-relay';
import { createPortPair } from '../../core/lab/message-port';
import { LabError, type ClientMessage, type LabEvent, type ServerMessage } from '../../core/lab/protocol';
import { createLabBridge } from '../../electron/lab-bridge-client';
import { connectIpc } from '../../renderer/transport/ipc-transport';

let host: LabHost;

beforeAll(() => {
  host = new LabHost({ seed: 'ipc-test' });
});

afterAll(async () => {
  await host?.close();
});

function connect() {
  const [clientPort, serverPort] = createPortPair<ClientMessage, ServerMessage>();
  const stop = serveLab(relayBackend(host), serverPort);
  const transport = connectIpc(createLabBridge(clientPort));
  return { transport, stop: () => (stop(), clientPort.close()) };
}

describe('IPC transport over the preload bridge', () => {
  it('returns results and streams events', async () => {
    const { transport, stop } = connect();
    try {
      expect(transport.mode).toBe('electron');
      const seen: LabEvent[] = [];
      transport.api.onEvents((events) => seen.push(...events));
      expect((await transport.api.request('host.info', {})).seed).toBe('ipc-test');
      await transport.api.request('host.reset', {});
      await transport.api.request('host.step', { instructions: 5 });
      const deadline = Date.now() + 10_000;
      while (
        !seen.some((e) => e.kind === 'console' && e.data.includes('demo source')) &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen.some((e) => e.kind === 'console' && e.data.includes('CloudVisor Lab demo source'))).toBe(
        true,
      );
    } finally {
      stop();
    }
  });

  it('turns a failed outcome back into a LabError with its code', async () => {
    const { transport, stop } = connect();
    try {
      const error = await transport.api
        .request('console.input', { console: 'nope', data: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabError);
      expect(error).toMatchObject({ code: 'bad-request', message: 'no console named "nope"' });
    } finally {
      stop();
    }
  });

  it('reports a closed connection as code "closed", not as a hang', async () => {
    const { transport, stop } = connect();
    stop();
    await expect(transport.api.request('host.status', {})).rejects.toMatchObject({ code: 'closed' });
  });
});
