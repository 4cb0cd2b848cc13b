// Commands the user can run from the command palette (Ctrl+Shift+P): host controls, views,
// layout. Providers are recomputed when opened (tabs and host state change), so a new panel
// adds its commands with one `register` call, as with the tab registry.
export interface Command {
  readonly id: string;
  readonly title: string;
  /** Shown next to the title, e.g. 'F5'. */
  readonly keys?: string;
  /** Disabled commands are listed (so users learn they exist) but cannot run. */
  readonly enabled: boolean;
  run(): unknown;
}

export type CommandProvider = () => readonly Command[];

export class CommandRegistry {
  private readonly providers = new Map<string, CommandProvider>();

  register(id: string, provider: CommandProvider): () => void {
    if (this.providers.has(id)) throw new Error(`command provider ${id} is already registered`);
    this.providers.set(id, provider);
    return () => this.providers.delete(id);
  }

  all(): Command[] {
    const commands: Command[] = [];
    const seen = new Set<string>();
    for (const provider of this.providers.values()) {
      for (const command of provider()) {
        if (seen.has(command.id)) throw new Error(`two commands share the id ${command.id}`);
        seen.add(command.id);
        commands.push(command);
      }
    }
    return commands;
  }

  /** Commands whose title contains every word of `query` (any order, any case); enabled first. */
  search(query: string): Command[] {
    const words = query
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    const matches = this.all().filter((c) => words.every((w) => c.title.toLowerCase().includes(w)));
    return matches.sort((a, b) => Number(b.enabled) - Number(a.enabled));
  }
}
