// The lab session: connection outcomes become the host store's phase, a lost connection is
// reported, and a reconnect closes the old transport and leaves exactly one listener per store.
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HostInfo } from '../../core/lab/protocol';
import { LabSession } from '../../renderer/lab-session';
import { useEventsStore } from '../../renderer/stores/events';
import { useHostStore } from '../../renderer/stores/host';
import { TransportError, type LabTransport } from '../../renderer/transport/transport';
import { FakeLab } from './fake-lab';

const INFO: HostInfo = {
  product: 'CloudVisor Lab',
  version: '0',
  machine: 'm',
  harts: 1,
  ramBytes: 0,
  devices: [],
  consoles: ['demo'],
  seed: 's',
};

class FakeTransport implements LabTransport {
  readonly mode = 'web' as const;
  closed = false;
  private lost = new Set<(reason: string) => void>();
  constructor(readonly api: FakeLab) {}
  onLost(listener: (reason: string) => void): () => void {
    this.lost.add(listener);
    return () => this.lost.delete(listener);
  }
  close(): void {
    this.closed = true;
  }
  lose(reason: string): void {
    for (const listener of this.lost) listener(reason);
  }
  get lostListeners(): number {
    return this.lost.size;
  }
}

function lab(): FakeLab {
  return new FakeLab()
    .mock('host.info', () => INFO)
    .mock('host.status', () => ({ state: 'paused', instructions: 0, virtualTime: 0, mips: 0 }));
}

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});

describe('lab session', () => {
  it('shows a refused connection as unauthorised, with the message', async () => {
    const session = new LabSession(pinia, () =>
      Promise.reject(new TransportError('unauthorised', 'Not authorised: bad token')),
    );
    await session.start();
    expect(useHostStore().phase).toBe('unauthorised');
    expect(useHostStore().phaseMessage).toBe('Not authorised: bad token');
  });

  it('shows an unexpected failure as unreachable', async () => {
    const session = new LabSession(pinia, () => Promise.reject(new Error('boom')));
    await session.start();
    expect(useHostStore().phase).toBe('unreachable');
    expect(useHostStore().phaseMessage).toContain('boom');
  });

  it('connects, reports a loss, and reconnects cleanly', async () => {
    const transports: FakeTransport[] = [];
    const session = new LabSession(pinia, async () => {
      const transport = new FakeTransport(lab());
      transports.push(transport);
      return transport;
    });
    await session.start();
    const host = useHostStore();
    expect(host.phase).toBe('connected');
    // host, consoles and events each listen once.
    expect(transports[0]?.api.listenerCount).toBe(3);

    transports[0]?.lose('the connection dropped (code 1006)');
    expect(host.phase).toBe('lost');
    expect(useEventsStore().entries.at(-1)?.message).toBe(
      'connection lost: the connection dropped (code 1006)',
    );

    await session.start();
    expect(host.phase).toBe('connected');
    expect(transports[0]?.closed).toBe(true);
    expect(transports[0]?.api.listenerCount).toBe(0);
    expect(transports[0]?.lostListeners).toBe(0);
    expect(transports[1]?.api.listenerCount).toBe(3);
  });

  it('attaches later panels on every connection and detaches them before the next', async () => {
    const session = new LabSession(pinia, async () => new FakeTransport(lab()));
    const log: string[] = [];
    session.attach((_api, info) => {
      log.push(`attach ${info?.machine ?? 'none'}`);
      return () => log.push('detach');
    });
    await session.start();
    await session.start();
    const late: string[] = [];
    session.attach(() => (late.push('attach'), () => late.push('detach')));
    session.dispose();
    expect(log).toEqual(['attach m', 'detach', 'attach m', 'detach']);
    expect(late).toEqual(['attach', 'detach']);
  });
});
