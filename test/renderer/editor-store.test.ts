// The editor and layout stores: text and diagnostics, and snapshots that are validated before
// they are restored (a stored snapshot is outside data).
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { SCRATCH_TEXT, useEditorStore } from '../../renderer/stores/editor';
import { LOG_MAX, SIDEBAR_MIN, useLayoutStore } from '../../renderer/stores/layout';

beforeEach(() => setActivePinia(createPinia()));

describe('editor store', () => {
  it('starts with the scratch document and tracks its text', () => {
    const editor = useEditorStore();
    expect(editor.active?.text).toBe(SCRATCH_TEXT);
    editor.setText('scratch', 'let x = 1;');
    expect(editor.active?.text).toBe('let x = 1;');
  });

  it('keeps diagnostics per document, sorted by position', () => {
    const editor = useEditorStore();
    editor.setDiagnostics('scratch', [
      { severity: 'warning', message: 'b', line: 3, column: 1, code: '6133' },
      { severity: 'error', message: 'a', line: 1, column: 7, code: '2322' },
    ]);
    expect(editor.activeDiagnostics.map((d) => d.message)).toEqual(['a', 'b']);
    expect(editor.errorCount).toBe(1);
  });

  it('round-trips a snapshot', () => {
    const editor = useEditorStore();
    editor.setText('scratch', 'const a = 1;');
    const snapshot = JSON.parse(JSON.stringify(editor.dehydrate())) as unknown;
    setActivePinia(createPinia());
    const fresh = useEditorStore();
    expect(fresh.hydrate(snapshot)).toBe(true);
    expect(fresh.active?.text).toBe('const a = 1;');
  });

  it.each([
    ['not an object', 'hello'],
    ['wrong version', { version: 2, activeId: 'scratch', documents: [] }],
    [
      'active document missing',
      {
        version: 1,
        activeId: 'nope',
        documents: [{ id: 'scratch', name: 's.ts', language: 'typescript', text: '' }],
      },
    ],
    [
      'bad document',
      { version: 1, activeId: 'a', documents: [{ id: 'a', name: 'a.ts', language: 'python', text: '' }] },
    ],
    [
      'duplicate ids',
      {
        version: 1,
        activeId: 'a',
        documents: [
          { id: 'a', name: 'a.ts', language: 'typescript', text: '' },
          { id: 'a', name: 'b.ts', language: 'typescript', text: '' },
        ],
      },
    ],
  ])('refuses a snapshot with %s and changes nothing', (_why, raw) => {
    const editor = useEditorStore();
    editor.setText('scratch', 'kept');
    expect(editor.hydrate(raw)).toBe(false);
    expect(editor.active?.text).toBe('kept');
  });
});

describe('layout store', () => {
  it('clamps panel sizes so panels stay reachable', () => {
    const layout = useLayoutStore();
    layout.resizeSidebar(10);
    expect(layout.sidebarWidth).toBe(SIDEBAR_MIN);
    layout.resizeLog(99_999);
    expect(layout.logHeight).toBe(LOG_MAX);
  });

  it('zooms through the fixed scales and stops at the ends', () => {
    const layout = useLayoutStore();
    layout.zoom(1);
    expect(layout.scale).toBe(1.15);
    for (let i = 0; i < 10; i++) layout.zoom(1);
    expect(layout.scale).toBe(1.75);
    for (let i = 0; i < 10; i++) layout.zoom(-1);
    expect(layout.scale).toBe(0.85);
  });

  it('hydrates only a valid snapshot', () => {
    const layout = useLayoutStore();
    expect(layout.hydrate({ sidebarWidth: 400, logHeight: 150, scale: 3 })).toBe(false);
    expect(layout.hydrate({ sidebarWidth: 400, logHeight: 150, scale: 1.3 })).toBe(true);
    expect(layout.dehydrate()).toEqual({ sidebarWidth: 400, logHeight: 150, scale: 1.3 });
  });
});
