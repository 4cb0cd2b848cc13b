// Counts and times what crosses the hypervisor interface of one VMM host, without changing it:
// every function of the bare hardware backend and of the monitor (once launched) is wrapped on its
// instance, so the meter sees exactly the calls the host makes. Monitor time is time inside a monitor call
// minus the nested bare-hardware calls it made (the guest itself runs inside those).
import type { HypBackend } from '../../sandbox/host-binding';
import type { VmmHost } from '../host/vmm-host';

export interface MeterTotals {
  /** Exits the VMM received from vcpu.run, by exit kind. */
  readonly exits: ReadonlyMap<string, number>;
  /** Wall ms inside the monitor's own code (protected hosts). */
  readonly monitorMs: number;
  /** Wall ms inside the engine (the VMM, its patches and every hyp call they made). */
  readonly engineMs: number;
  /** Wall ms inside hyp calls made by the engine (guest execution included). */
  readonly backendMs: number;
}

type AnyFunction = (...args: never[]) => unknown;

function wrapObject(target: object, around: (call: () => unknown, name: string) => unknown, prefix: string): void {
  const record = target as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value !== 'function') continue;
    const original = value as AnyFunction;
    record[key] = (...args: never[]): unknown => around(() => original.apply(target, args), `${prefix}${key}`);
  }
}

/** The hypervisor interface's call groups (core/sandbox/hyp.ts). */
const HYP_GROUPS = ['mem', 'vcpu', 'fence', 'timer', 'disk', 'console', 'tpm'] as const;

/**
 * Wraps the backend's own call groups only: a group a layer merely passes through (a getter
 * returning the layer below's object) is that layer's, and wrapped there.
 */
function wrapBackend(backend: HypBackend, around: (call: () => unknown, name: string) => unknown): void {
  for (const key of HYP_GROUPS) {
    const group: unknown = Object.getOwnPropertyDescriptor(backend, key)?.value;
    if (typeof group === 'object' && group !== null) wrapObject(group, around, `${key}.`);
  }
}

export class ExitMeter {
  private readonly exits = new Map<string, number>();
  private monitorMs = 0;
  private bareMs = 0;
  private engineMs = 0;
  private backendMs = 0;
  private engineDepth = 0;
  private monitorDepth = 0;
  private wrappedMonitor: HypBackend | null = null;

  constructor(private readonly host: VmmHost) {
    // The bare hardware is the VMM's backend until a monitor is launched under it; after that it
    // is what the monitor calls (its guest runs), and the monitor is what the VMM calls.
    // Calls from outside the engine (the lab's inspectors reading memory) are not the VMM's.
    wrapBackend(host.hyp, (call, name) => {
      if (this.monitorDepth > 0) return this.innerCall(call);
      return this.engineDepth > 0 ? this.outerCall(call, name, false) : call();
    });
    this.followMonitor();
    const engine = host.engine as unknown as Record<string, unknown>;
    for (const method of ['call', 'callNumbers'] as const) {
      const original = engine[method] as AnyFunction;
      engine[method] = (...args: never[]): unknown => this.engineCall(() => original.apply(host.engine, args));
    }
  }

  totals(): MeterTotals {
    this.followMonitor();
    return { exits: new Map(this.exits), monitorMs: this.monitorMs, engineMs: this.engineMs, backendMs: this.backendMs };
  }

  /** A monitor launched late (or at boot) is wrapped once, from the next call on. */
  private followMonitor(): void {
    const monitor = this.host.monitor;
    if (monitor === null || monitor === this.wrappedMonitor) return;
    this.wrappedMonitor = monitor;
    wrapBackend(monitor, (call, name) => {
      if (this.engineDepth === 0) return call();
      this.monitorDepth++;
      try {
        return this.outerCall(call, name, true);
      } finally {
        this.monitorDepth--;
      }
    });
  }

  private engineCall(call: () => unknown): unknown {
    // A monitor launched since the last call is metered from the VMM's next call on.
    if (this.host.monitor !== this.wrappedMonitor) this.followMonitor();
    // The engine refuses re-entry; only the outermost call is timed.
    const started = this.engineDepth === 0 ? performance.now() : -1;
    this.engineDepth++;
    try {
      return call();
    } finally {
      this.engineDepth--;
      if (started >= 0) this.engineMs += performance.now() - started;
    }
  }

  private outerCall(call: () => unknown, name: string, monitored: boolean): unknown {
    const started = performance.now();
    const bareBefore = this.bareMs;
    try {
      const result = call();
      if (name === 'vcpu.run' && typeof result === 'object' && result !== null) {
        const kind = String((result as { kind?: unknown }).kind);
        this.exits.set(kind, (this.exits.get(kind) ?? 0) + 1);
      }
      return result;
    } finally {
      const spent = performance.now() - started;
      this.backendMs += spent;
      if (monitored) this.monitorMs += spent - (this.bareMs - bareBefore);
    }
  }

  private innerCall(call: () => unknown): unknown {
    const started = performance.now();
    try {
      return call();
    } finally {
      this.bareMs += performance.now() - started;
    }
  }
}
