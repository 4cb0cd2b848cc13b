// The VMM's hook points and wrappable functions: listeners by hook name, and for each dotted
// path a chain of wrappers around the VMM's own implementation. Every registration has an
// owner (a patch); when a listener or wrapper throws, the owner is reported as faulted, the
// call completes with the VMM's own behaviour, and the owner's registrations are undone by
// its manager. Invariant: with no wrappers, a wrappable call is one indirect call to the original.

export type Owner = string;
export type AnyFn = (...args: never[]) => unknown;
type Listener = { owner: Owner; fn: (...args: unknown[]) => void };
type WrapperEntry = { owner: Owner; fn: (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown };

interface Slot {
  readonly original: (...args: unknown[]) => unknown;
  wrappers: WrapperEntry[];
  /** The composed chain, rebuilt on every wrap/unwrap. */
  current: (...args: unknown[]) => unknown;
}

export class HookRegistry {
  private readonly listeners = new Map<string, Listener[]>();
  private readonly slots = new Map<string, Slot>();

  /** `onFault(owner, where, error)` is told about every throwing listener or wrapper. */
  constructor(private readonly onFault: (owner: Owner, where: string, error: unknown) => void) {}

  hasListeners(name: string): boolean {
    return (this.listeners.get(name)?.length ?? 0) > 0;
  }

  on(name: string, owner: Owner, fn: (...args: unknown[]) => void): () => void {
    const list = this.listeners.get(name) ?? [];
    const entry = { owner, fn };
    this.listeners.set(name, [...list, entry]);
    return () => {
      const now = this.listeners.get(name) ?? [];
      this.listeners.set(name, now.filter((l) => l !== entry));
    };
  }

  emit(name: string, ...args: unknown[]): void {
    const list = this.listeners.get(name);
    if (list === undefined || list.length === 0) return;
    for (const l of list) {
      try {
        l.fn(...args);
      } catch (error) {
        this.onFault(l.owner, `hook '${name}'`, error);
      }
    }
  }

  /** Registers a VMM function under a dotted path and returns the dispatcher the VMM calls. */
  define<F extends AnyFn>(path: string, original: F): F {
    if (this.slots.has(path)) throw new Error(`wrappable function '${path}' is defined twice`);
    const slot: Slot = { original: original as unknown as (...args: unknown[]) => unknown, wrappers: [], current: original as unknown as (...args: unknown[]) => unknown };
    this.slots.set(path, slot);
    return ((...args: unknown[]) => slot.current(...args)) as unknown as F;
  }

  paths(): string[] {
    return [...this.slots.keys()].sort();
  }

  /** Calls a wrappable function by path (the patch API's direct access). */
  call(path: string, args: readonly unknown[]): unknown {
    const slot = this.slots.get(path);
    if (slot === undefined) throw new Error(`no VMM function '${path}'; known: ${this.paths().join(', ')}`);
    return slot.current(...args);
  }

  wrap(path: string, owner: Owner, fn: WrapperEntry['fn']): () => void {
    const slot = this.slots.get(path);
    if (slot === undefined) throw new Error(`no VMM function '${path}' to wrap; known: ${this.paths().join(', ')}`);
    const entry = { owner, fn };
    slot.wrappers = [...slot.wrappers, entry];
    this.compose(path, slot);
    return () => {
      slot.wrappers = slot.wrappers.filter((w) => w !== entry);
      this.compose(path, slot);
    };
  }

  /** Innermost is the original; the last wrapper registered is outermost. */
  private compose(path: string, slot: Slot): void {
    let chain = slot.original;
    for (const w of slot.wrappers) {
      const inner = chain;
      chain = (...args: unknown[]) => {
        let called = false;
        let result: unknown;
        const original = (...a: unknown[]): unknown => {
          called = true;
          result = inner(...a);
          return result;
        };
        try {
          return w.fn(original, ...args);
        } catch (error) {
          this.onFault(w.owner, `wrapper of '${path}'`, error);
          // The VMM goes on with its own behaviour; an inner call already made is not repeated.
          return called ? result : inner(...args);
        }
      };
    }
    slot.current = chain;
  }
}
