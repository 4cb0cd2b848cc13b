// The monitor log store: the protected host's decisions become lines of a read-only console, each
// shown once (across polls and reconnections), with a notice when the host's bounded log dropped
// some and when the hosts were built afresh; a host without a protected host gets no log.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MonitorDecision } from '../../core/lab/protocol';
import { useConsolesStore } from '../../renderer/stores/consoles';
import { formatDecision, MONITOR_POLL_MS, useMonitorLogStore } from '../../renderer/stores/monitor-log';
import { FakeLab } from './fake-lab';

const decision = (i: number, outcome: MonitorDecision['outcome'] = 'allowed'): MonitorDecision => ({
  time: 10_000_000 * i, hart: i % 2, vm: 1, mechanism: 'eptx', attempted: `access ${i}`, outcome,
});

// The host's side: a bounded log of decisions from position `first`.
function hostLog(lab: FakeLab, log: { first: number; list: MonitorDecision[] }): void {
  lab.mock('patch.list', () => ({ hosts: ['bare', 'protected'], patches: [] }));
  lab.mock('monitor.decisions', ({ since = 0 }) => ({
    decisions: log.list.slice(Math.max(0, since - log.first)),
    next: log.first + log.list.length,
  }));
}

const plain = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

beforeEach(() => {
  setActivePinia(createPinia());
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('monitor log store', () => {
  it('shows each decision once, in a read-only console named after the host', async () => {
    const lab = new FakeLab();
    const log = { first: 0, list: [decision(1), decision(2, 'refused')] };
    hostLog(lab, log);
    const consoles = useConsolesStore();
    const stop = useMonitorLogStore().attach(lab);
    await vi.advanceTimersByTimeAsync(0);
    expect(consoles.names).toEqual(['protected:monitor']);
    expect(consoles.isReadOnly('protected:monitor')).toBe(true);
    expect(await consoles.send('protected:monitor', 'x')).toBe(false);
    log.list.push(decision(3, 'fail-stop'));
    await vi.advanceTimersByTimeAsync(MONITOR_POLL_MS);
    await vi.advanceTimersByTimeAsync(MONITOR_POLL_MS);
    const text = plain(consoles.scrollbackOf('protected:monitor'));
    expect(text.split('\r\n').filter(Boolean)).toEqual([1, 2, 3].map((i) => plain(formatDecision(log.list[i - 1]!)).trimEnd()));
    expect(text).toMatch(/1\.000000 s {2}hart 1 {2}vm1 {3}eptx +allowed +access 1/);
    expect(text).toMatch(/refused +access 2/);
    stop();
    // A reconnection goes on from where the last one stopped.
    useMonitorLogStore().attach(lab);
    await vi.advanceTimersByTimeAsync(0);
    expect(plain(consoles.scrollbackOf('protected:monitor'))).toBe(text);
  });

  it('says when decisions fell out of the host log and when the hosts were built afresh', async () => {
    const lab = new FakeLab();
    const log = { first: 0, list: [decision(1)] };
    hostLog(lab, log);
    const consoles = useConsolesStore();
    useMonitorLogStore().attach(lab);
    await vi.advanceTimersByTimeAsync(0);
    log.first = 5;
    log.list = [decision(6)];
    await vi.advanceTimersByTimeAsync(MONITOR_POLL_MS);
    expect(plain(consoles.scrollbackOf('protected:monitor'))).toContain("--- 4 decisions fell out of the host's bounded log ---");
    log.first = 0;
    log.list = [decision(7)];
    await vi.advanceTimersByTimeAsync(MONITOR_POLL_MS);
    const text = plain(consoles.scrollbackOf('protected:monitor'));
    expect(text).toContain('the host was built afresh');
    expect(text).toContain('access 7');
  });

  it('keeps no log for a lab without a protected host', async () => {
    const lab = new FakeLab();
    lab.mock('patch.list', () => ({ hosts: ['bare'], patches: [] }));
    useMonitorLogStore().attach(lab);
    await vi.advanceTimersByTimeAsync(MONITOR_POLL_MS * 3);
    expect(useConsolesStore().names).toEqual([]);
    expect(lab.calls.map((c) => c.method)).toEqual(['patch.list']);
  });
});
