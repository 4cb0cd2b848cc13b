// What a patch can reach in this VMM: the hook points it may listen on and the functions it may
// wrap by dotted path, declared by augmenting hyp.ts's VmmHooks and VmmFunctions so the patch
// editor and the patch compiler type-check `vmm.hooks.on(...)` and `vmm.wrap(...)` against them.
// Invariant: every path listed here is defined in vmm-functions.ts and every hook is emitted by the
// VMM (a test checks both lists against the running registry).
import type { DomainId, Exit, VcpuId } from '../sandbox/hyp';
import type { BlkRequest } from './devices/virtio-blk';
import type { VirtqChain } from './devices/virtqueue';
import type { SbiResult } from './sbi';
import type { DomainConfig } from './xl-config';

/** A domain as a patch sees it: the VMM's own bookkeeping, including where its RAM really is. */
export interface DomainInfo {
  readonly id: DomainId;
  readonly name: string;
  readonly vmid: number;
  readonly hgatp: number;
  readonly ramBase: number;
  readonly ramSize: number;
  readonly vcpus: readonly VcpuId[];
  /** The machine address behind a guest physical address (0 if not populated): the VMM's p2m. */
  translate(gpa: number): number;
}

/** A vCPU as the scheduler sees it. */
export interface VcpuRef {
  readonly domain: DomainId;
  /** The guest's hart number. */
  readonly index: number;
  readonly vcpu: VcpuId;
}

export interface VmmHookMap {
  exit(domain: DomainId, vcpu: VcpuId, exit: Exit): void;
  sbi(domain: DomainId, vcpu: VcpuId, ext: number, fid: number, args: readonly number[]): void;
  mmio(domain: DomainId, vcpu: VcpuId, access: 'load' | 'store', gpa: number, width: number, value: number): void;
  'virtio.request'(domain: DomainId, device: 'blk' | 'rng', queue: number, chain: VirtqChain): void;
  schedule(hart: number, domain: DomainId, vcpu: VcpuId): void;
  'domain.create'(domain: DomainId, info: DomainInfo): void;
  'domain.destroy'(domain: DomainId): void;
  'memory.map'(domain: DomainId, gpa: number, pa: number): void;
  toolstack(line: string): void;
}

export interface VmmFunctionMap {
  /** Handles an SBI call; `null` means the call does not return (hart stop, system reset). */
  'sbi.call': (domain: DomainId, vcpu: number, ext: number, fid: number, args: readonly number[]) => SbiResult | null;
  /** Emulates an MMIO load; the result goes to the destination register. */
  'mmio.load': (domain: DomainId, vcpu: number, gpa: number, width: number) => number;
  'mmio.store': (domain: DomainId, vcpu: number, gpa: number, width: number, value: number) => void;
  /** Backs a guest page on a guest-page fault (lazy mode); false if the GPA is not RAM. */
  'memory.populate': (domain: DomainId, gpa: number) => boolean;
  /** A block request is about to go to the host disk (`data` holds the guest's bytes for a write). */
  'virtio.blk.submit': (request: BlkRequest) => void;
  /** A block request finished (`data` holds the disk's bytes for a read); delivers it to the guest. */
  'virtio.blk.complete': (request: BlkRequest) => void;
  /** Entropy for a guest's virtio-rng. */
  'virtio.rng.entropy': (domain: DomainId, length: number) => Uint8Array;
  /** Guest console output on its way to the lab. */
  'console.flush': (domain: DomainId, bytes: Uint8Array) => Uint8Array;
  /** Console input on its way to the guest's UART; returns bytes accepted. */
  'console.input': (domain: DomainId, bytes: Uint8Array) => number;
  /** Chooses the next vCPU for a hart among the runnable ones. */
  'scheduler.pick': (hart: number, runnable: readonly VcpuRef[]) => VcpuRef | null;
  'domain.create': (config: DomainConfig, image: Uint8Array) => DomainId;
  'domain.destroy': (domain: DomainId) => void;
  'domain.pause': (domain: DomainId) => void;
  'domain.unpause': (domain: DomainId) => void;
  /** One xl command line; returns its output. */
  'toolstack.command': (line: string) => string;
}

declare module '../sandbox/hyp' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface VmmHooks extends VmmHookMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface VmmFunctions extends VmmFunctionMap {}
}

export const HOOK_NAMES = [
  'exit', 'sbi', 'mmio', 'virtio.request', 'schedule', 'domain.create', 'domain.destroy', 'memory.map', 'toolstack',
] as const satisfies readonly (keyof VmmHookMap)[];

export const FUNCTION_PATHS = [
  'sbi.call', 'mmio.load', 'mmio.store', 'memory.populate', 'virtio.blk.submit', 'virtio.blk.complete',
  'virtio.rng.entropy', 'console.flush', 'console.input', 'scheduler.pick', 'domain.create', 'domain.destroy',
  'domain.pause', 'domain.unpause', 'toolstack.command',
] as const satisfies readonly (keyof VmmFunctionMap)[];

type MissingHook = Exclude<keyof VmmHookMap, (typeof HOOK_NAMES)[number]>;
type MissingPath = Exclude<keyof VmmFunctionMap, (typeof FUNCTION_PATHS)[number]>;
export const HOOK_LIST_COMPLETE: [MissingHook] extends [never] ? true : MissingHook = true;
export const PATH_LIST_COMPLETE: [MissingPath] extends [never] ? true : MissingPath = true;
