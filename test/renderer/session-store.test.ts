// The session store: typed keystrokes regroup into the lines a replay types; a corrupt, edited or
// foreign file is refused before any request reaches the host and leaves the editor as it was;
// a file saved on another machine (a console this host lacks) is refused the same way.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeSessionFile, type SessionBody } from '../../core/lab/session-file/session-file';
import { useEditorStore } from '../../renderer/stores/editor';
import { useHostStore } from '../../renderer/stores/host';
import { asLines, useSessionStore } from '../../renderer/stores/session';
import { FakeLab } from './fake-lab';

beforeEach(() => setActivePinia(createPinia()));

const BODY: SessionBody = {
  host: { seed: 's', machine: 'bare and protected hosts side by side', harts: 1, ramBytes: 96 << 20, consoles: ['bare:dom1'], hosts: ['bare'] },
  patches: [],
  input: [{ console: 'bare:dom1', data: 'secret where\r' }],
  editor: null,
  layout: null,
};

describe('session store', () => {
  it('regroups keystrokes into lines per console', () => {
    const keys = [...'ls\r'].map((data) => ({ console: 'bare:dom1', data }));
    const mixed = [{ console: 'bare:xl', data: 'list' }, ...keys, { console: 'bare:xl', data: '\rinfo\r' }];
    expect(asLines(mixed)).toEqual([
      { console: 'bare:xl', data: 'list\r' },
      { console: 'bare:dom1', data: 'ls\r' },
      { console: 'bare:xl', data: 'info\r' },
    ]);
  });

  it('refuses bad files before asking the host anything, and changes nothing', async () => {
    const lab = new FakeLab();
    const store = useSessionStore();
    const editor = useEditorStore();
    store.attach(lab);
    editor.setText('scratch', 'my work');
    const good = await encodeSessionFile(BODY);
    for (const text of [good.slice(0, 40), good.replace('secret where', 'secret there'), '{"name":"x"}', 'not json']) {
      expect(await store.open(text)).toBe(false);
      expect(store.error).toMatch(/Nothing was changed/);
    }
    expect(lab.calls).toEqual([]);
    expect(editor.active?.text).toBe('my work');
  });

  it('refuses a session saved on another machine', async () => {
    const lab = new FakeLab().mock('patch.list', () => ({ hosts: ['bare'], patches: [] }));
    const store = useSessionStore();
    store.attach(lab);
    useHostStore().info = { product: 'p', version: '1', machine: 'bare host', harts: 1, ramBytes: 1, devices: [], consoles: ['dom1'], seed: 's' };
    expect(await store.open(await encodeSessionFile(BODY))).toBe(false);
    expect(store.error).toMatch(/saved on another machine.*console bare:dom1.*Nothing was changed/);
    expect(lab.calls.map((c) => c.method)).toEqual(['patch.list']);
  });
});
