// The events store: which host events become log entries, dropped-event notices, the size bound,
// and the level and text filters.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../core/lab/protocol';
import { MAX_ENTRIES, useEventsStore } from '../../renderer/stores/events';
import { FakeLab } from './fake-lab';

const status = (state: HostStatus['state']): HostStatus => ({
  state,
  instructions: 0,
  virtualTime: 0,
  mips: 0,
});

beforeEach(() => setActivePinia(createPinia()));

describe('events store', () => {
  it('logs log lines, host errors, drops and state changes, but not console text', () => {
    const events = useEventsStore();
    const lab = new FakeLab();
    events.attach(lab);
    lab.emit(
      [
        { kind: 'status', status: status('paused') },
        { kind: 'console', console: 'demo', data: 'hi' },
        { kind: 'log', level: 'warn', source: 'monitor', message: 'refused a write' },
        { kind: 'status', status: status('paused') },
        { kind: 'status', status: status('running') },
        { kind: 'host-error', message: 'the machine failed: boom', detail: 'stack' },
      ],
      3,
    );
    expect(events.entries.map((e) => [e.level, e.source, e.message])).toEqual([
      ['warn', 'lab', 'host events were dropped or console text cut short: this window fell behind the host'],
      ['warn', 'monitor', 'refused a write'],
      ['info', 'host', 'host is running'],
      ['error', 'host', 'the machine failed: boom'],
    ]);
    expect(events.entries[3]?.detail).toBe('stack');
    expect(events.droppedTotal).toBe(3);
    expect(events.errorCount).toBe(1);
  });

  it('folds a burst of identical entries into one with a count', () => {
    const events = useEventsStore();
    const lab = new FakeLab();
    events.attach(lab);
    lab.emit([], 2);
    lab.emit([], 5);
    lab.emit([{ kind: 'log', level: 'warn', source: 'lab', message: 'other' }]);
    lab.emit([], 1);
    expect(events.entries.map((e) => [e.message.slice(0, 11), e.repeat])).toEqual([
      ['host events', 2],
      ['other', 1],
      ['host events', 1],
    ]);
    expect(events.droppedTotal).toBe(8);
  });

  it('keeps at most MAX_ENTRIES, dropping the oldest', () => {
    const events = useEventsStore();
    for (let i = 0; i < MAX_ENTRIES + 5; i++) events.add('info', 'test', `entry ${i}`);
    expect(events.entries).toHaveLength(MAX_ENTRIES);
    expect(events.entries[0]?.message).toBe('entry 5');
    expect(events.entries.at(-1)?.message).toBe(`entry ${MAX_ENTRIES + 4}`);
  });

  it('filters by minimum level and by text in message or source', () => {
    const events = useEventsStore();
    events.add('debug', 'hart', 'fetch');
    events.add('info', 'monitor', 'page 0x8000 owned by vm1');
    events.add('error', 'vmm', 'patch threw');
    events.minLevel = 'info';
    expect(events.visible.map((e) => e.source)).toEqual(['monitor', 'vmm']);
    events.text = 'VMM';
    expect(events.visible.map((e) => e.source)).toEqual(['vmm']);
    events.text = '0x8000';
    expect(events.visible.map((e) => e.source)).toEqual(['monitor']);
    events.clear();
    expect(events.visible).toEqual([]);
  });

  it('logs what matters for security: refusals and fail-stops by the monitor, leaks, patch faults', () => {
    const events = useEventsStore();
    const lab = new FakeLab();
    events.attach(lab);
    const at = { time: 5, vm: 1 };
    lab.emit([
      { kind: 'security', activity: { host: 'protected', what: 'monitor-refused', ...at, mechanism: 'eptx', message: 'eptx: VMM read of 0x80001000' } },
      { kind: 'security', activity: { host: 'protected', what: 'monitor-fail-stop', ...at, message: 'entry check: forged pc' } },
      { kind: 'security', activity: { host: 'bare', what: 'exfiltrated', time: 5, vm: null, message: 'exfiltrated key: 16 bytes', hex: '00' } },
      { kind: 'security', activity: { host: 'bare', what: 'patch-fault', time: 5, vm: null, message: 'patch threw at line 3' } },
    ]);
    expect(events.entries.map((e) => [e.level, e.source, e.message])).toEqual([
      ['warn', 'monitor (protected)', 'vm1: eptx: VMM read of 0x80001000'],
      ['error', 'monitor (protected)', 'vm1: entry check: forged pc'],
      ['error', 'bare host', 'exfiltrated key: 16 bytes'],
      ['warn', 'bare host', 'patch threw at line 3'],
    ]);
  });

  it('detach removes its host listener', () => {
    const events = useEventsStore();
    const lab = new FakeLab();
    events.attach(lab);
    events.attach(lab);
    expect(lab.listenerCount).toBe(1);
    events.detach();
    expect(lab.listenerCount).toBe(0);
  });
});
