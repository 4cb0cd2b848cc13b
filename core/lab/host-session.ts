// One emulated host as the lab protocol sees it: a machine, its run state, and the events it
// produces. Runs the machine in slices of about `sliceMs` of wall time, yielding to the event
// loop between slices so requests are answered while the machine runs. A machine that throws is
// a crashed host (reported as an event), never a crashed process.
// Slices end at host round boundaries, and how they are cut does not change the run (the host is
// deterministic): every request that changes the hosts' course is logged with where each host
// stood when it took effect, so a saved session replays on hosts rebuilt from the seed to the
// same state, checked by digest (session.export, session.replay).
import { TextDecoder } from 'node:util';
import { digestsOf, isReplayable, positionsOf, runHostsTo, type ReplayableMachine } from './host/session-replay';
import { HostTools, isToolMethod } from './host-tools';
import type { LabBackend } from './lab-endpoint';
import { handleInspect, isInspectMethod } from './inspect/inspect-requests';
import type { Machine } from './machine';
import { PRODUCT_NAME, PRODUCT_VERSION } from './product';
import {
  LabError, type HostInfo, type HostPositions, type HostStatus, type LabEvent, type LabMethod, type RunState, type SessionEvent, type SessionExport,
  type SessionReplayResult, type SessionReplayStatus, type StampedEvent,
} from './protocol';
import { eventOfRequest, parseHostPositions, parseSessionLog, requestOfEvent } from './session-file/session-log';

export interface HostSessionOptions {
  readonly seed: string;
  readonly sliceMs?: number;
  readonly statusIntervalMs?: number;
}

const MAX_STEP = 1_000_000_000;
/** Events kept in the session log; past this its start is dropped and a replay can no longer be exact. */
const MAX_LOG = 200_000;

export class HostSession implements LabBackend {
  private state: RunState = 'paused';
  private readonly listeners = new Set<(event: LabEvent) => void>();
  private budget = 100_000;
  private loopScheduled = false;
  private lastStatusAt = 0;
  private lastStatusInstructions = 0;
  private mips = 0;
  private readonly decoders = new Map<string, TextDecoder>();
  private readonly sliceMs: number;
  private readonly statusIntervalMs: number;
  private readonly tools: HostTools;
  private log: StampedEvent[] = [];
  private logComplete = true;
  /** A session replay runs: only its own events change the hosts meanwhile. */
  private replaying = false;
  /** Pause asked for during a replay: it stops at the next chunk boundary (a file's save point may lie far ahead). */
  private replayStop = false;
  private applyingReplay = false;
  private replayProgress: SessionReplayStatus = { running: false, applied: 0, total: 0, result: null };

  constructor(
    private readonly machine: Machine,
    private readonly options: HostSessionOptions,
  ) {
    this.sliceMs = options.sliceMs ?? 10;
    this.statusIntervalMs = options.statusIntervalMs ?? 250;
    machine.onConsoleOutput((console, data) => this.consoleOutput(console, data));
    this.tools = new HostTools(machine, options.seed, (event) => this.emit(event));
  }

  onEvent(listener: (event: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async handle(method: LabMethod, params: unknown): Promise<unknown> {
    if (method === 'session.export') return this.exportSession();
    if (method === 'session.replay') return this.startReplay(params);
    if (method === 'session.replay-status') return this.replayProgress;
    const event = eventOfRequest(method, params);
    if (event !== null) return this.recorded(event, () => this.dispatch(method, params));
    if (this.replaying && method === 'host.pause') {
      this.replayStop = true;
      return this.status();
    }
    if (this.replaying && (method === 'host.start' || method === 'host.step')) {
      throw new LabError('bad-request', 'a saved session is being replayed; the host runs again once it is done');
    }
    return this.dispatch(method, params);
  }

  private async dispatch(method: LabMethod, params: unknown): Promise<unknown> {
    if (isInspectMethod(method)) {
      return handleInspect(this.machine.vmmHosts, method, params, (host, domain) =>
        host === 'bare' || host === 'protected' ? (this.machine.consoleOf?.(host, domain) ?? null) : null,
      );
    }
    if (isToolMethod(method)) return this.tools.handle(method, params);
    switch (method) {
      case 'host.info':
        return this.info();
      case 'host.status':
        return this.status();
      case 'host.start':
        return this.start();
      case 'host.pause':
        return this.transition('paused');
      case 'host.step':
        return this.step(params);
      case 'host.reset':
        return this.reset();
      case 'console.input':
        return this.consoleInput(params);
    }
  }

  info(): HostInfo {
    const d = this.machine.description;
    return {
      product: PRODUCT_NAME,
      version: PRODUCT_VERSION,
      machine: d.machine,
      harts: d.harts,
      ramBytes: d.ramBytes,
      devices: d.devices,
      consoles: d.consoles,
      seed: this.options.seed,
    };
  }

  status(): HostStatus {
    return {
      state: this.state,
      instructions: this.machine.instructions,
      virtualTime: this.machine.virtualTime,
      mips: this.mips,
    };
  }

  private start(): HostStatus {
    this.refuseIfDead();
    if (this.state !== 'running') {
      this.transition('running');
      this.schedule();
    }
    return this.status();
  }

  private step(params: unknown): HostStatus {
    this.refuseIfDead();
    const count = (params as { instructions?: unknown } | null)?.instructions;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > MAX_STEP) {
      throw new LabError('bad-request', `host.step needs instructions: an integer from 1 to ${MAX_STEP}`);
    }
    if (this.state === 'running') this.transition('paused');
    this.runSlice(count);
    return this.status();
  }

  private reset(): HostStatus {
    this.machine.reset();
    this.tools.reset();
    this.decoders.clear();
    this.mips = 0;
    this.lastStatusInstructions = 0;
    return this.transition('paused');
  }

  private consoleInput(params: unknown): { accepted: number } {
    const p = params as { console?: unknown; data?: unknown } | null;
    if (typeof p?.console !== 'string' || typeof p.data !== 'string') {
      throw new LabError('bad-request', 'console.input needs console and data strings');
    }
    if (!this.machine.description.consoles.includes(p.console)) {
      throw new LabError('bad-request', `no console named ${JSON.stringify(p.console)}`);
    }
    this.tools.recordInput(p.console, p.data);
    return { accepted: this.machine.consoleInput(p.console, new TextEncoder().encode(p.data)) };
  }

  /** Applies a course-changing request and logs it with where each host stood (between slices). */
  private async recorded(event: SessionEvent, apply: () => Promise<unknown>): Promise<unknown> {
    if (this.replaying && !this.applyingReplay) {
      throw new LabError('bad-request', 'a saved session is being replayed; input and patches wait until it is done');
    }
    const at = positionsOf(this.machine.vmmHosts ?? new Map());
    const result = await apply();
    this.log.push({ at, event });
    if (this.log.length > MAX_LOG) {
      this.log.splice(0, this.log.length - MAX_LOG);
      this.logComplete = false;
    }
    return result;
  }

  /** The session as a file needs it: tools' export, the stamped log, the save point and its digests. */
  private exportSession(): SessionExport {
    const base = this.tools.handle('session.export', {}) as Omit<SessionExport, 'log' | 'logComplete' | 'savePoint' | 'digests' | 'digestMs'>;
    const hosts = this.machine.vmmHosts ?? new Map();
    const { digests, ms } = digestsOf(hosts);
    return { ...base, log: this.log.map((e) => ({ at: { ...e.at }, event: { ...e.event } })), logComplete: this.logComplete, savePoint: positionsOf(hosts), digests, digestMs: ms };
  }

  /** Checks a replay request and starts it; the replay goes on between requests (session.replay-status). */
  private startReplay(params: unknown): SessionReplayStatus {
    const machine = this.machine;
    if (!isReplayable(machine)) throw new LabError('bad-request', 'this host runs no VMM hosts, so it cannot replay a session');
    if (this.replaying) throw new LabError('bad-request', 'a saved session is already being replayed');
    const p = (typeof params === 'object' && params !== null ? params : {}) as { log?: unknown; savePoint?: unknown };
    let log: StampedEvent[];
    let savePoint: HostPositions;
    try {
      log = parseSessionLog(p.log);
      savePoint = parseHostPositions(p.savePoint, 'the save point');
    } catch (error) {
      throw new LabError('bad-request', `session.replay: ${error instanceof Error ? error.message : String(error)}`);
    }
    const modes = [...machine.vmmHosts.keys()];
    if (!modes.every((m) => savePoint[m] !== undefined) || Object.keys(savePoint).length !== modes.length) {
      throw new LabError('bad-request', `session.replay: the save point names hosts ${Object.keys(savePoint).join(', ') || 'none'}; this session runs ${modes.join(', ')}`);
    }
    this.replaying = true;
    this.replayStop = false;
    if (this.state === 'running') this.transition('paused');
    this.replayProgress = { running: true, applied: 0, total: log.length, result: null };
    void this.replay(machine, log, savePoint).then(
      (result) => {
        this.replayProgress = { ...this.replayProgress, running: false, result };
      },
      (error: unknown) => {
        const problem = `the replay failed: ${error instanceof Error ? error.message : String(error)}`;
        this.replayProgress = { ...this.replayProgress, running: false, result: { reached: false, positions: {}, digests: {}, problem, events: this.replayProgress.applied } };
      },
    );
    return this.replayProgress;
  }

  /**
   * Rebuilds the hosts from the seed, runs each exactly to each logged event's stamp, applies it,
   * runs to the save point and pauses there; answers with the digests reached (the caller compares).
   */
  private async replay(machine: ReplayableMachine, log: readonly StampedEvent[], savePoint: HostPositions): Promise<SessionReplayResult> {
    let applied = 0;
    let problem: string | null = null;
    try {
      await machine.rebuild();
      this.tools.rebuilt();
      this.decoders.clear();
      this.log = [];
      this.logComplete = true;
      this.mips = 0;
      this.lastStatusInstructions = 0;
      this.transition('paused');
      const between = (): boolean => {
        this.maybeReportStatus();
        return !this.replayStop;
      };
      for (const entry of log) {
        problem = await runHostsTo(machine.vmmHosts, entry.at, between);
        if (problem !== null) break;
        const request = requestOfEvent(entry.event);
        this.applyingReplay = true;
        try {
          await this.handle(request.method, request.params);
        } catch (error) {
          problem = `event ${applied + 1} (${entry.event.kind}) was refused on replay: ${error instanceof Error ? error.message : String(error)}`;
          break;
        } finally {
          this.applyingReplay = false;
        }
        applied++;
        this.replayProgress = { ...this.replayProgress, applied };
      }
      problem ??= await runHostsTo(machine.vmmHosts, savePoint, between);
      const { digests } = digestsOf(machine.vmmHosts);
      return { reached: problem === null, positions: positionsOf(machine.vmmHosts), digests, problem, events: applied };
    } finally {
      this.replaying = false;
      this.transition('paused');
    }
  }

  private refuseIfDead(): void {
    if (this.state === 'crashed' || this.state === 'halted') {
      throw new LabError('host-failed', `the host is ${this.state}; reset it first`);
    }
  }

  private transition(state: RunState): HostStatus {
    this.state = state;
    const status = this.status();
    this.emit({ kind: 'status', status });
    return status;
  }

  private schedule(): void {
    if (this.loopScheduled) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      if (this.state !== 'running') return;
      const started = performance.now();
      this.runSlice(this.budget);
      const elapsed = performance.now() - started;
      // Aim each slice at sliceMs so requests never wait long behind the machine.
      if (elapsed > 0) this.budget = Math.max(1000, Math.min(50_000_000, Math.round((this.budget * this.sliceMs) / elapsed)));
      this.maybeReportStatus();
      if (this.state === 'running') this.schedule();
    });
  }

  private runSlice(budget: number): void {
    try {
      const slice = this.machine.run(budget);
      if (slice.halted) {
        this.emit({ kind: 'log', level: 'info', source: 'host', message: `machine halted (exit code ${slice.exitCode ?? 0})` });
        this.transition('halted');
      }
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.emit({ kind: 'host-error', message: `the machine failed: ${error instanceof Error ? error.message : String(error)}`, detail });
      this.transition('crashed');
    }
  }

  private maybeReportStatus(): void {
    const now = performance.now();
    if (now - this.lastStatusAt < this.statusIntervalMs) return;
    if (this.lastStatusAt > 0) {
      const retired = this.machine.instructions - this.lastStatusInstructions;
      this.mips = retired / ((now - this.lastStatusAt) * 1000);
    }
    this.lastStatusAt = now;
    this.lastStatusInstructions = this.machine.instructions;
    this.emit({ kind: 'status', status: this.status() });
    this.tools.tick();
  }

  private consoleOutput(console: string, data: Uint8Array): void {
    let decoder = this.decoders.get(console);
    if (!decoder) {
      decoder = new TextDecoder('utf-8');
      this.decoders.set(console, decoder);
    }
    const text = decoder.decode(data, { stream: true });
    if (text.length > 0) this.emit({ kind: 'console', console, data: text });
  }

  private emit(event: LabEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
