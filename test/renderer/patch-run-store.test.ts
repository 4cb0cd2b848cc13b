// Patch runs through the editor store: the active document goes to the host as it is, compile
// diagnostics are kept for the document's lines, loaded patches and security activity follow
// the host, and a refused run shows the host's own message.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { LabError, type LoadedPatchInfo } from '../../core/lab/protocol';
import { useEditorStore } from '../../renderer/stores/editor';
import { FakeLab } from './fake-lab';

beforeEach(() => setActivePinia(createPinia()));

const LOADED: LoadedPatchInfo = { host: 'bare', id: 1, name: 'n', fileName: 'patch.ts', state: 'installed', source: 's' };

function lab(): FakeLab {
  let loaded: LoadedPatchInfo[] = [];
  return new FakeLab()
    .mock('patch.list', () => ({ hosts: ['bare', 'protected'], patches: loaded }))
    .mock('patch.declarations', () => ({ files: [{ path: 'file:///node_modules/hyp/index.d.ts', text: 'export {};' }] }))
    .mock('scenario.list', () => ({ scenarios: [], defenses: [] }))
    .mock('patch.load', ({ target }) => {
      if (target === 'protected') throw new LabError('bad-request', 'this session runs no protected host');
      loaded = [LOADED];
      return {
        results: [{ host: 'bare', ok: false, diagnostics: [{ file: 'patch.ts', line: 4, column: 9, category: 'error', code: 2339, message: 'no reed' }] }],
      };
    });
}

describe('patch runs', () => {
  it('sends the active document and keeps the diagnostics at its lines', async () => {
    const fake = lab();
    const editor = useEditorStore();
    await editor.attach(fake);
    expect(editor.hosts).toEqual(['bare', 'protected']);
    expect(editor.declarations).toHaveLength(1);
    editor.setText('scratch', 'source text');
    expect(await editor.run('bare')).toBe(false);
    expect(fake.calls.find((c) => c.method === 'patch.load')?.params).toEqual({ fileName: 'patch.ts', source: 'source text', target: 'bare' });
    expect(editor.activeRunDiagnostics).toMatchObject([{ line: 4, column: 9, code: 2339 }]);
    expect(editor.loaded).toEqual([LOADED]);
  });

  it('shows the host refusing a run', async () => {
    const editor = useEditorStore();
    await editor.attach(lab());
    expect(await editor.run('protected')).toBe(false);
    expect(editor.runError).toBe('this session runs no protected host');
    expect(editor.busy).toBe(false);
  });

  it('collects security activity from host events and detaches cleanly', async () => {
    const fake = lab();
    const editor = useEditorStore();
    await editor.attach(fake);
    fake.emit([{ kind: 'security', activity: { host: 'bare', what: 'exfiltrated', time: 1, vm: null, message: 'exfiltrated x', hex: 'ab' } }]);
    expect(editor.activity.map((a) => a.what)).toEqual(['exfiltrated']);
    // A runtime fault at the document's own line is marked there (and the list is refreshed).
    const message = "patch 'n' failed (hook) and was disabled: HypFault: load access fault at patch.ts:37:182";
    fake.emit([{ kind: 'security', activity: { host: 'protected', what: 'patch-fault', time: 2, vm: null, message } }]);
    expect(editor.activeRunDiagnostics).toMatchObject([{ file: 'patch.ts', line: 37, column: 182, message }]);
    editor.detach();
    expect(fake.listenerCount).toBe(0);
  });
});
