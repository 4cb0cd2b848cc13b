// The lab protocol: every front end (Electron renderer, browser over WebSocket, CLI, tests) talks
// to one emulated host through these messages. Requests are answered exactly once; host events
// travel in numbered batches that the receiver acknowledges, so a slow receiver is sent less
// (coalesced console text, a count of dropped events) and never stalls the host.
import type {
  HostsView, MemoryRequest, MemoryView, PageTableRequest, PageTableView, SearchRequest, SearchResult, VcpuRequest,
  VcpuView, ViewpointsRequest, ViewpointsView,
} from './inspect/inspect-types';

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
  | { readonly kind: 'host-error'; readonly message: string; readonly detail?: string };

export type LabEventKind = LabEvent['kind'];

/** One VMM host of the session: the VMM alone on the hardware, or under CloudVisor. */
export type HostMode = 'bare' | 'protected';

/** Every request the host answers: name -> parameters and result. */
export interface LabMethods {
  'host.info': { params: Record<string, never>; result: HostInfo };
  'host.status': { params: Record<string, never>; result: HostStatus };
  'host.start': { params: Record<string, never>; result: HostStatus };
  'host.pause': { params: Record<string, never>; result: HostStatus };
  'host.step': { params: { readonly instructions: number }; result: HostStatus };
  'host.reset': { params: Record<string, never>; result: HostStatus };
  'console.input': { params: { readonly console: string; readonly data: string }; result: { readonly accepted: number } };
  'inspect.hosts': { params: Record<string, never>; result: HostsView };
  'inspect.memory': { params: MemoryRequest; result: MemoryView };
  'inspect.viewpoints': { params: ViewpointsRequest; result: ViewpointsView };
  'inspect.search': { params: SearchRequest; result: SearchResult };
  'inspect.page-tables': { params: PageTableRequest; result: PageTableView };
  'inspect.vcpu': { params: VcpuRequest; result: VcpuView };
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
  'inspect.hosts',
  'inspect.memory',
  'inspect.viewpoints',
  'inspect.search',
  'inspect.page-tables',
  'inspect.vcpu',
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
