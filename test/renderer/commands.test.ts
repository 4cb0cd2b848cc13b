// The command registry and the shell's default commands: search by words, disabled commands
// listed after enabled ones, duplicate ids refused, and commands that act on the real stores.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { defineComponent } from 'vue';
import { CommandRegistry } from '../../renderer/commands/command-registry';
import { createDefaultCommands } from '../../renderer/commands/default-commands';
import { useEventsStore } from '../../renderer/stores/events';
import { useHostStore } from '../../renderer/stores/host';
import { useLayoutStore } from '../../renderer/stores/layout';
import { FakeLab } from './fake-lab';

const Panel = defineComponent({ render: () => null });

beforeEach(() => setActivePinia(createPinia()));

describe('command registry', () => {
  it('matches every word of the query in any order and case, enabled first', () => {
    const registry = new CommandRegistry();
    registry.register('a', () => [
      { id: 'x', title: 'Host: Pause', enabled: false, run: () => undefined },
      { id: 'y', title: 'Host: Run', enabled: true, run: () => undefined },
      { id: 'z', title: 'View: Larger text', enabled: true, run: () => undefined },
    ]);
    expect(registry.search('host').map((c) => c.id)).toEqual(['y', 'x']);
    expect(registry.search('  TEXT larger ').map((c) => c.id)).toEqual(['z']);
    expect(registry.search('host text')).toEqual([]);
    expect(registry.search('')).toHaveLength(3);
  });

  it('refuses duplicate providers and duplicate command ids', () => {
    const registry = new CommandRegistry();
    registry.register('a', () => [{ id: 'x', title: 'X', enabled: true, run: () => undefined }]);
    expect(() => registry.register('a', () => [])).toThrow('already registered');
    registry.register('b', () => [{ id: 'x', title: 'X2', enabled: true, run: () => undefined }]);
    expect(() => registry.all()).toThrow('two commands share the id x');
  });
});

describe('default commands', () => {
  async function shell() {
    const host = useHostStore();
    const layout = useLayoutStore();
    const events = useEventsStore();
    const lab = new FakeLab()
      .mock('host.info', () => ({
        product: 'p',
        version: 'v',
        machine: 'm',
        harts: 1,
        ramBytes: 0,
        devices: [],
        consoles: ['demo'],
        seed: 's',
      }))
      .mock('host.status', () => ({ state: 'running', instructions: 0, virtualTime: 0, mips: 0 }))
      .mock('host.pause', () => ({ state: 'paused', instructions: 7, virtualTime: 0, mips: 0 }));
    await host.attach(lab, 'web');
    const tabs = [{ id: 'console:demo', title: 'Console: demo', component: Panel }];
    return {
      host,
      layout,
      events,
      lab,
      commands: createDefaultCommands({ host, layout, events, tabs: () => tabs }),
    };
  }

  it('enables the host commands the host state allows, and they act on the host', async () => {
    const { commands, host, lab } = await shell();
    const byId = new Map(commands.all().map((c) => [c.id, c]));
    expect(byId.get('host.start')?.enabled).toBe(false);
    expect(byId.get('host.pause')?.enabled).toBe(true);
    await byId.get('host.pause')?.run();
    expect(lab.calls.at(-1)?.method).toBe('host.pause');
    expect(host.state).toBe('paused');
    expect(commands.all().find((c) => c.id === 'host.start')?.enabled).toBe(true);
  });

  it('shows tabs and changes the text size', async () => {
    const { commands, layout } = await shell();
    commands.search('show console demo')[0]?.run();
    expect(layout.activeTab).toBe('console:demo');
    commands.search('larger text')[0]?.run();
    expect(layout.scale).toBe(1.15);
  });
});
