// What a patch can reach in this VMM, as declarations: the hook points it may listen on and the
// functions it may wrap by dotted path, augmenting hyp.ts's VmmHooks and VmmFunctions, plus the
// types those signatures use. Self-contained (it imports hyp.ts only), so the patch compiler and
// editor can load this file as it is, with '../sandbox/hyp' read as module 'hyp' (patchDeclarations()).
// Invariant: patch-paths.ts lists exactly these hooks and paths (checked at compile time).
import type { DomainId, Exit, VcpuId } from '../sandbox/hyp';

/** One guest buffer of a virtqueue descriptor chain (virtio 1.2, 2.7.5). */
export interface VirtqBuffer {
  readonly gpa: number;
  readonly len: number;
}

/** A chain the driver made available: device-readable buffers, then device-writable ones. */
export interface VirtqChain {
  readonly head: number;
  readonly readable: readonly VirtqBuffer[];
  readonly writable: readonly VirtqBuffer[];
}

/** A virtio-blk request (virtio 1.2, 5.2.6); `data` is what goes to disk (OUT) or to the guest (IN). */
export interface BlkRequest {
  readonly domain: DomainId;
  /** VIRTIO_BLK_T_IN 0, OUT 1, FLUSH 4, GET_ID 8. */
  readonly type: number;
  readonly sector: number;
  readonly sectors: number;
  data: Uint8Array | null;
  /** VIRTIO_BLK_S_OK 0, IOERR 1, UNSUPP 2. */
  status: number;
}

/** An SBI answer: a0 (error) and a1 (value); a1 null for legacy calls, which answer in a0 only. */
export interface SbiResult {
  readonly a0: number;
  readonly a1: number | null;
}

export type PopulateMode = 'eager' | 'lazy';

export interface DiskSpec {
  readonly vol: string;
  readonly sectors: number | null;
  readonly readOnly: boolean;
  readonly image: string | null;
}

/** A domain's configuration, as parsed from xl.cfg text. */
export interface DomainConfig {
  readonly name: string;
  readonly kernel: string;
  readonly memoryBytes: number;
  readonly vcpus: number;
  readonly disks: readonly DiskSpec[];
  readonly rng: boolean;
  readonly populate: PopulateMode;
  readonly bootargs: string | null;
}

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
