// Editor documents and their diagnostics. The text lives here (Monaco's model mirrors it), so
// it survives tab switches and can be saved and restored (dehydrate/hydrate validate what they
// read: a stored snapshot is outside data). Diagnostics are what Monaco's TypeScript worker
// reported for the document, kept for the problems list and, later, for patch runs.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export type DiagnosticSeverity = 'error' | 'warning' | 'info' | 'hint';

export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
}

export interface EditorDocument {
  readonly id: string;
  readonly name: string;
  readonly language: 'typescript';
  readonly text: string;
}

export interface EditorSnapshot {
  readonly version: 1;
  readonly activeId: string;
  readonly documents: readonly EditorDocument[];
}

export const SCRATCH_TEXT = `// Scratch pad: TypeScript, checked as you type.
// The patch editor (with the hypervisor interface's types) replaces this later.
function hexdump(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const secret = Uint8Array.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
export const dump: string = hexdump(secret);
`;

function scratchDocument(): EditorDocument {
  return { id: 'scratch', name: 'scratch.ts', language: 'typescript', text: SCRATCH_TEXT };
}

export const useEditorStore = defineStore('editor', () => {
  const documents = ref<EditorDocument[]>([scratchDocument()]);
  const activeId = ref('scratch');
  const diagnostics = ref<Record<string, Diagnostic[]>>({});

  const active = computed(
    () => documents.value.find((d) => d.id === activeId.value) ?? documents.value[0] ?? null,
  );
  const activeDiagnostics = computed(() => (active.value ? (diagnostics.value[active.value.id] ?? []) : []));
  const errorCount = computed(() => activeDiagnostics.value.filter((d) => d.severity === 'error').length);

  function setText(id: string, text: string): void {
    documents.value = documents.value.map((d) => (d.id === id ? { ...d, text } : d));
  }

  function setDiagnostics(id: string, list: readonly Diagnostic[]): void {
    const sorted = [...list].sort((a, b) => a.line - b.line || a.column - b.column);
    diagnostics.value = { ...diagnostics.value, [id]: sorted };
  }

  function dehydrate(): EditorSnapshot {
    return { version: 1, activeId: activeId.value, documents: documents.value.map((d) => ({ ...d })) };
  }

  /** Restores a snapshot; returns false (and changes nothing) if it is not a valid one. */
  function hydrate(raw: unknown): boolean {
    const snapshot = parseSnapshot(raw);
    if (!snapshot) return false;
    documents.value = snapshot.documents.map((d) => ({ ...d }));
    activeId.value = snapshot.activeId;
    diagnostics.value = {};
    return true;
  }

  return {
    documents,
    activeId,
    diagnostics,
    active,
    activeDiagnostics,
    errorCount,
    setText,
    setDiagnostics,
    dehydrate,
    hydrate,
  };
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseDocument(value: unknown): EditorDocument | null {
  if (!isRecord(value)) return null;
  const { id, name, language, text } = value;
  if (
    typeof id !== 'string' ||
    id === '' ||
    typeof name !== 'string' ||
    language !== 'typescript' ||
    typeof text !== 'string'
  )
    return null;
  return { id, name, language, text };
}

export function parseSnapshot(raw: unknown): EditorSnapshot | null {
  if (
    !isRecord(raw) ||
    raw.version !== 1 ||
    typeof raw.activeId !== 'string' ||
    !Array.isArray(raw.documents)
  )
    return null;
  const documents: EditorDocument[] = [];
  for (const item of raw.documents as unknown[]) {
    const doc = parseDocument(item);
    if (!doc || documents.some((d) => d.id === doc.id)) return null;
    documents.push(doc);
  }
  if (!documents.some((d) => d.id === raw.activeId)) return null;
  return { version: 1, activeId: raw.activeId, documents };
}
