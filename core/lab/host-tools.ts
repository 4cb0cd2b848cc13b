// The researcher's tools over a session's VMM hosts, behind the lab protocol: patches (load on
// bare / protected / both, unload, list), the monitor's decisions, TPM attestation, performance
// samples, and what a saved session needs (patches and the input typed since the last reset).
// Host happenings that matter to an attack (data exfiltrated, a patch failing, the monitor
// refusing) become 'security' events as they happen.
import { attestationReport, parseNonce } from './attestation/attestation-report';
import { describePatchFault } from './host/patch-loader';
import type { VmmHost, VmmHostEvent } from './host/vmm-host';
import type { Machine } from './machine';
import { PatchService, patchEditorFiles } from './patches/patch-service';
import { PerfSampler } from './perf/perf-sampler';
import { DEFENSE_NAMES, listCatalog } from './verdicts/scenario-catalog';
import { ScenarioPool } from './verdicts/scenario-pool';
import {
  LabError, type HostMode, type LabEvent, type LabMethod, type MonitorDecision, type SecurityActivity,
} from './protocol';

const MAX_DECISIONS = 20_000;
const MAX_INPUT = 4096;
export const TOOL_METHODS = [
  'patch.load', 'patch.unload', 'patch.list', 'patch.declarations', 'monitor.decisions', 'attestation.quote', 'session.export', 'scenario.list',
  'scenario.run', 'scenario.runs', 'scenario.cancel',
] as const satisfies readonly LabMethod[];
export type ToolMethod = (typeof TOOL_METHODS)[number];

export function isToolMethod(method: LabMethod): method is ToolMethod {
  return (TOOL_METHODS as readonly string[]).includes(method);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hostParam(params: unknown): HostMode {
  const host = isRecord(params) ? params.host : undefined;
  if (host !== 'bare' && host !== 'protected') throw new LabError('bad-request', 'host must be "bare" or "protected"');
  return host;
}

export class HostTools {
  private readonly patches: PatchService;
  private sampler = new PerfSampler();
  private readonly watched = new WeakSet<VmmHost>();
  private readonly decisions = new Map<HostMode, { first: number; list: MonitorDecision[] }>();
  private input: { console: string; data: string }[] = [];
  private readonly scenarios = new ScenarioPool();

  constructor(
    private readonly machine: Machine,
    private readonly seed: string,
    private readonly emit: (event: LabEvent) => void,
  ) {
    this.patches = new PatchService(() => this.hosts());
    this.watch();
  }

  handle(method: ToolMethod, params: unknown): unknown {
    const p = isRecord(params) ? params : {};
    switch (method) {
      case 'patch.load': {
        if (typeof p.fileName !== 'string' || typeof p.source !== 'string' || typeof p.target !== 'string') {
          throw new LabError('bad-request', 'patch.load needs fileName, source and target strings');
        }
        return { results: this.patches.load(p.fileName, p.source, p.target as never) };
      }
      case 'patch.unload':
        if (typeof p.id !== 'number') throw new LabError('bad-request', 'patch.unload needs a patch id');
        return { patches: this.patches.unload(hostParam(params), p.id) };
      case 'patch.list':
        return { hosts: [...this.hosts().keys()], patches: this.patches.patches() };
      case 'monitor.decisions':
        return this.decisionsSince(hostParam(params), typeof p.since === 'number' ? p.since : 0);
      case 'attestation.quote': {
        const host = hostParam(params);
        return attestationReport(host, this.host(host), parseNonce(p.nonce));
      }
      case 'session.export':
        return this.exportSession();
      case 'patch.declarations':
        return { files: patchEditorFiles() };
      case 'scenario.list':
        return { scenarios: listCatalog(), defenses: DEFENSE_NAMES };
      case 'scenario.run': {
        const defenseOff = p.defenseOff ?? null;
        if (typeof p.id !== 'string' || (defenseOff !== null && typeof defenseOff !== 'string')) {
          throw new LabError('bad-request', 'scenario.run needs a scenario id, a host mode and defenseOff (a defense name or null)');
        }
        // Runs go to worker threads of their own: the session's guests keep running meanwhile.
        return this.scenarios.submit({ id: p.id, mode: hostParam({ host: p.mode }), defenseOff }).state;
      }
      case 'scenario.runs': {
        const tickets = p.tickets;
        if (tickets !== undefined && !(Array.isArray(tickets) && tickets.every((t) => typeof t === 'string'))) {
          throw new LabError('bad-request', 'scenario.runs takes tickets: a list of run tickets');
        }
        return { runs: this.scenarios.runs(tickets as string[] | undefined) };
      }
      case 'scenario.cancel':
        if (typeof p.ticket !== 'string') throw new LabError('bad-request', 'scenario.cancel needs the ticket of a run');
        return this.scenarios.cancel(p.ticket);
    }
  }

  /** Input typed at a console (the session file replays it). */
  recordInput(console: string, data: string): void {
    this.input.push({ console, data });
    if (this.input.length > MAX_INPUT) this.input.splice(0, this.input.length - MAX_INPUT);
  }

  /** The machine was reset: guests start over, so earlier input no longer describes them. */
  reset(): void {
    this.input = [];
  }

  /** The machine's hosts were built afresh (a session replay): nothing of the old ones remains. */
  rebuilt(): void {
    this.input = [];
    this.patches.forget();
    this.decisions.clear();
    this.sampler = new PerfSampler();
    this.watch();
  }

  /** Called between run slices: emits a performance sample per host when one is due. */
  tick(): void {
    for (const sample of this.sampler.sample(this.hosts())) this.emit({ kind: 'perf', sample });
  }

  private exportSession() {
    const d = this.machine.description;
    return {
      seed: this.seed,
      machine: d.machine,
      harts: d.harts,
      ramBytes: d.ramBytes,
      consoles: d.consoles,
      hosts: [...this.hosts().keys()],
      patches: this.patches.patches(),
      input: this.input.map((i) => ({ ...i })),
    };
  }

  private hosts(): ReadonlyMap<HostMode, VmmHost> {
    return this.machine.vmmHosts ?? new Map();
  }

  private host(mode: HostMode): VmmHost {
    const host = this.hosts().get(mode);
    if (!host) throw new LabError('bad-request', `this session runs no ${mode} host`);
    return host;
  }

  private decisionsSince(mode: HostMode, since: number): { decisions: MonitorDecision[]; next: number } {
    this.host(mode);
    const log = this.decisions.get(mode);
    if (!log) return { decisions: [], next: 0 };
    return { decisions: log.list.slice(Math.max(0, since - log.first)), next: log.first + log.list.length };
  }

  private watch(): void {
    for (const [mode, host] of this.hosts()) {
      if (this.watched.has(host)) continue;
      this.watched.add(host);
      host.onEvent((event) => this.observe(mode, host, event));
    }
  }

  private observe(mode: HostMode, host: VmmHost, event: VmmHostEvent): void {
    const time = host.board.clock.now();
    const activity = (what: SecurityActivity['what'], message: string, extra: Partial<SecurityActivity> = {}): void =>
      this.emit({ kind: 'security', activity: { host: mode, what, time, vm: null, message, ...extra } });
    switch (event.kind) {
      case 'exfiltrated':
        activity('exfiltrated', `exfiltrated ${event.label}: ${event.bytes.length} bytes`, { hex: Buffer.from(event.bytes).toString('hex') });
        break;
      case 'patch-fault':
        activity('patch-fault', describePatchFault(event.fault));
        break;
      case 'vmm-failed':
        activity('vmm-failed', event.reason);
        break;
      case 'monitor': {
        const e = event.event;
        this.remember(mode, { time: e.time, hart: e.hart, vm: e.vm, mechanism: e.mechanism, attempted: e.attempted, outcome: e.outcome });
        if (e.outcome !== 'allowed') {
          activity(e.outcome === 'refused' ? 'monitor-refused' : 'monitor-fail-stop', `${e.mechanism}: ${e.attempted}`, {
            time: e.time, vm: e.vm, mechanism: e.mechanism,
          });
        }
        break;
      }
      default:
        break;
    }
  }

  private remember(mode: HostMode, decision: MonitorDecision): void {
    let log = this.decisions.get(mode);
    if (!log) {
      log = { first: 0, list: [] };
      this.decisions.set(mode, log);
    }
    log.list.push(decision);
    if (log.list.length > MAX_DECISIONS) {
      const drop = log.list.length - MAX_DECISIONS;
      log.list.splice(0, drop);
      log.first += drop;
    }
  }
}
