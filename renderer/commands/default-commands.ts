// The shell's own commands: host controls, one "Show ..." per tab, text size, the event log.
// Host commands are listed even when they cannot run now (disabled), so the palette teaches.
import type { useEventsStore } from '../stores/events';
import type { useHostStore } from '../stores/host';
import type { useLayoutStore } from '../stores/layout';
import type { TabDefinition } from '../panels/tab-registry';
import { CommandRegistry } from './command-registry';

export interface ShellContext {
  readonly host: ReturnType<typeof useHostStore>;
  readonly layout: ReturnType<typeof useLayoutStore>;
  readonly events: ReturnType<typeof useEventsStore>;
  readonly tabs: () => readonly TabDefinition[];
}

export function createDefaultCommands(shell: ShellContext): CommandRegistry {
  const registry = new CommandRegistry();
  const { host, layout, events } = shell;
  registry.register('host', () => [
    { id: 'host.start', title: 'Host: Run', enabled: host.canStart, run: () => host.start() },
    { id: 'host.pause', title: 'Host: Pause', enabled: host.canPause, run: () => host.pause() },
    {
      id: 'host.step',
      title: 'Host: Step 1000 instructions',
      enabled: host.canStep,
      run: () => host.step(1000),
    },
    { id: 'host.reset', title: 'Host: Reset', enabled: host.canReset, run: () => host.reset() },
  ]);
  registry.register('tabs', () =>
    shell.tabs().map((tab) => ({
      id: `show.${tab.id}`,
      title: `Show: ${tab.title}`,
      enabled: true,
      run: () => (layout.activeTab = tab.id),
    })),
  );
  registry.register('view', () => [
    { id: 'view.larger', title: 'View: Larger text', enabled: true, run: () => layout.zoom(1) },
    { id: 'view.smaller', title: 'View: Smaller text', enabled: true, run: () => layout.zoom(-1) },
    {
      id: 'events.clear',
      title: 'Events: Clear the log',
      enabled: events.entries.length > 0,
      run: () => events.clear(),
    },
  ]);
  return registry;
}
