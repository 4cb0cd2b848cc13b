import { describe, expect, it } from 'vitest';
import { EventPump } from '../../core/lab/event-pump';
import type { EventBatchMessage } from '../../core/lab/protocol';

function pumpWith(options: { maxInFlight?: number; maxBacklog?: number; maxConsoleBacklog?: number } = {}) {
  const sent: EventBatchMessage[] = [];
  const pump = new EventPump({ send: (b) => sent.push(b), ...options });
  return { pump, sent };
}

describe('EventPump', () => {
  it('sends numbered batches and coalesces adjacent console text', () => {
    const { pump, sent } = pumpWith();
    pump.push({ kind: 'console', console: 'a', data: 'hel' });
    pump.push({ kind: 'console', console: 'a', data: 'lo' });
    pump.push({ kind: 'console', console: 'b', data: '!' });
    pump.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.seq).toBe(1);
    expect(sent[0]?.events).toEqual([
      { kind: 'console', console: 'a', data: 'hello' },
      { kind: 'console', console: 'b', data: '!' },
    ]);
  });

  it('holds back when the receiver does not acknowledge, and resumes on ack', () => {
    const { pump, sent } = pumpWith({ maxInFlight: 2 });
    for (let i = 0; i < 5; i++) {
      pump.push({ kind: 'log', level: 'info', source: 't', message: `m${i}` });
      pump.flush();
    }
    expect(sent.map((b) => b.seq)).toEqual([1, 2]);
    expect(pump.pending).toBe(3);
    pump.ack(1);
    pump.flush();
    expect(sent.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(sent[2]?.events.map((e) => (e.kind === 'log' ? e.message : ''))).toEqual(['m2', 'm3', 'm4']);
  });

  it('keeps memory bounded for a receiver that never acknowledges and counts what it drops', () => {
    const { pump, sent } = pumpWith({ maxInFlight: 1, maxBacklog: 100, maxConsoleBacklog: 1000 });
    pump.push({ kind: 'log', level: 'info', source: 't', message: 'first' });
    pump.flush();
    for (let i = 0; i < 10_000; i++) {
      pump.push({ kind: 'log', level: 'info', source: 't', message: `m${i}` });
      pump.push({ kind: 'status', status: { state: 'running', instructions: i, virtualTime: i, mips: 1 } });
    }
    pump.flush();
    expect(sent).toHaveLength(1);
    expect(pump.pending).toBe(101); // 100 logs + the newest status
    pump.ack(1);
    pump.flush();
    const batch = sent[1];
    expect(batch?.dropped).toBe(9_900);
    const statuses = batch?.events.filter((e) => e.kind === 'status') ?? [];
    expect(statuses).toEqual([{ kind: 'status', status: { state: 'running', instructions: 9_999, virtualTime: 9_999, mips: 1 } }]);
  });

  it('keeps the newest console bytes when a console floods', () => {
    const { pump, sent } = pumpWith({ maxInFlight: 1, maxConsoleBacklog: 10 });
    pump.push({ kind: 'log', level: 'info', source: 't', message: 'x' });
    pump.flush();
    for (let i = 0; i < 100; i++) pump.push({ kind: 'console', console: 'c', data: String(i % 10) });
    pump.ack(1);
    pump.flush();
    expect(sent[1]?.events).toEqual([{ kind: 'console', console: 'c', data: '0123456789' }]);
    expect(sent[1]?.dropped).toBeGreaterThan(0);
  });

  it('ignores acknowledgements for batches never sent', () => {
    const { pump } = pumpWith({ maxInFlight: 1 });
    pump.push({ kind: 'log', level: 'info', source: 't', message: 'x' });
    pump.flush();
    pump.ack(99);
    expect(pump.inFlight).toBe(1);
  });
});
