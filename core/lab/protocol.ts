// The lab protocol: every front end (Electron renderer, browser over WebSocket, CLI, tests) talks
// to one emulated host through these messages. Requests are answered exactly once; host events
// travel in numbered batches that the receiver acknowledges, so a slow receiver is sent less
// (coalesced console text, a count of dropped events) and never stalls the host.
import type {
  HostsView, MemoryRequest, MemoryView, PageTableRequest, PageTableView, SearchRequest, SearchResult, VcpuRequest,
  VcpuView, ViewpointsRequest, ViewpointsView,
} from './inspect/inspect-types';
import type { DiskRequest, DiskView } from './inspect/disk-types';

/** Virtual time is counted in ticks of the board's timebase: this many make a second. */
export { VIRT_TIMEBASE_FREQUENCY as VIRTUAL_TICKS_PER_SECOND } from '../hw/board-description';

export type RunState = 'stopped' | 'running' | 'paused' | 'halted' | 'crashed';

export interface DeviceInfo {
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

export interface HostInfo {
  readonly product: string;
  readonly version: string;
  /** What the host runs: a built-in demo program until a machine is configured. */
  readonly machine: string;
  readonly harts: number;
  readonly ramBytes: number;
  readonly devices: readonly DeviceInfo[];
  readonly consoles: readonly string[];
  readonly seed: string;
}

export interface HostStatus {
  readonly state: RunState;
  /** Instructions retired by all harts since reset. */
  readonly instructions: number;
  /** Virtual time in timebase ticks (advances with retired instructions). */
  readonly virtualTime: number;
  /** Host speed over the last reporting interval, millions of instructions per second. */
  readonly mips: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LabEvent =
  | { readonly kind: 'console'; readonly console: string; readonly data: string }
  | { readonly kind: 'status'; readonly status: HostStatus }
  | { readonly kind: 'log'; readonly level: LogLevel; readonly source: string; readonly message: string }
  | { readonly kind: 'host-error'; readonly message: string; readonly detail?: string }
  | { readonly kind: 'security'; readonly activity: SecurityActivity }
  | { readonly kind: 'perf'; readonly sample: PerfSample };

export type LabEventKind = LabEvent['kind'];

/** One VMM host of the session: the VMM alone on the hardware, or under CloudVisor. */
export type HostMode = 'bare' | 'protected';
export type PatchTarget = HostMode | 'both';

/** A compile diagnostic of a patch, at the patch's own line and column (1-based). */
export interface PatchDiagnosticInfo {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly category: 'error' | 'warning' | 'message';
  /** TypeScript's code, or 0 for the lab's own patch rules. */
  readonly code: number;
  readonly message: string;
}

export type PatchState = 'loaded' | 'installed' | 'uninstalled' | 'disabled';

export interface LoadedPatchInfo {
  readonly host: HostMode;
  /** The engine's id of the patch on that host. */
  readonly id: number;
  readonly name: string;
  readonly fileName: string;
  readonly state: PatchState;
  /** The source as loaded, so a session can load it again. */
  readonly source: string;
}

export interface PatchRunResult {
  readonly host: HostMode;
  readonly ok: boolean;
  readonly patch?: LoadedPatchInfo;
  readonly diagnostics: readonly PatchDiagnosticInfo[];
  /** Why install() failed (the patch was disabled), with the patch's line. */
  readonly fault?: string;
}

/** Something security-relevant a host did: data left a guest, a patch failed, the monitor said no. */
export interface SecurityActivity {
  readonly host: HostMode;
  readonly what: 'exfiltrated' | 'patch-fault' | 'monitor-refused' | 'monitor-fail-stop' | 'vmm-failed';
  /** Host timebase ticks. */
  readonly time: number;
  readonly vm: number | null;
  /** The monitor's mechanism that decided (monitor events only). */
  readonly mechanism?: string;
  readonly message: string;
  /** The exfiltrated bytes, hex. */
  readonly hex?: string;
}

/** One decision of the monitor, as the lab shows it. */
export interface MonitorDecision {
  readonly time: number;
  readonly hart: number;
  readonly vm: number | null;
  readonly mechanism: string;
  readonly attempted: string;
  readonly outcome: 'allowed' | 'refused' | 'fail-stop';
}

/** Performance of one host over one sampling interval (wall clock of the lab's host process). */
export interface PerfSample {
  readonly host: HostMode;
  /** Wall milliseconds since the session started sampling. */
  readonly at: number;
  readonly intervalMs: number;
  /** Guest and firmware instructions retired per wall second, millions. */
  readonly mips: number;
  /** Guest exits returned by vcpu.run per wall second, by exit kind. */
  readonly exitsPerSecond: Readonly<Record<string, number>>;
  /** Share of wall time spent inside the monitor itself (not the guest it runs); null on a bare host. */
  readonly monitorShare: number | null;
  /** Share of wall time spent in the VMM's engine (its own code and hyp calls), 0..1. */
  readonly vmmShare: number;
}

export interface PcrReport {
  readonly index: number;
  /** What the platform measures into it. */
  readonly meaning: string;
  readonly value: string;
  /** What a verifier expects from the published firmware and image; null when nothing is expected. */
  readonly expected: string | null;
}

export interface AttestationReport {
  readonly host: HostMode;
  readonly pcrs: readonly PcrReport[];
  readonly nonce: string;
  readonly quote: { readonly attest: string; readonly signature: string; readonly pcrDigest: string; readonly selection: readonly number[] };
  readonly certificates: { readonly ca: string; readonly endorsement: string; readonly attestation: string };
  readonly verdict: { readonly ok: boolean; readonly checks: Readonly<Record<string, boolean>>; readonly reasons: readonly string[] };
  /** What this lab's platform does not measure yet, said plainly. */
  readonly notes: readonly string[];
}

export type ScenarioVerdict = 'compromised' | 'defended' | 'out-of-scope' | 'error';

/** One scenario of the catalog: the verdicts it must produce and its patch (an editor template). */
export interface CatalogEntry {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly expected: {
    readonly bare: ScenarioVerdict;
    readonly protected: ScenarioVerdict;
    readonly ablation: Readonly<Record<string, ScenarioVerdict>>;
  } | null;
  readonly patch: { readonly fileName: string; readonly source: string } | null;
  /** The file does not load: why. */
  readonly error: string | null;
}

/** One run of a scenario (the runner's RunReport, as it crosses the protocol). */
export interface ScenarioRunResult {
  readonly scenario: string;
  readonly mode: HostMode;
  readonly defenseOff: string | null;
  readonly verdict: ScenarioVerdict;
  readonly expected: ScenarioVerdict | null;
  readonly matches: boolean | null;
  readonly explanation: string;
  readonly defendedBy: readonly string[];
  readonly lost: readonly string[];
  readonly altered: readonly string[];
  readonly guests: readonly { readonly name: string; readonly domain: number; readonly booted: boolean; readonly selftest: string; readonly failStopped: string | null }[];
  readonly exfiltrated: readonly { readonly label: string; readonly bytes: number }[];
  readonly monitor: { readonly allowed: number; readonly refused: number; readonly failStop: number; readonly refusals: readonly string[] };
  readonly failures: readonly string[];
  readonly instructions: number;
  readonly seconds: number;
}

export type ScenarioRunPhase = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/**
 * One requested scenario run as the host's scenario queue sees it. Runs happen off the session's
 * host (each in its own worker thread), one at a time in the order they were asked for.
 */
export interface ScenarioRunState {
  /** The host's name for this run, for scenario.runs and scenario.cancel. */
  readonly ticket: string;
  readonly id: string;
  readonly mode: HostMode;
  readonly defenseOff: string | null;
  readonly phase: ScenarioRunPhase;
  /** Queued runs: how many runs go before this one. */
  readonly ahead: number;
  /** Wall milliseconds the run has been running (or ran); 0 while queued. */
  readonly elapsedMs: number;
  /** The report ('done' only; a run stopped for its time or memory limit is an `error` verdict). */
  readonly result: ScenarioRunResult | null;
  /** Why the run failed or was cancelled. */
  readonly error: string | null;
}

/** Where each VMM host of the session stands in its run (VmmHost.position: a round boundary). */
export type HostPositions = { readonly [M in HostMode]?: number };

/** A request that changed the hosts' course, as a session log records it. */
export type SessionEvent =
  | { readonly kind: 'input'; readonly console: string; readonly data: string }
  | { readonly kind: 'patch-load'; readonly fileName: string; readonly source: string; readonly target: PatchTarget }
  | { readonly kind: 'patch-unload'; readonly host: HostMode; readonly id: number }
  | { readonly kind: 'quote'; readonly host: HostMode; readonly nonce: string }
  | { readonly kind: 'reset' };

/** An event and where every host stood when it took effect. */
export interface StampedEvent {
  readonly at: HostPositions;
  readonly event: SessionEvent;
}

/** A session replay in the host: how far it got, and what it reached once done. */
export interface SessionReplayStatus {
  readonly running: boolean;
  /** Events of the log applied so far, of `total`. */
  readonly applied: number;
  readonly total: number;
  /** The last replay's outcome (null while it runs, or if none ran). */
  readonly result: SessionReplayResult | null;
}

/** What a replay reached: each host's position and state digest, and why it stopped short, if it did. */
export interface SessionReplayResult {
  readonly reached: boolean;
  readonly positions: HostPositions;
  readonly digests: { readonly [M in HostMode]?: string };
  /** Why the replay could not reach a recorded point (null when it did). */
  readonly problem: string | null;
  readonly events: number;
}

/** What a saved session needs from the host: its machine, the loaded patches, what was typed. */
export interface SessionExport {
  readonly seed: string;
  readonly machine: string;
  readonly harts: number;
  readonly ramBytes: number;
  readonly consoles: readonly string[];
  readonly hosts: readonly HostMode[];
  readonly patches: readonly LoadedPatchInfo[];
  /** Input typed at each console since the last reset, in order. */
  readonly input: readonly { readonly console: string; readonly data: string }[];
  /** Every event since the hosts were built, stamped; false `logComplete` if its start was dropped. */
  readonly log: readonly StampedEvent[];
  readonly logComplete: boolean;
  /** Where the hosts stood when this export was taken, and their state digests there. */
  readonly savePoint: HostPositions;
  readonly digests: { readonly [M in HostMode]?: string };
  /** Wall milliseconds the digests took (the host worker answers nothing meanwhile). */
  readonly digestMs: number;
}

/** Every request the host answers: name -> parameters and result. */
export interface LabMethods {
  'host.info': { params: Record<string, never>; result: HostInfo };
  'host.status': { params: Record<string, never>; result: HostStatus };
  'host.start': { params: Record<string, never>; result: HostStatus };
  'host.pause': { params: Record<string, never>; result: HostStatus };
  'host.step': { params: { readonly instructions: number }; result: HostStatus };
  'host.reset': { params: Record<string, never>; result: HostStatus };
  'console.input': { params: { readonly console: string; readonly data: string }; result: { readonly accepted: number } };
  'patch.load': {
    params: { readonly fileName: string; readonly source: string; readonly target: PatchTarget };
    result: { readonly results: readonly PatchRunResult[] };
  };
  'patch.unload': { params: { readonly host: HostMode; readonly id: number }; result: { readonly patches: readonly LoadedPatchInfo[] } };
  'patch.list': { params: Record<string, never>; result: { readonly hosts: readonly HostMode[]; readonly patches: readonly LoadedPatchInfo[] } };
  /** Decisions from position `since` on; `next` is the position after the last one returned (ask from there next time). The log is bounded: older decisions are gone, and hosts built afresh start a new one (`next` then drops below `since`). */
  'monitor.decisions': { params: { readonly host: HostMode; readonly since?: number }; result: { readonly decisions: readonly MonitorDecision[]; readonly next: number } };
  'attestation.quote': { params: { readonly host: HostMode; readonly nonce: string }; result: AttestationReport };
  'session.export': { params: Record<string, never>; result: SessionExport };
  /**
   * Starts rebuilding the hosts from the seed and replaying a session log to its save point (then
   * they pause); answers at once (a long log outlasts any request timeout): poll session.replay-status.
   */
  'session.replay': { params: { readonly log: readonly StampedEvent[]; readonly savePoint: HostPositions }; result: SessionReplayStatus };
  'session.replay-status': { params: Record<string, never>; result: SessionReplayStatus };
  /** The hypervisor interface and VMM declarations the patch compiler uses, for the editor. */
  'patch.declarations': { params: Record<string, never>; result: { readonly files: readonly { readonly path: string; readonly text: string }[] } };
  /** The catalog, and the monitor's defenses a run can switch off (one at a time). */
  'scenario.list': { params: Record<string, never>; result: { readonly scenarios: readonly CatalogEntry[]; readonly defenses: readonly string[] } };
  /** Queues one run of a catalog scenario on a fresh host, off the session's host; answers at once. */
  'scenario.run': {
    params: { readonly id: string; readonly mode: HostMode; readonly defenseOff: string | null };
    result: ScenarioRunState;
  };
  /** The runs asked for (those named, or every queued, running and recently finished one). */
  'scenario.runs': { params: { readonly tickets?: readonly string[] }; result: { readonly runs: readonly ScenarioRunState[] } };
  /** Cancels a queued or running run (its worker is stopped); a finished run is left as it is. */
  'scenario.cancel': { params: { readonly ticket: string }; result: ScenarioRunState };
  'inspect.hosts': { params: Record<string, never>; result: HostsView };
  'inspect.memory': { params: MemoryRequest; result: MemoryView };
  'inspect.viewpoints': { params: ViewpointsRequest; result: ViewpointsView };
  'inspect.search': { params: SearchRequest; result: SearchResult };
  'inspect.page-tables': { params: PageTableRequest; result: PageTableView };
  'inspect.vcpu': { params: VcpuRequest; result: VcpuView };
  /** A window of a domain's volume: the host disk's bytes, the guest's view, storage, labfs listing. */
  'inspect.disk': { params: DiskRequest; result: DiskView };
}

export type LabMethod = keyof LabMethods;
export type LabParams<M extends LabMethod> = LabMethods[M]['params'];
export type LabResult<M extends LabMethod> = LabMethods[M]['result'];

export const LAB_METHODS = [
  'host.info',
  'host.status',
  'host.start',
  'host.pause',
  'host.step',
  'host.reset',
  'console.input',
  'patch.load',
  'patch.unload',
  'patch.list',
  'monitor.decisions',
  'attestation.quote',
  'session.export',
  'session.replay',
  'session.replay-status',
  'patch.declarations',
  'scenario.list',
  'scenario.run',
  'scenario.runs',
  'scenario.cancel',
  'inspect.hosts',
  'inspect.memory',
  'inspect.viewpoints',
  'inspect.search',
  'inspect.page-tables',
  'inspect.vcpu',
  'inspect.disk',
] as const satisfies readonly LabMethod[];

export interface RequestMessage {
  readonly type: 'request';
  readonly id: number;
  readonly method: LabMethod;
  readonly params: unknown;
}

export interface LabErrorInfo {
  /** Stable code a front end can switch on. */
  readonly code: 'bad-request' | 'unknown-method' | 'host-failed' | 'host-crashed' | 'timeout' | 'closed';
  readonly message: string;
}

export type ResponseMessage =
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: LabErrorInfo };

export interface EventBatchMessage {
  readonly type: 'events';
  /** Batch number, increasing by one per batch on one connection. */
  readonly seq: number;
  readonly events: readonly LabEvent[];
  /** Events the sender dropped before this batch because the receiver was behind. */
  readonly dropped: number;
}

export interface AckMessage {
  readonly type: 'ack';
  readonly seq: number;
}

/** Front end -> host. */
export type ClientMessage = RequestMessage | AckMessage;
/** Host -> front end. */
export type ServerMessage = ResponseMessage | EventBatchMessage;

/** An error answered by the host, surfaced to callers of the lab API. */
export class LabError extends Error {
  override readonly name = 'LabError';
  constructor(
    readonly code: LabErrorInfo['code'],
    message: string,
  ) {
    super(message);
  }
}
