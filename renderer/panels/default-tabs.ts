// The tabs the shell ships with today: one terminal per host console, and the TypeScript editor
// (loaded on first use: Monaco and its workers are most of the renderer's weight).
import { defineAsyncComponent, markRaw } from 'vue';
import ConsolePanel from './ConsolePanel.vue';
import { TabRegistry } from './tab-registry';

export function createDefaultTabs(): TabRegistry {
  const registry = new TabRegistry();
  const editor = markRaw(defineAsyncComponent(() => import('./EditorPanel.vue')));
  const terminal = markRaw(ConsolePanel);
  registry.register({
    id: 'consoles',
    order: 10,
    tabs: ({ consoles }) =>
      consoles.map((name) => ({
        id: `console:${name}`,
        // The monitor's decisions are shown as a console too (read-only, see stores/monitor-log.ts).
        title: name.endsWith(':monitor') ? `Monitor log: ${name.slice(0, -':monitor'.length)}` : `Console: ${name}`,
        component: terminal,
        props: { console: name },
      })),
  });
  // The inspectors (memory, page tables, vCPU, disk): loaded on first use, like the editor.
  const memory = markRaw(defineAsyncComponent(() => import('./MemoryPanel.vue')));
  const pageTables = markRaw(defineAsyncComponent(() => import('./PageTablesPanel.vue')));
  const vcpu = markRaw(defineAsyncComponent(() => import('./VcpuPanel.vue')));
  const disk = markRaw(defineAsyncComponent(() => import('./DiskPanel.vue')));
  registry.register({
    id: 'inspect',
    order: 30,
    tabs: () => [
      { id: 'inspect:memory', title: 'Memory', component: memory },
      { id: 'inspect:page-tables', title: 'Page tables', component: pageTables },
      { id: 'inspect:vcpu', title: 'vCPU', component: vcpu },
      { id: 'inspect:disk', title: 'Disk', component: disk },
    ],
  });
  registry.register({
    id: 'editor',
    order: 50,
    tabs: () => [{ id: 'editor:scratch', title: 'Patch editor', component: editor }],
  });
  // What a researcher does with the host: verdicts, attestation, performance, sessions.
  const verdicts = markRaw(defineAsyncComponent(() => import('./VerdictsPanel.vue')));
  const attestation = markRaw(defineAsyncComponent(() => import('./AttestationPanel.vue')));
  const performance = markRaw(defineAsyncComponent(() => import('./PerformancePanel.vue')));
  const sessions = markRaw(defineAsyncComponent(() => import('./SessionsPanel.vue')));
  registry.register({
    id: 'tools',
    order: 60,
    tabs: () => [
      { id: 'tools:verdicts', title: 'Verdicts', component: verdicts },
      { id: 'tools:attestation', title: 'Attestation', component: attestation },
      { id: 'tools:performance', title: 'Performance', component: performance },
      { id: 'tools:sessions', title: 'Sessions', component: sessions },
    ],
  });
  return registry;
}
