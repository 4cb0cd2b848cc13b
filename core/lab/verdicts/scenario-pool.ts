// Scenario runs off the session's host: each run in its own worker thread (scenario-worker.ts),
// at most `concurrency` at a time (one by default), the rest waiting in FIFO order. A run that
// outlives its wall-clock limit, crashes its worker or runs out of memory is stopped and reported
// as an `error` verdict saying which; a cancelled run's worker is stopped at once. Every run ends
// in exactly one final phase, and the pool never throws into the host that owns it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { LabError, type HostMode, type ScenarioRunPhase, type ScenarioRunResult, type ScenarioRunState, type ScenarioVerdict } from '../protocol';
import { checkRunRequest } from './scenario-catalog';
import { parseWorkerMessage, type ScenarioWorkerData } from './scenario-worker-messages';

export interface ScenarioPoolOptions {
  /** The built worker script (dist/node/scenario-worker.mjs unless given). */
  readonly workerPath?: string;
  /**
   * Runs at the same time. One: a run is a single-threaded interpreter that keeps a core busy, and
   * on the two cores the lab is made for, the other one belongs to the session's own host.
   */
  readonly concurrency?: number;
  /** Wall milliseconds a run may take once started. */
  readonly timeoutMs?: number;
  /** The heap a run's worker may use (its guests' RAM is outside the heap and not counted). */
  readonly resourceLimits?: ResourceLimits;
  /** Finished runs remembered for scenario.runs. */
  readonly keepFinished?: number;
}

export interface ScenarioRequest {
  readonly id: string;
  readonly mode: HostMode;
  readonly defenseOff: string | null;
}

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_HEAP_MB = 512;
const DEFAULT_KEEP_FINISHED = 64;
/** Runs that may wait at once: every scenario with every defense off is far fewer. */
const MAX_QUEUED = 1000;

interface Job extends ScenarioRequest {
  readonly ticket: string;
  phase: ScenarioRunPhase;
  startedAt: number;
  finishedAt: number;
  expected: ScenarioVerdict | null;
  worker: Worker | null;
  timer: ReturnType<typeof setTimeout> | null;
  result: ScenarioRunResult | null;
  error: string | null;
  readonly settled: Promise<ScenarioRunState>;
  settle(state: ScenarioRunState): void;
}

export function defaultScenarioWorkerPath(): string {
  const candidates = [
    new URL('./scenario-worker.mjs', import.meta.url), // running from a dist/node bundle (the host worker)
    new URL('../../../dist/node/scenario-worker.mjs', import.meta.url), // running from core/lab/verdicts sources
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new LabError('host-failed', 'the scenario worker is not built: run `npm run build:node` first');
}

export class ScenarioPool {
  private readonly queue: Job[] = [];
  private readonly running = new Set<Job>();
  private readonly finished: Job[] = [];
  private readonly jobs = new Map<string, Job>();
  private nextTicket = 1;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly resourceLimits: ResourceLimits;
  private readonly keepFinished: number;

  constructor(private readonly options: ScenarioPoolOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.resourceLimits = options.resourceLimits ?? { maxOldGenerationSizeMb: DEFAULT_HEAP_MB };
    this.keepFinished = options.keepFinished ?? DEFAULT_KEEP_FINISHED;
  }

  /** Queues a run; `settled` resolves with its final state (done, failed or cancelled). */
  submit(request: ScenarioRequest): { state: ScenarioRunState; settled: Promise<ScenarioRunState> } {
    checkRunRequest(request.mode, request.defenseOff);
    if (this.queue.length >= MAX_QUEUED) throw new LabError('bad-request', `${MAX_QUEUED} scenario runs are waiting already; cancel some first`);
    let settle: (state: ScenarioRunState) => void = () => undefined;
    const settled = new Promise<ScenarioRunState>((resolve) => (settle = resolve));
    const job: Job = {
      id: request.id, mode: request.mode, defenseOff: request.defenseOff, ticket: `run-${this.nextTicket++}`, phase: 'queued',
      startedAt: 0, finishedAt: 0, expected: null, worker: null, timer: null, result: null, error: null, settled, settle,
    };
    this.jobs.set(job.ticket, job);
    this.queue.push(job);
    this.pump();
    return { state: this.stateOf(job), settled };
  }

  /** The named runs (unknown tickets are left out), or every run the pool knows. */
  runs(tickets?: readonly string[]): ScenarioRunState[] {
    const jobs = tickets === undefined ? [...this.finished, ...this.running, ...this.queue] : tickets.flatMap((t) => this.jobs.get(t) ?? []);
    return jobs.map((job) => this.stateOf(job));
  }

  cancel(ticket: string): ScenarioRunState {
    const job = this.jobs.get(ticket);
    if (!job) throw new LabError('bad-request', `no scenario run ${JSON.stringify(ticket)} (it may have finished long ago)`);
    if (job.phase === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      this.finish(job, 'cancelled', null, 'cancelled before it started');
    } else if (job.phase === 'running') {
      this.finish(job, 'cancelled', null, `cancelled after ${seconds(this.elapsed(job))} s`);
    }
    return this.stateOf(job);
  }

  /** Stops every run (the owner is going away). */
  close(): void {
    for (const job of [...this.queue, ...this.running]) this.cancel(job.ticket);
  }

  private pump(): void {
    while (this.running.size < this.concurrency) {
      const job = this.queue.shift();
      if (!job) return;
      this.start(job);
    }
  }

  private start(job: Job): void {
    job.phase = 'running';
    job.startedAt = performance.now();
    this.running.add(job);
    const data: ScenarioWorkerData = { id: job.id, mode: job.mode, defenseOff: job.defenseOff };
    let worker: Worker;
    try {
      worker = new Worker(this.options.workerPath ?? defaultScenarioWorkerPath(), { workerData: data, resourceLimits: this.resourceLimits });
    } catch (error) {
      this.finish(job, 'failed', null, `the run could not start: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    job.worker = worker;
    job.timer = setTimeout(() => this.stopped(job, `the run did not finish within ${seconds(this.timeoutMs)} s, so its worker was stopped`), this.timeoutMs);
    worker.on('message', (raw: unknown) => this.message(job, raw));
    worker.on('error', (error: Error) => {
      const limit = this.resourceLimits.maxOldGenerationSizeMb;
      this.stopped(job, (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `the run ran out of memory (its worker may use ${limit ?? 'the default'} MiB of heap) and was stopped`
        : `the run's worker crashed: ${error.message}`);
    });
    worker.on('exit', (code) => this.stopped(job, `the run's worker exited (code ${code}) before it reported`));
  }

  private message(job: Job, raw: unknown): void {
    const message = parseWorkerMessage(raw);
    if (message === null) this.stopped(job, 'the run\'s worker sent something that is not a scenario report');
    else if (message.type === 'loaded') job.expected = message.expected;
    else if (message.type === 'result') this.finish(job, 'done', message.result, null);
    else if (message.code === 'bad-request') this.finish(job, 'failed', null, message.message);
    else this.stopped(job, `the run failed: ${message.message}`);
  }

  /** The run could not give its own report: it ends as an `error` verdict that says why. */
  private stopped(job: Job, explanation: string): void {
    if (job.phase !== 'running') return;
    const { expected } = job;
    const result: ScenarioRunResult = {
      scenario: job.id, mode: job.mode, defenseOff: job.defenseOff, verdict: 'error', expected,
      matches: expected === null ? null : expected === 'error', explanation, defendedBy: [], lost: [], altered: [], guests: [],
      exfiltrated: [], monitor: { allowed: 0, refused: 0, failStop: 0, refusals: [] }, failures: [], instructions: 0,
      seconds: this.elapsed(job) / 1000,
    };
    this.finish(job, 'done', result, null);
  }

  private finish(job: Job, phase: Exclude<ScenarioRunPhase, 'queued' | 'running'>, result: ScenarioRunResult | null, error: string | null): void {
    if (job.phase !== 'queued' && job.phase !== 'running') return;
    const worker = job.worker;
    if (job.timer !== null) clearTimeout(job.timer);
    job.finishedAt = performance.now();
    Object.assign(job, { phase, result, error, worker: null, timer: null });
    // The worker has posted all it will; terminating also ends one that hangs or was cancelled.
    if (worker !== null) void worker.terminate();
    this.running.delete(job);
    this.finished.push(job);
    for (const old of this.finished.splice(0, Math.max(0, this.finished.length - this.keepFinished))) this.jobs.delete(old.ticket);
    job.settle(this.stateOf(job));
    this.pump();
  }

  private elapsed(job: Job): number {
    if (job.startedAt === 0) return 0;
    return (job.finishedAt > 0 ? job.finishedAt : performance.now()) - job.startedAt;
  }

  private stateOf(job: Job): ScenarioRunState {
    return {
      ticket: job.ticket, id: job.id, mode: job.mode, defenseOff: job.defenseOff, phase: job.phase,
      ahead: job.phase === 'queued' ? this.queue.indexOf(job) + this.running.size : 0,
      elapsedMs: Math.round(this.elapsed(job)), result: job.result, error: job.error,
    };
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
