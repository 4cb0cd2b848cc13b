// The host store against a fake lab that rejects anything unmocked: attach, status events,
// optimistic controls with rollback, and no leaked host listener after detach.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HostInfo, HostStatus } from '../../core/lab/protocol';
import { useHostStore } from '../../renderer/stores/host';
import { deferred, FakeLab, refuse } from './fake-lab';

const INFO: HostInfo = {
  product: 'CloudVisor Lab',
  version: '0.1.0',
  machine: 'test machine',
  harts: 2,
  ramBytes: 64 << 20,
  devices: [],
  consoles: ['demo'],
  seed: 'abc',
};
const status = (state: HostStatus['state'], instructions = 0): HostStatus => ({
  state,
  instructions,
  virtualTime: 0,
  mips: 0,
});

function connectedLab(initial: HostStatus = status('paused')): FakeLab {
  return new FakeLab().mock('host.info', () => INFO).mock('host.status', () => initial);
}

beforeEach(() => setActivePinia(createPinia()));

describe('host store', () => {
  it('attaches: reads info and status, then reports connected', async () => {
    const host = useHostStore();
    expect(host.phase).toBe('connecting');
    await host.attach(connectedLab(), 'web');
    expect(host.phase).toBe('connected');
    expect(host.info?.machine).toBe('test machine');
    expect(host.state).toBe('paused');
    expect(host.canStart).toBe(true);
    expect(host.canPause).toBe(false);
  });

  it('reports a host that does not answer as lost, with the reason', async () => {
    const host = useHostStore();
    const lab = new FakeLab()
      .mock('host.info', () => refuse('closed', 'the lab host is gone: worker exited'))
      .mock('host.status', () => status('paused'));
    await host.attach(lab, 'electron');
    expect(host.phase).toBe('lost');
    expect(host.phaseMessage).toContain('worker exited');
  });

  it('follows status events', async () => {
    const host = useHostStore();
    const lab = connectedLab();
    await host.attach(lab, 'web');
    lab.emit([{ kind: 'status', status: status('running', 5000) }]);
    expect(host.state).toBe('running');
    expect(host.status?.instructions).toBe(5000);
  });

  it('shows a control optimistically, then the host answer', async () => {
    const host = useHostStore();
    const answer = deferred<HostStatus>();
    const lab = connectedLab().mock('host.start', () => answer.promise);
    await host.attach(lab, 'web');
    const started = host.start();
    expect(host.state).toBe('running');
    expect(host.pending).toBe('start');
    expect(host.canPause).toBe(false); // no second control while one is in flight
    answer.resolve(status('running', 42));
    expect(await started).toBe(true);
    expect(host.pending).toBeNull();
    expect(host.status?.instructions).toBe(42);
  });

  it('rolls back a refused control and shows the host message', async () => {
    const host = useHostStore();
    const lab = connectedLab(status('crashed')).mock('host.start', () =>
      refuse('host-failed', 'the host is crashed; reset it first'),
    );
    await host.attach(lab, 'web');
    await host.start();
    expect(host.state).toBe('crashed');
    expect(host.lastError).toBe('start failed: the host is crashed; reset it first');
  });

  it('steps by the given count', async () => {
    const host = useHostStore();
    const lab = connectedLab().mock('host.step', ({ instructions }) => status('paused', instructions));
    await host.attach(lab, 'web');
    expect(await host.step(250)).toBe(true);
    expect(lab.calls.at(-1)).toEqual({ method: 'host.step', params: { instructions: 250 } });
    expect(host.status?.instructions).toBe(250);
  });

  it('does nothing when not attached', async () => {
    const host = useHostStore();
    expect(await host.start()).toBe(false);
  });

  it('fails a test on a request nobody mocked (the fake is strict)', async () => {
    const host = useHostStore();
    const lab = connectedLab();
    await host.attach(lab, 'web');
    await host.reset();
    expect(host.lastError).toContain('unmocked request host.reset');
  });

  it('detach removes its host listener, and re-attach does not add a second one', async () => {
    const host = useHostStore();
    const lab = connectedLab();
    await host.attach(lab, 'web');
    await host.attach(lab, 'web');
    expect(lab.listenerCount).toBe(1);
    host.detach();
    expect(lab.listenerCount).toBe(0);
  });
});
