// The center area's tabs come from providers registered here, so a new panel (memory inspector,
// patch editor, page tables...) is one `registerTabProvider` call, and tabs that depend on the
// host (one console tab per console) are recomputed when the host changes.
import type { Component } from 'vue';

export interface TabDefinition {
  /** Stable id, e.g. 'console:demo'; also the DOM id suffix and the saved active tab. */
  readonly id: string;
  readonly title: string;
  readonly component: Component;
  readonly props?: Readonly<Record<string, unknown>>;
}

export interface TabContext {
  readonly consoles: readonly string[];
}

export interface TabProvider {
  readonly id: string;
  /** Lower comes first. */
  readonly order: number;
  tabs(context: TabContext): readonly TabDefinition[];
}

export class TabRegistry {
  private readonly providers = new Map<string, TabProvider>();

  register(provider: TabProvider): () => void {
    if (this.providers.has(provider.id)) throw new Error(`tab provider ${provider.id} is already registered`);
    this.providers.set(provider.id, provider);
    return () => this.providers.delete(provider.id);
  }

  tabs(context: TabContext): TabDefinition[] {
    const result: TabDefinition[] = [];
    const seen = new Set<string>();
    for (const provider of [...this.providers.values()].sort((a, b) => a.order - b.order)) {
      for (const tab of provider.tabs(context)) {
        if (seen.has(tab.id)) throw new Error(`two tabs share the id ${tab.id}`);
        seen.add(tab.id);
        result.push(tab);
      }
    }
    return result;
  }
}
