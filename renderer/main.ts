// Renderer entry: creates the app and its stores, restores the saved layout and editor text,
// mounts the shell, then connects to the lab host (Electron IPC or WebSocket, see transport/).
import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { LAB_SESSION, LabSession } from './lab-session';
import { useEditorStore } from './stores/editor';
import { useLayoutStore } from './stores/layout';
import { connectLab } from './transport/select-transport';
import './styles/app.css';

const LAYOUT_KEY = 'cvlab.layout.v1';
const EDITOR_KEY = 'cvlab.editor.v1';

const pinia = createPinia();
const app = createApp(App);
app.use(pinia);

restore(LAYOUT_KEY, (raw) => useLayoutStore(pinia).hydrate(raw));
restore(EDITOR_KEY, (raw) => useEditorStore(pinia).hydrate(raw));
persist(LAYOUT_KEY, () => useLayoutStore(pinia).dehydrate());
persist(EDITOR_KEY, () => useEditorStore(pinia).dehydrate());

const session = new LabSession(pinia, connectLab);
app.provide(LAB_SESSION, session);
app.mount('#app');
void session.start();

function restore(key: string, hydrate: (raw: unknown) => boolean): void {
  const text = safeStorage()?.getItem(key);
  if (!text) return;
  try {
    if (!hydrate(JSON.parse(text))) safeStorage()?.removeItem(key);
  } catch {
    safeStorage()?.removeItem(key);
  }
}

function persist(key: string, snapshot: () => unknown): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(
    snapshot,
    (value) => {
      clearTimeout(timer);
      timer = setTimeout(() => safeStorage()?.setItem(key, JSON.stringify(value)), 300);
    },
    { deep: true },
  );
}

function safeStorage(): Storage | null {
  // Storage can be unavailable (privacy settings, opaque origins): the app works without it.
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
