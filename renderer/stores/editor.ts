// Editor documents and their diagnostics, and the patch runs made from them. The text lives here
// (Monaco's model mirrors it), so it survives tab switches and can be saved and restored
// (dehydrate/hydrate validate what they read: a stored snapshot is outside data). Diagnostics are
// what Monaco's TypeScript worker reported; run diagnostics are what the lab's patch compiler
// said when the patch was run on a host, shown at the same lines. Loaded patches and the
// security activity they caused (exfiltration, faults, the monitor's refusals) come from the host.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type {
  CatalogEntry, HostMode, LabEvent, LoadedPatchInfo, PatchDiagnosticInfo, PatchRunResult, PatchTarget, SecurityActivity,
} from '../../core/lab/protocol';

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

export const SCRATCH_TEXT = `// A VMM patch: it runs inside the VMM with exactly the power of a compromised VMM.
// Hooks and wrappable functions come from the VMM's declarations (Ctrl+Space lists them);
// hyp is the hypervisor interface. Run it on the bare host, the protected one, or both.
export default definePatch({
  name: 'watch SBI calls',
  description: 'Logs how many SBI calls each domain makes.',
  install(vmm) {
    const calls = new Map<number, number>();
    vmm.hooks.on('sbi', (domain) => {
      calls.set(domain, (calls.get(domain) ?? 0) + 1);
    });
  },
});
`;

function scratchDocument(): EditorDocument {
  return { id: 'scratch', name: 'patch.ts', language: 'typescript', text: SCRATCH_TEXT };
}

const MAX_ACTIVITY = 300;

export interface PatchRunRecord {
  readonly at: number;
  readonly fileName: string;
  readonly target: PatchTarget;
  readonly results: readonly PatchRunResult[];
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

  // --- patch runs on the lab's hosts ---
  let api: LabApi | null = null;
  let stopEvents: (() => void) | null = null;
  const hosts = ref<readonly HostMode[]>([]);
  const loaded = ref<readonly LoadedPatchInfo[]>([]);
  const catalog = shallowRef<readonly CatalogEntry[]>([]);
  const declarations = shallowRef<readonly { path: string; text: string }[]>([]);
  const lastRun = shallowRef<PatchRunRecord | null>(null);
  const runDiagnostics = ref<Record<string, PatchDiagnosticInfo[]>>({});
  const activity = ref<SecurityActivity[]>([]);
  const busy = ref(false);
  const runError = ref<string | null>(null);

  async function attach(lab: LabApi): Promise<void> {
    detach();
    api = lab;
    stopEvents = lab.onEvents((events) => receive(events));
    try {
      const [list, files, scenarios] = await Promise.all([
        lab.request('patch.list', {}),
        lab.request('patch.declarations', {}),
        lab.request('scenario.list', {}),
      ]);
      hosts.value = list.hosts;
      loaded.value = list.patches;
      declarations.value = files.files;
      catalog.value = scenarios.scenarios;
    } catch (error) {
      runError.value = `The host did not list its patches: ${messageOf(error)}`;
    }
  }

  function detach(): void {
    stopEvents?.();
    stopEvents = null;
    api = null;
  }

  function receive(events: readonly LabEvent[]): void {
    const fresh = events.flatMap((e) => (e.kind === 'security' ? [e.activity] : []));
    if (fresh.length === 0) return;
    activity.value = [...activity.value, ...fresh].slice(-MAX_ACTIVITY);
    const faults = fresh.filter((a) => a.what === 'patch-fault');
    for (const fault of faults) markFault(fault.message);
    // A patch that faults is disabled by the host: show its new state.
    if (faults.length > 0) void refresh();
  }

  /** A runtime fault names the patch's own file:line:col: mark that line in the document. */
  function markFault(message: string): void {
    const at = /at ([\w.-]+\.ts):(\d+):(\d+)/.exec(message);
    const doc = at ? documents.value.find((d) => d.name === at[1]) : undefined;
    if (!at || !doc) return;
    const fault: PatchDiagnosticInfo = { file: doc.name, line: Number(at[2]), column: Number(at[3]), category: 'error', code: 0, message };
    runDiagnostics.value = { ...runDiagnostics.value, [doc.id]: [...(runDiagnostics.value[doc.id] ?? []), fault] };
  }

  async function refresh(): Promise<void> {
    if (!api) return;
    try {
      const list = await api.request('patch.list', {});
      hosts.value = list.hosts;
      loaded.value = list.patches;
    } catch (error) {
      runError.value = messageOf(error);
    }
  }

  /** Runs the active document as a patch on `target`; compile errors land on its lines. */
  async function run(target: PatchTarget): Promise<boolean> {
    const doc = active.value;
    if (!api || !doc || busy.value) return false;
    busy.value = true;
    runError.value = null;
    try {
      const { results } = await api.request('patch.load', { fileName: doc.name, source: doc.text, target });
      lastRun.value = { at: Date.now(), fileName: doc.name, target, results };
      runDiagnostics.value = { ...runDiagnostics.value, [doc.id]: [...(results[0]?.diagnostics ?? [])] };
      await refresh();
      return results.every((r) => r.ok);
    } catch (error) {
      runError.value = messageOf(error);
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function unload(host: HostMode, id: number): Promise<void> {
    if (!api) return;
    runError.value = null;
    try {
      loaded.value = (await api.request('patch.unload', { host, id })).patches;
    } catch (error) {
      runError.value = messageOf(error);
    }
  }

  /** Opens a catalog scenario's patch as a new document (or switches to it if open). */
  function openTemplate(entry: CatalogEntry): void {
    if (!entry.patch) return;
    const id = `template:${entry.id}`;
    if (!documents.value.some((d) => d.id === id)) {
      documents.value = [...documents.value, { id, name: entry.patch.fileName.replace(/\.patch\.ts$/, '.ts'), language: 'typescript', text: entry.patch.source }];
    }
    activeId.value = id;
  }

  function openDocument(id: string): void {
    if (documents.value.some((d) => d.id === id)) activeId.value = id;
  }

  /** Opens (or replaces) a document with the given name and text, e.g. a patch from a saved session. */
  function putDocument(name: string, text: string): void {
    const id = `file:${name}`;
    const rest = documents.value.filter((d) => d.id !== id);
    documents.value = [...rest, { id, name, language: 'typescript', text }];
    activeId.value = id;
  }

  function clearActivity(): void {
    activity.value = [];
  }

  const activeRunDiagnostics = computed(() => (active.value ? (runDiagnostics.value[active.value.id] ?? []) : []));

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
    hosts,
    loaded,
    catalog,
    declarations,
    lastRun,
    runDiagnostics,
    activeRunDiagnostics,
    activity,
    busy,
    runError,
    attach,
    detach,
    refresh,
    run,
    unload,
    openTemplate,
    openDocument,
    putDocument,
    clearActivity,
  };
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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
