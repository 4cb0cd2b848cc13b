// The tab registry: providers in order, tabs recomputed from the host's consoles, duplicate ids
// refused, unregistering removes a provider's tabs.
import { describe, expect, it } from 'vitest';
import { defineComponent } from 'vue';
import { TabRegistry } from '../../renderer/panels/tab-registry';

const Panel = defineComponent({ name: 'Panel', render: () => null });

describe('tab registry', () => {
  it('lists tabs by provider order and recomputes them from the context', () => {
    const registry = new TabRegistry();
    registry.register({
      id: 'editor',
      order: 50,
      tabs: () => [{ id: 'editor', title: 'Editor', component: Panel }],
    });
    registry.register({
      id: 'consoles',
      order: 10,
      tabs: ({ consoles }) => consoles.map((c) => ({ id: `console:${c}`, title: c, component: Panel })),
    });
    expect(registry.tabs({ consoles: ['vm1', 'vm2'] }).map((t) => t.id)).toEqual([
      'console:vm1',
      'console:vm2',
      'editor',
    ]);
    expect(registry.tabs({ consoles: [] }).map((t) => t.id)).toEqual(['editor']);
  });

  it('refuses two providers with one id and two tabs with one id', () => {
    const registry = new TabRegistry();
    registry.register({ id: 'a', order: 1, tabs: () => [{ id: 'x', title: 'X', component: Panel }] });
    expect(() => registry.register({ id: 'a', order: 2, tabs: () => [] })).toThrow('already registered');
    registry.register({ id: 'b', order: 2, tabs: () => [{ id: 'x', title: 'X again', component: Panel }] });
    expect(() => registry.tabs({ consoles: [] })).toThrow('two tabs share the id x');
  });

  it('unregisters a provider', () => {
    const registry = new TabRegistry();
    const off = registry.register({
      id: 'a',
      order: 1,
      tabs: () => [{ id: 'x', title: 'X', component: Panel }],
    });
    off();
    expect(registry.tabs({ consoles: [] })).toEqual([]);
  });
});
