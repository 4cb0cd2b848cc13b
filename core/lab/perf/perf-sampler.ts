// Turns each VMM host's counters into rates over a wall-clock interval: MIPS (instructions the
// host's harts retired), exits to the VMM per second by kind, and the shares of wall time spent
// in the monitor's own code and in the VMM's engine. Rates are per wall second of the lab's host
// process, which runs every host of the session in turn: side-by-side hosts share its time.
import type { VmmHost } from '../host/vmm-host';
import type { HostMode, PerfSample } from '../protocol';
import { ExitMeter, type MeterTotals } from './exit-meter';

interface Baseline {
  readonly at: number;
  readonly instructions: number;
  readonly totals: MeterTotals;
}

export interface PerfSamplerOptions {
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export class PerfSampler {
  private readonly meters = new Map<VmmHost, ExitMeter>();
  private readonly baselines = new Map<VmmHost, Baseline>();
  private readonly started: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(options: PerfSamplerOptions = {}) {
    this.now = options.now ?? ((): number => performance.now());
    this.intervalMs = options.intervalMs ?? 500;
    this.started = this.now();
  }

  /** Samples every host whose last sample is at least the interval old; the rest wait. */
  sample(hosts: ReadonlyMap<HostMode, VmmHost>): PerfSample[] {
    const now = this.now();
    const out: PerfSample[] = [];
    for (const [mode, host] of hosts) {
      let meter = this.meters.get(host);
      if (!meter) {
        meter = new ExitMeter(host);
        this.meters.set(host, meter);
      }
      const totals = meter.totals();
      const before = this.baselines.get(host);
      if (before && now - before.at < this.intervalMs) continue;
      this.baselines.set(host, { at: now, instructions: host.instructions, totals });
      if (before) out.push(rates(mode, before, { at: now, instructions: host.instructions, totals }, now - this.started, host.monitor !== null));
    }
    return out;
  }
}

function rates(host: HostMode, a: Baseline, b: Baseline, at: number, monitored: boolean): PerfSample {
  const ms = Math.max(1e-3, b.at - a.at);
  const exitsPerSecond: Record<string, number> = {};
  for (const [kind, count] of b.totals.exits) {
    const delta = count - (a.totals.exits.get(kind) ?? 0);
    if (delta > 0) exitsPerSecond[kind] = (delta * 1000) / ms;
  }
  const share = (x: number, y: number): number => Math.min(1, Math.max(0, (x - y) / ms));
  return {
    host,
    at: Math.round(at),
    intervalMs: Math.round(ms),
    mips: (b.instructions - a.instructions) / (ms * 1000),
    exitsPerSecond,
    monitorShare: monitored ? share(b.totals.monitorMs, a.totals.monitorMs) : null,
    // The engine's time minus the hyp calls it made: the VMM's own code (and patches).
    vmmShare: share(b.totals.engineMs - b.totals.backendMs, a.totals.engineMs - a.totals.backendMs),
  };
}
