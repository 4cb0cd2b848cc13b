// What the lab's inspectors answer: plain data that crosses the lab protocol to the renderer.
// Every number is an address or a register value as the hardware holds it (unsigned); bytes travel
// as base64. Nothing here is computed by the renderer: it shows exactly what the host reports.

/** One address space at a time (issue 9): RAM as the hardware has it, the VMM's, a guest's two. */
export type Viewpoint = 'host' | 'vmm' | 'guest-physical' | 'guest-virtual';

export const VIEWPOINTS = ['host', 'vmm', 'guest-physical', 'guest-virtual'] as const satisfies readonly Viewpoint[];

/** Who owns a frame: 'monitor', 'vmm', 'domN', or 'device' / 'none' outside RAM. */
export type FrameOwnerLabel = string;

/** Why bytes of a page are (not) shown. */
export type PageAccess = 'ok' | 'refused' | 'unmapped' | 'not-ram';

export interface PageSpan {
  /** First address of the span in the viewpoint's own address space. */
  readonly address: number;
  readonly length: number;
  readonly access: PageAccess;
  /** Where the span lies one stage down: the guest-physical address (guest viewpoints). */
  readonly gpa: number | null;
  /** The host physical address backing it, when known. */
  readonly pa: number | null;
  readonly owner: FrameOwnerLabel | null;
  /** Why the access is not 'ok', in the words of the stage that said no. */
  readonly reason: string | null;
}

export interface MemoryRequest {
  /** Which host of the machine ('bare', 'protected'); the only one when omitted. */
  readonly host?: string;
  readonly viewpoint: Viewpoint;
  /** The domain (VMM domain id) for the guest viewpoints. */
  readonly domain?: number;
  readonly address: number;
  readonly length: number;
}

export interface MemoryView {
  readonly host: string;
  readonly viewpoint: Viewpoint;
  readonly domain: number | null;
  readonly address: number;
  readonly length: number;
  /** base64 of `length` bytes; bytes of spans that are not 'ok' are zero and must not be shown. */
  readonly bytes: string;
  readonly spans: readonly PageSpan[];
  /** Size of the whole address space (for the scroll range). */
  readonly spaceBytes: number;
  /** The lowest address that holds anything (RAM base, or 0 for a guest's virtual space). */
  readonly spaceBase: number;
}

export interface ViewpointsRequest {
  readonly host?: string;
  readonly domain: number;
  /** Address in the guest's virtual space (or guest-physical when `space` says so). */
  readonly address: number;
  readonly space: 'guest-virtual' | 'guest-physical';
  readonly length: number;
}

/** The same bytes seen from every viewpoint, with the translation chain between them. */
export interface ViewpointsView {
  readonly host: string;
  readonly domain: number;
  readonly gva: number | null;
  readonly gpa: number | null;
  readonly pa: number | null;
  readonly views: readonly MemoryView[];
}

export interface SearchRequest {
  readonly host?: string;
  readonly viewpoint: Viewpoint;
  readonly domain?: number;
  readonly from: number;
  /** How far to look, in bytes from `from`. */
  readonly length: number;
  /** Bytes to find, as hex ("de ad be ef" or "deadbeef"). */
  readonly pattern: string;
}

export interface SearchResult {
  /** Address of the first match at or after `from`, in the viewpoint's space; null when none. */
  readonly address: number | null;
  readonly scanned: number;
}

export interface PageTableRequest {
  readonly host?: string;
  readonly domain: number;
  readonly stage: 'g-stage' | 'vs-stage';
  readonly offset?: number;
  readonly limit?: number;
  /** Only the rows that differ between the VMM's table and the monitor's shadow, or are refused. */
  readonly flaggedOnly?: boolean;
}

/** How a G-stage entry of the VMM's table compares with what the hart really walks. */
export type GStageStatus = 'same' | 'differs' | 'not-shadowed' | 'refused' | 'shadow-only';

export interface GStageRow {
  readonly gpa: number;
  /** The frame the VMM's table maps (null: the VMM has no entry). */
  readonly vmmPa: number | null;
  readonly vmmFlags: string;
  /** The monitor's shadow entry (protected mode), or the VMM's own entry on a bare host. */
  readonly shadowPa: number | null;
  readonly owner: FrameOwnerLabel | null;
  readonly status: GStageStatus;
  readonly note: string | null;
}

export interface VsStageRow {
  readonly va: number;
  readonly gpa: number;
  readonly flags: string;
  /** 1: a 4 MiB superpage, 0: a 4 KiB page. */
  readonly level: 0 | 1;
  readonly pa: number | null;
  readonly owner: FrameOwnerLabel | null;
}

interface PageTableCommon {
  readonly host: string;
  readonly domain: number;
  readonly total: number;
  readonly offset: number;
  readonly flagged: number;
}

export type PageTableView =
  | (PageTableCommon & {
      readonly stage: 'g-stage';
      /** Root of the VMM's table (its hgatp) and of the table the hart walks. */
      readonly vmmHgatp: number;
      readonly hartHgatp: number | null;
      readonly rows: readonly GStageRow[];
    })
  | (PageTableCommon & {
      readonly stage: 'vs-stage';
      readonly vsatp: number;
      readonly rows: readonly VsStageRow[];
    });

export interface VcpuRequest {
  readonly host?: string;
  readonly domain: number;
  /** The vCPU's index inside the domain (0 when omitted). */
  readonly index?: number;
}

export interface RegisterRow {
  readonly name: string;
  /** The guest's real value. */
  readonly actual: number;
  /** What the VMM reads now; null before the VMM ever saw this vCPU exit. */
  readonly seen: number | null;
  /** A value the VMM asked to write since the last exit, if any. */
  readonly attempted: number | null;
  readonly refused: boolean;
}

export interface VcpuView {
  readonly host: string;
  readonly mode: 'bare' | 'protected';
  readonly domain: number;
  readonly index: number;
  readonly vcpu: number;
  readonly hsm: string;
  readonly exits: number;
  /** The last exit as the VMM received it (protected mode records it; null otherwise). */
  readonly lastExit: string | null;
  readonly registers: readonly RegisterRow[];
  readonly controls: readonly { readonly name: string; readonly actual: number; readonly seen: number }[];
}

export interface HartView {
  readonly id: number;
  readonly pc: number;
  readonly priv: string;
  /** What the hart runs: the monitor and the VMM under it, or the VMM, and the last guest entered. */
  readonly runs: string;
  readonly lastDomain: number | null;
  readonly retired: number;
}

export interface DomainView {
  readonly id: number;
  readonly name: string;
  readonly state: string;
  readonly vmid: number | null;
  readonly memoryBytes: number;
  readonly populatedPages: number;
  readonly vcpus: readonly { readonly index: number; readonly vcpu: number; readonly hsm: string; readonly exits: number }[];
  /** Protected mode: the monitor stopped this VM, and why. */
  readonly failStopped: string | null;
  /** The console the domain prints on, when the machine gave it one. */
  readonly console: string | null;
}

export interface HostView {
  readonly name: string;
  readonly mode: 'bare' | 'protected';
  readonly ramBase: number;
  readonly ramBytes: number;
  readonly instructions: number;
  readonly virtualTime: number;
  readonly failed: string | null;
  readonly harts: readonly HartView[];
  readonly domains: readonly DomainView[];
  readonly monitor: {
    readonly defenses: Readonly<Record<string, boolean>>;
    readonly policy: string;
    /** Frames per owner, from the monitor's owner table. */
    readonly frames: Readonly<Record<string, number>>;
  } | null;
}

export interface HostsView {
  readonly hosts: readonly HostView[];
}
