// The hypervisor interface: the one contract between trusted code (hardware, monitor) and the
// untrusted VMM and its patches. Types only, no imports: it feeds the patch editor's IntelliSense
// and the patch compiler's type check, so it is written to be read as documentation.
// Invariants: values cross by copy (nothing returned is a live view of host memory); words are
// unsigned 32-bit numbers; 64-bit quantities (time, htimedelta) are exact numbers below 2^53.

/** A vCPU control block (this machine's VMCS), created by `hyp.vcpu.create()`. */
export type VcpuId = number;

/** A guest domain as the VMM numbers them (0 is the VMM's own management domain). */
export type DomainId = number;

/** Bit i set = hart i. */
export type HartMask = number;

/** General-purpose registers by number. x0 is hard-wired zero and not a register here. */
export type GprName =
  | 'x1' | 'x2' | 'x3' | 'x4' | 'x5' | 'x6' | 'x7' | 'x8' | 'x9' | 'x10'
  | 'x11' | 'x12' | 'x13' | 'x14' | 'x15' | 'x16' | 'x17' | 'x18' | 'x19' | 'x20'
  | 'x21' | 'x22' | 'x23' | 'x24' | 'x25' | 'x26' | 'x27' | 'x28' | 'x29' | 'x30' | 'x31';

/** ABI aliases accepted by `setRegs`/`setReg` (a0 = x10, sp = x2, fp = s0 = x8, ...). */
export type AbiRegName =
  | 'ra' | 'sp' | 'gp' | 'tp' | 't0' | 't1' | 't2' | 's0' | 'fp' | 's1'
  | 'a0' | 'a1' | 'a2' | 'a3' | 'a4' | 'a5' | 'a6' | 'a7'
  | 's2' | 's3' | 's4' | 's5' | 's6' | 's7' | 's8' | 's9' | 's10' | 's11'
  | 't3' | 't4' | 't5' | 't6';

/** The VS-level CSRs the H extension keeps for a guest (priv 1.12, section 9.2). */
export type VsCsrName =
  | 'vsstatus' | 'vsie' | 'vstvec' | 'vsscratch' | 'vsepc' | 'vscause' | 'vstval' | 'vsip' | 'vsatp';

export type GuestRegName = 'pc' | GprName | VsCsrName;

/**
 * A guest's register state. Under the monitor, registers the current exit does not need read as 0
 * (see CLOUDVISOR.md, "vCPU state protection"), and pc is advanced by the monitor, not the VMM.
 */
export interface GuestRegs {
  pc: number;
  x1: number; x2: number; x3: number; x4: number; x5: number; x6: number; x7: number; x8: number;
  x9: number; x10: number; x11: number; x12: number; x13: number; x14: number; x15: number;
  x16: number; x17: number; x18: number; x19: number; x20: number; x21: number; x22: number;
  x23: number; x24: number; x25: number; x26: number; x27: number; x28: number; x29: number;
  x30: number; x31: number;
  vsstatus: number; vsie: number; vstvec: number; vsscratch: number; vsepc: number;
  vscause: number; vstval: number; vsip: number; vsatp: number;
}

/** Changes to apply with `setRegs`: any subset, by architectural or ABI name. */
export type GuestRegChanges = Partial<GuestRegs> & Partial<Record<AbiRegName, number>>;

/** The H-extension controls of a vCPU. */
export interface GuestControls {
  /** G-stage root: MODE (Sv32x4) | VMID | PPN. */
  hgatp: number;
  hedeleg: number;
  hideleg: number;
  hcounteren: number;
  /** 64-bit on RV32 (htimedelta + htimedeltah), as an exact number. */
  htimedelta: number;
  /** Interrupts injected into VS-mode: VSSIP (bit 2), VSTIP (bit 6), VSEIP (bit 10). */
  hvip: number;
}

export type MemoryAccess = 'load' | 'store' | 'fetch';

/** Why `vcpu.run` returned: one object per exit, carrying only what the exit needs. */
export type Exit =
  /** ECALL from VS-mode: SBI extension (a7), function (a6), and a0..a7. */
  | { readonly kind: 'sbi'; readonly ext: number; readonly fid: number; readonly args: readonly number[] }
  /** Guest load from an unmapped GPA, decoded from htinst: `rd` is the destination register number. */
  | { readonly kind: 'mmio-load'; readonly gpa: number; readonly width: 1 | 2 | 4; readonly signed: boolean; readonly rd: number }
  | { readonly kind: 'mmio-store'; readonly gpa: number; readonly width: 1 | 2 | 4; readonly value: number }
  | { readonly kind: 'guest-page-fault'; readonly gpa: number; readonly access: MemoryAccess }
  | { readonly kind: 'virtual-instruction'; readonly insn: number }
  | { readonly kind: 'wfi' }
  /** An interrupt for the host (timer, disk completion, IPI), not for the guest. */
  | { readonly kind: 'interrupt'; readonly cause: number }
  /** The host's quantum ended: the guest was preempted and can be resumed as is. */
  | { readonly kind: 'quantum' }
  | { readonly kind: 'other'; readonly scause: number; readonly stval: number; readonly htval: number; readonly htinst: number };

export type ExitKind = Exit['kind'];

/**
 * Thrown inside the engine when a hypervisor call is refused or malformed. A refused memory access
 * is an access fault, as on hardware: `pa` and `access` say which.
 */
export interface HypError extends Error {
  readonly name: 'HypFault' | 'HypError';
  readonly pa?: number;
  readonly access?: MemoryAccess;
}

/** A DMA request for the host disk, through the IOMMU: the device reaches only VMM frames. */
export interface DiskRequest {
  readonly op: 'read' | 'write' | 'flush';
  /** First 512-byte sector. */
  readonly sector: number;
  /** Sectors to transfer (0 for flush). */
  readonly count: number;
  /** Physical address of the DMA buffer (count * 512 bytes). */
  readonly pa: number;
}

export interface DiskCompletion {
  readonly tag: number;
  readonly status: 'ok' | 'io-error' | 'dma-fault';
}

/** The physical disk controller: a request queue; completions raise a host interrupt exit. */
export interface HostDiskController {
  /** Capacity in 512-byte sectors. */
  sectors(): number;
  /** Queues a request and returns its tag. */
  submit(request: DiskRequest): number;
  /** Completions since the last poll, oldest first. */
  poll(): DiskCompletion[];
}

/** The host serial console (the VMM's toolstack prompt). */
export interface HostConsole {
  write(bytes: Uint8Array): void;
  /** Pending input, at most `max` bytes; empty when there is none. */
  read(max: number): Uint8Array;
}

export interface TpmQuote {
  readonly pcrMask: number;
  readonly nonce: Uint8Array;
  /** SHA-256 over the selected PCRs, in index order. */
  readonly pcrDigest: Uint8Array;
  readonly signature: Uint8Array;
}

/** The TPM as any host software may use it (SHA-256 bank). */
export interface TpmClient {
  pcrRead(index: number): Uint8Array;
  pcrExtend(index: number, digest: Uint8Array): void;
  quote(pcrMask: number, nonce: Uint8Array): TpmQuote;
  random(length: number): Uint8Array;
  counterRead(index: number): number;
  /** Returns the new value. */
  counterIncrement(index: number): number;
}

/** What a RISC-V hypervisor in HS-mode can do, and nothing more. */
export interface Hyp {
  /** The hart this VMM code is running on. */
  readonly hartId: number;
  readonly harts: number;
  readonly mem: {
    /** A copy of `len` bytes; throws a HypFault on a refused frame. */
    read(pa: number, len: number): Uint8Array;
    write(pa: number, bytes: Uint8Array): void;
    read32(pa: number): number;
    write32(pa: number, value: number): void;
  };
  readonly vcpu: {
    create(): VcpuId;
    destroy(id: VcpuId): void;
    regs(id: VcpuId): GuestRegs;
    setRegs(id: VcpuId, changes: GuestRegChanges): void;
    /** One register, by name or GPR number 1..31 (e.g. an MMIO load's `rd`). */
    setReg(id: VcpuId, reg: GuestRegName | AbiRegName | number, value: number): void;
    controls(id: VcpuId): GuestControls;
    setControls(id: VcpuId, changes: Partial<GuestControls>): void;
    /**
     * Enters the guest on this hart until it traps to HS or the host quantum ends. Before an
     * `sbi`, `mmio-load`, `mmio-store` or `wfi` exit is returned, pc has already moved past the
     * trapping instruction: the VMM answers by setting a0/a1 or the load's `rd`, never pc.
     * `interrupt` cause 9 is the host disk's completion (poll `disk`); `timer.set` with
     * Number.MAX_SAFE_INTEGER disarms the HS timer; fences act on this hart only.
     */
    run(id: VcpuId): Exit;
  };
  readonly fence: {
    /** HFENCE.GVMA: all VMIDs and addresses when omitted. */
    gvma(vmid?: number, gpa?: number): void;
    /** HFENCE.VVMA for one VMID. */
    vvma(vmid: number, va?: number, asid?: number): void;
  };
  /** This hart's HS timer, in timebase ticks. */
  readonly timer: { now(): number; set(deadline: number): void };
  ipi(hartMask: HartMask): void;
  readonly disk: HostDiskController;
  readonly console: HostConsole;
  readonly tpm: TpmClient;
}

/** The lab's side channel for the VMM: not hardware, how an attack's results become visible. */
export interface LabChannel {
  /** Records that the attacker obtained these bytes (shown and checked by the lab). */
  exfiltrate(label: string, bytes: Uint8Array): void;
  log(text: string): void;
}

/** Returned by every registration: undoes it. */
export type Unsubscribe = () => void;

/**
 * Hook points of the VMM. The VMM's own declarations add to this interface
 * (`declare module 'hyp' { interface VmmHooks { ... } }`).
 */
export interface VmmHooks {
  /** Every exit, before the VMM handles it. */
  exit(domain: DomainId, vcpu: VcpuId, exit: Exit): void;
}

/**
 * VMM functions a patch may wrap, by dotted path. Empty here; the VMM's declarations fill it
 * (e.g. `'virtio.blk.complete': (request: BlkRequest) => void`). While empty, any path is accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VmmFunctions {}

export type WrapPath = [keyof VmmFunctions] extends [never] ? string : Extract<keyof VmmFunctions, string>;

export type Wrapper<P extends string> = P extends keyof VmmFunctions
  ? VmmFunctions[P] extends (...args: infer A) => infer R
    ? (original: (...args: A) => R, ...args: A) => R
    : never
  : (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown;

/** The VMM as a patch sees it: its hook registry, its wrappable functions, and a way out. */
export interface VmmApi {
  readonly hooks: {
    on<K extends Extract<keyof VmmHooks, string>>(name: K, fn: VmmHooks[K]): Unsubscribe;
  };
  wrap<P extends WrapPath>(path: P, fn: Wrapper<P>): Unsubscribe;
  exfiltrate(label: string, bytes: Uint8Array): void;
}

/**
 * A patch: a module whose default export is `definePatch({...})`. It has exactly the power of a
 * compromised VMM. A patch that throws is reported with its own line numbers and disabled: its
 * registrations are undone and `uninstall` runs.
 */
export interface PatchDefinition {
  readonly name: string;
  readonly description?: string;
  install(vmm: VmmApi, hyp: Hyp): void;
  uninstall?(): void;
}

export type DefinePatch = (definition: PatchDefinition) => PatchDefinition;

/** The engine's globals for the VMM bundle and patches (frozen; nothing else of the host exists). */
export interface EngineGlobals {
  readonly hyp: Hyp;
  readonly lab: LabChannel;
  readonly definePatch: DefinePatch;
}

/** What the VMM bundle exports for the engine: `patchApi` for patches, plus its entry points. */
export interface VmmBundleExports {
  readonly patchApi?: VmmApi;
}
