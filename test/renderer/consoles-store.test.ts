// The consoles store: scrollback replay then live text to terminals, bounded scrollback, input
// sent as console.input, input errors surfaced, and no leaked writers or host listeners.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { SCROLLBACK_CHARS, useConsolesStore } from '../../renderer/stores/consoles';
import { FakeLab, refuse } from './fake-lab';

beforeEach(() => setActivePinia(createPinia()));

describe('consoles store', () => {
  it('replays the scrollback to a new terminal, then streams to it', () => {
    const consoles = useConsolesStore();
    const lab = new FakeLab();
    consoles.attach(lab, ['demo']);
    lab.emit([
      { kind: 'console', console: 'demo', data: 'boot ' },
      { kind: 'log', level: 'info', source: 'x', message: 'not console' },
    ]);
    const seen: string[] = [];
    const stop = consoles.subscribe('demo', (data) => seen.push(data));
    lab.emit([
      { kind: 'console', console: 'demo', data: 'ok\r\n' },
      { kind: 'console', console: 'other', data: 'elsewhere' },
    ]);
    expect(seen).toEqual(['boot ', 'ok\r\n']);
    expect(consoles.received).toEqual({ demo: 9, other: 9 });
    expect(consoles.names).toEqual(['demo', 'other']);
    stop();
    lab.emit([{ kind: 'console', console: 'demo', data: 'after' }]);
    expect(seen).toHaveLength(2);
    expect(consoles.listenerCount()).toBe(0);
  });

  it('keeps only the newest SCROLLBACK_CHARS characters', () => {
    const consoles = useConsolesStore();
    const lab = new FakeLab();
    consoles.attach(lab, ['demo']);
    const chunk = 'x'.repeat(SCROLLBACK_CHARS - 10);
    lab.emit([{ kind: 'console', console: 'demo', data: chunk }]);
    lab.emit([{ kind: 'console', console: 'demo', data: '0123456789abcdef' }]);
    const text = consoles.scrollbackOf('demo');
    expect(text).toHaveLength(SCROLLBACK_CHARS);
    expect(text.endsWith('0123456789abcdef')).toBe(true);
  });

  it('sends typed input as console.input', async () => {
    const consoles = useConsolesStore();
    const lab = new FakeLab().mock('console.input', ({ data }) => ({ accepted: data.length }));
    consoles.attach(lab, ['demo']);
    expect(await consoles.send('demo', 'ls\r')).toBe(true);
    expect(lab.calls).toEqual([{ method: 'console.input', params: { console: 'demo', data: 'ls\r' } }]);
    expect(consoles.inputError).toBeNull();
  });

  it('shows why input was refused', async () => {
    const consoles = useConsolesStore();
    const lab = new FakeLab().mock('console.input', () => refuse('bad-request', 'no console named "nope"'));
    consoles.attach(lab, ['demo']);
    expect(await consoles.send('nope', 'x')).toBe(false);
    expect(consoles.inputError).toBe('input to nope failed: no console named "nope"');
  });

  it('says it is not connected before attach', async () => {
    const consoles = useConsolesStore();
    expect(await consoles.send('demo', 'x')).toBe(false);
    expect(consoles.inputError).toBe('not connected to the lab host');
  });

  it('detach removes its host listener', () => {
    const consoles = useConsolesStore();
    const lab = new FakeLab();
    consoles.attach(lab, ['demo']);
    expect(lab.listenerCount).toBe(1);
    consoles.detach();
    expect(lab.listenerCount).toBe(0);
  });

  it('keeps output that arrives before the console list, in the host order afterwards', () => {
    const consoles = useConsolesStore();
    const lab = new FakeLab();
    consoles.attach(lab);
    lab.emit([{ kind: 'console', console: 'vm2', data: 'early' }]);
    consoles.declare(['vm1', 'vm2']);
    expect(consoles.names).toEqual(['vm1', 'vm2']);
    expect(consoles.scrollbackOf('vm2')).toBe('early');
  });
});
