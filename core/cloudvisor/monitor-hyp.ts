// CloudVisor's hypervisor interface (CLOUDVISOR.md sections 1-3, 6): it wraps the bare hardware
// backend and is all the VMM can reach. hyp.mem sees only VMM frames (EPT-x); the hart walks the
// monitor's shadow G-stage, never the VMM's table; registers are hidden and changes filtered per
// exit. Refusals are events, and by default fail-stop the VM (run throws: the VMM crashes it).
// A protected VM's disk data crosses hyp.mem encrypted and verified (disk-guard.ts).
import { createHash } from 'node:crypto';
import { HypCallError, HypFault, type HypBackend } from '../sandbox/host-binding';
import type { Exit, GuestControls, GuestRegName, GuestRegs, VcpuId } from '../sandbox/hyp';
import { GUEST_REG_NAMES } from '../sandbox/hyp-ops';
import { DiskGuard, DISK_SUITE, type DiskCounters, type SectorCheck } from './disk-guard';
import type { DmaGuard } from './dma-guard';
import { VMM, type FrameOwners } from './frame-owners';
import { HGATP } from '../spec/riscv-priv';
import { HartStartGuard } from './hart-start-guard';
import { IoWhitelist, type IoAccess } from './io-whitelist';
import {
  ALL_DEFENSES, type Defenses, type DetectionPolicy, type MonitorEvent, type MonitorListener,
} from './monitor-events';
import type { MonitorFramePool } from './monitor-frame-pool';
import { PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';
import { ShadowGStage, type ShadowPolicy, type ShadowSync } from './shadow-gstage';
import { canonicalReg, exitRights, filterChanges, guestView } from './vcpu-guard';
import { VirtioWatch } from './virtio-watch';
import { VmRegistry, vmidOf, type VmRecord } from './vm-registry';
import { scanVmmGStage } from './vmm-gstage-scan';

export interface MonitorHypOptions {
  readonly defenses?: Partial<Defenses>;
  readonly policy?: DetectionPolicy;
  readonly onEvent?: MonitorListener;
  /**
   * The monitor's seeded key material (32 bytes) from which each VM's disk key is derived; the
   * lab's host draws it from the session seed. Without it (mechanism tests) a fixed constant.
   */
  readonly keyMaterial?: Uint8Array;
}

/** A protected VM's disk as the monitor keeps it, for the lab's views (read-only). */
export interface DiskInspection {
  readonly vm: number;
  readonly suite: string;
  readonly root: Uint8Array;
  /** Sectors written under protection, ascending. */
  readonly written: readonly number[];
  readonly counters: Readonly<DiskCounters>;
  version(sector: number): number;
  /** The sector's leaf in the tree. */
  leaf(sector: number): Uint8Array;
  /** Whether `ciphertext` checks as `sector`, and the plaintext the guest would get; no events. */
  check(sector: number, ciphertext: Uint8Array): { readonly check: SectorCheck; readonly plaintext: Uint8Array };
}

/** Shadow faults fixed inside one run before the guest is handed back as preempted. */
const MAX_REENTRIES = 256;
const QUANTUM: Exit = { kind: 'quantum' };
const SBI_EXT_DBCN = 0x4442_434e;
const DBCN_WRITE = 0;
const DBCN_READ = 1;
const dbcnKey = (vcpu: VcpuId): string => `sbi-dbcn/vcpu${vcpu}`;
const accessKey = (vcpu: VcpuId): string => `trapped-access/vcpu${vcpu}`;
const MAX_TRACKED_WRITES = 1 << 16;
const WORD_BYTES = new Uint8Array(4);
const WORD = new DataView(WORD_BYTES.buffer);

export interface VmInspection {
  readonly vm: number;
  readonly started: boolean;
  /** False for a VM created before the monitor's launch. */
  readonly protected: boolean;
  readonly failStopped: string | null;
  readonly vcpus: readonly VcpuId[];
  /** The hgatp the hart really uses for this VM (the shadow's root), null before the first run. */
  readonly shadowRoot: number | null;
  /** Shadow G-stage leaves: guest page number (gpa >> 12) -> host frame number. */
  readonly shadow: ReadonlyMap<number, number>;
}

export interface VcpuAudit {
  readonly vcpu: VcpuId;
  readonly vm: number | null;
  readonly lastExit: Exit | null;
  /** The registers as the VMM reads them now (hidden ones zero); null before the first run. */
  readonly seen: GuestRegs | null;
  /** The guest's real registers. */
  readonly actual: GuestRegs;
  /** Changes the VMM asked for since the last exit (names as it gave them). */
  readonly attempted: Readonly<Record<string, number>>;
  readonly refused: readonly string[];
}

export class MonitorHyp implements HypBackend {
  readonly defenses: Defenses;
  readonly policy: DetectionPolicy;
  private readonly registry = new VmRegistry();
  /** Guest memory the VMM may touch: rings and pending buffers the guests named (section 2). */
  readonly whitelist = new IoWhitelist();
  private readonly virtio = new Map<number, VirtioWatch>();
  private dma: DmaGuard | null = null;
  /** VMM frames the VMM wrote since the last whole-VMID fence (its G-stage edits are among them). */
  private readonly vmmWritten = new Set<number>();
  private readonly hartStarts = new HartStartGuard();
  private readonly listener: MonitorListener;
  /** Per protected VM with a virtio disk: its disk key, Merkle tree and pending requests. */
  private readonly disks = new Map<number, DiskGuard>();
  private readonly keyMaterial: Uint8Array;

  constructor(
    private readonly inner: HypBackend,
    private readonly memory: PhysicalMemoryPort,
    private readonly owners: FrameOwners,
    private readonly pool: MonitorFramePool,
    options: MonitorHypOptions = {},
  ) {
    this.defenses = { ...ALL_DEFENSES, ...options.defenses };
    this.policy = options.policy ?? 'fail-stop';
    this.listener = options.onEvent ?? ((): void => undefined);
    this.keyMaterial = options.keyMaterial ?? new Uint8Array(createHash('sha256').update('CloudVisor lab: unseeded monitor key material').digest());
  }

  get hartId(): number {
    return this.inner.hartId;
  }

  get harts(): number {
    return this.inner.harts;
  }

  get timer(): HypBackend['timer'] {
    return this.inner.timer;
  }

  /** The disk passes through; DMA faults the IOMMU logged become events (the VMM sees 'dma-fault'). */
  readonly disk: HypBackend['disk'] = {
    sectors: () => this.inner.disk.sectors(),
    submit: (request) => this.inner.disk.submit(request),
    poll: () => {
      const completions = this.inner.disk.poll();
      if (this.dma && completions.some((c) => c.status === 'dma-fault')) this.reportDmaFaults();
      return completions;
    },
  };

  attachDmaGuard(guard: DmaGuard): void {
    this.dma = guard;
  }

  private reportDmaFaults(): void {
    for (const fault of this.dma?.takeFaults() ?? []) {
      const frame = Math.floor(fault.iova / PAGE_SIZE);
      const owner = this.owners.ownerOf(frame);
      const vm = owner?.kind === 'vm' ? owner.vm : null;
      const whose = owner === null ? 'not RAM' : owner.kind === 'vm' ? `vm${owner.vm}` : owner.kind;
      this.emit(vm, 'iommu', `device ${fault.deviceId} DMA ${fault.write ? 'write to' : 'read from'} 0x${fault.iova.toString(16)} (frame of ${whose})`, 'refused');
    }
  }

  get console(): HypBackend['console'] {
    return this.inner.console;
  }

  get tpm(): HypBackend['tpm'] {
    return this.inner.tpm;
  }

  ipi(hartMask: number): void {
    this.inner.ipi(hartMask);
  }

  readonly mem: HypBackend['mem'] = {
    read: (pa, len) => {
      this.checkVmmAccess(pa, len, 'load');
      const pieces = this.diskPieces(pa, len);
      if (pieces === null) return this.inner.mem.read(pa, len);
      const bytes = this.inner.mem.read(pa, len).slice();
      for (const p of pieces) p.guard.load(p.gpa, bytes.subarray(p.at, p.at + p.len));
      return bytes;
    },
    write: (pa, bytes) => {
      const used = this.checkVmmAccess(pa, bytes.length, 'store', bytes);
      this.noteWrite(pa, bytes.length);
      const pieces = this.diskPieces(pa, bytes.length);
      if (pieces === null) this.inner.mem.write(pa, bytes);
      else this.storeAround(pa, bytes, pieces);
      if (used) this.usedWritten(used);
    },
    read32: (pa) => {
      this.checkVmmAccess(pa, 4, 'load');
      const pieces = this.diskPieces(pa, 4);
      if (pieces === null) return this.inner.mem.read32(pa);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, this.inner.mem.read32(pa) >>> 0, true);
      for (const p of pieces) p.guard.load(p.gpa, bytes.subarray(p.at, p.at + p.len));
      return new DataView(bytes.buffer).getUint32(0, true);
    },
    write32: (pa, value) => {
      WORD.setUint32(0, value >>> 0, true);
      const used = this.checkVmmAccess(pa, 4, 'store', WORD_BYTES);
      this.noteWrite(pa, 4);
      const pieces = this.diskPieces(pa, 4);
      if (pieces === null) this.inner.mem.write32(pa, value);
      else this.storeAround(pa, WORD_BYTES.slice(), pieces);
      if (used) this.usedWritten(used);
    },
  };

  /**
   * The parts of a VMM access at [pa, pa + length) that touch a pending disk request's data or
   * status of a protected VM, or null (the common case: nothing to transform).
   */
  private diskPieces(pa: number, length: number): DiskPiece[] | null {
    if (this.disks.size === 0 || length <= 0) return null;
    let out: DiskPiece[] | null = null;
    for (let at = pa; at < pa + length;) {
      const frame = Math.floor(at / PAGE_SIZE);
      const piece = Math.min(pa + length, (frame + 1) * PAGE_SIZE) - at;
      const owner = this.owners.ownerOf(frame);
      const guard = owner?.kind === 'vm' ? this.disks.get(owner.vm) : undefined;
      if (guard !== undefined && guard.pending > 0) {
        const page = this.registry.vms.get(guard.vm)?.shadow?.gpaPageOf(frame);
        const gpa = page === undefined ? null : page * PAGE_SIZE + (at % PAGE_SIZE);
        if (gpa !== null && guard.covers(gpa, piece)) (out ??= []).push({ guard, gpa, at: at - pa, len: piece });
      }
      at += piece;
    }
    return out;
  }

  /** A store that touches disk data: those pieces go through the disk guard, the rest as usual. */
  private storeAround(pa: number, bytes: Uint8Array, pieces: readonly DiskPiece[]): void {
    let plain = 0;
    for (const p of pieces) {
      if (p.at > plain) this.inner.mem.write(pa + plain, bytes.subarray(plain, p.at));
      p.guard.store(p.gpa, bytes.subarray(p.at, p.at + p.len));
      plain = p.at + p.len;
    }
    if (plain < bytes.length) this.inner.mem.write(pa + plain, bytes.subarray(plain));
  }

  readonly vcpu: HypBackend['vcpu'] = {
    create: () => {
      const id = this.inner.vcpu.create();
      this.registry.addVcpu(id);
      return id;
    },
    destroy: (id) => this.destroyVcpu(id),
    regs: (id) => this.regsView(id),
    regsRecord: (id, out) => this.regsRecordView(id, out),
    setRegs: (id, changes) => this.setRegsChecked(id, changes),
    controls: (id) => ({ ...this.inner.vcpu.controls(id), hgatp: this.record(id).vmmHgatp }),
    setControls: (id, changes) => this.setControlsChecked(id, changes),
    run: (id) => this.runVcpu(id),
  };

  readonly fence: HypBackend['fence'] = {
    gvma: (vmid, gpa) => {
      this.inner.fence.gvma(vmid, gpa);
      this.resync(vmid, gpa);
    },
    vvma: (vmid, va, asid) => this.inner.fence.vvma(vmid, va, asid),
  };

  /** A protected VM's disk state (null: no disk protection for it), for the lab's views. */
  inspectDisk(vm: number): DiskInspection | null {
    const guard = this.disks.get(vm);
    if (!guard) return null;
    return {
      vm,
      suite: DISK_SUITE,
      root: guard.tree.root,
      written: guard.tree.writtenSectors(),
      counters: { ...guard.counters },
      version: (sector) => guard.version(sector),
      leaf: (sector) => guard.tree.leaf(sector),
      check: (sector, ciphertext) => guard.inspect(sector, ciphertext),
    };
  }

  /** The VMs the monitor knows, for the lab's views. */
  vmIds(): number[] {
    return [...this.registry.vms.keys()];
  }

  /** One VM as the monitor keeps it (trusted side only: the lab's inspectors and checkers). */
  inspectVm(vm: number): VmInspection | null {
    const record = this.registry.vms.get(vm);
    if (!record) return null;
    return {
      vm,
      started: record.started,
      protected: record.protected,
      failStopped: record.failStopped,
      vcpus: [...record.vcpus],
      shadowRoot: record.shadow ? record.shadow.hgatp : null,
      shadow: new Map(record.shadow?.mappedPages ?? []),
    };
  }

  /** What the VMM saw of a vCPU at its last exit and what it asked to change since. */
  auditVcpu(id: VcpuId): VcpuAudit | null {
    const record = this.registry.vcpu(id);
    if (!record) return null;
    return {
      vcpu: id,
      vm: record.vm,
      lastExit: record.lastExit,
      seen: record.ran ? this.regsView(id) : null,
      actual: this.inner.vcpu.regs(id),
      attempted: { ...record.attempted },
      refused: [...record.refused],
    };
  }

  // --- memory (EPT-x) ---------------------------------------------------------------------------

  /**
   * Every frame touched must be the VMM's, or the bytes must lie in a range the guest itself
   * whitelisted (section 2, "I/O buffers"); else a fault. Returns the used-ring grant a store
   * touched, if any, so the completed requests can leave the whitelist after the write.
   */
  private checkVmmAccess(pa: number, length: number, access: IoAccess, stored?: Uint8Array): { vm: number; key: string } | null {
    if (!this.defenses.eptx || length <= 0) return null;
    let used: { vm: number; key: string } | null = null;
    for (let at = pa; at < pa + length;) {
      const frame = Math.floor(at / PAGE_SIZE);
      const piece = Math.min(pa + length, (frame + 1) * PAGE_SIZE) - at;
      at += piece;
      if (this.owners.isOwnedBy(frame, VMM)) continue;
      const owner = this.owners.ownerOf(frame);
      if (owner === null) continue; // not RAM: the inner backend reports its own fault
      const vm = owner.kind === 'vm' ? owner.vm : null;
      const key = vm === null ? null : this.whitelisted(vm, frame, (at - piece) % PAGE_SIZE, piece, access);
      const forged = key !== null && access === 'store' && this.forgesTrappedStore(vm, frame, at - piece, stored?.subarray(at - piece - pa, at - pa));
      if (key !== null && vm !== null && !forged) {
        if (key.endsWith('/used')) used = { vm, key };
        continue;
      }
      const why = forged ? ': not the value the guest stored' : '';
      const what = `${access} of ${length} bytes at 0x${pa.toString(16)} (frame of ${vm === null ? owner.kind : `vm${vm}`})${why}`;
      this.emit(vm, 'ept-x', what, 'refused');
      throw new HypFault(frame * PAGE_SIZE, access, `frame owned by ${vm === null ? owner.kind : `vm${vm}`} (CloudVisor EPT-x)`);
    }
    return used;
  }

  private noteWrite(pa: number, length: number): void {
    // Only G-stage table frames matter; a VMM writing everywhere cannot make the set grow forever
    // (forgetting writes only skips resyncs, which is safe).
    if (this.vmmWritten.size > MAX_TRACKED_WRITES) this.vmmWritten.clear();
    for (let f = Math.floor(pa / PAGE_SIZE); f <= Math.floor((pa + length - 1) / PAGE_SIZE); f++) this.vmmWritten.add(f);
  }

  private whitelisted(vm: number, frame: number, offset: number, length: number, access: IoAccess): string | null {
    const page = this.registry.vms.get(vm)?.shadow?.gpaPageOf(frame);
    return page === undefined ? null : this.whitelist.allows(vm, page * PAGE_SIZE + offset, length, access);
  }

  /**
   * Completing a trapped store in a page populated on demand, the VMM may write only the bytes
   * the guest stored (the exit's value), at the address it stored them.
   */
  private forgesTrappedStore(vm: number | null, frame: number, pa: number, bytes: Uint8Array | undefined): boolean {
    if (vm === null || bytes === undefined) return false;
    const page = this.registry.vms.get(vm)?.shadow?.gpaPageOf(frame);
    if (page === undefined) return false;
    const gpa = page * PAGE_SIZE + (pa % PAGE_SIZE);
    for (const id of this.registry.vms.get(vm)?.vcpus ?? []) {
      const exit = this.registry.vcpu(id)?.lastExit;
      if (exit?.kind !== 'mmio-store' || gpa < exit.gpa || gpa + bytes.length > exit.gpa + exit.width) continue;
      if (this.whitelist.allows(vm, gpa, bytes.length, 'store') !== accessKey(id)) continue;
      const shift = gpa - exit.gpa;
      return bytes.some((b, i) => b !== ((exit.value >>> (8 * (shift + i))) & 0xff));
    }
    return false;
  }

  private usedWritten(grant: { vm: number; key: string }): void {
    this.virtio.get(grant.vm)?.usedWritten(grant.key);
  }

  /** The monitor's own view of a VM's guest-physical memory (through its shadow), null if unmapped. */
  private readGuest(vm: VmRecord, gpa: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const g = gpa + done;
      const frame = vm.shadow?.mappedPages.get(Math.floor(g / PAGE_SIZE));
      if (frame === undefined) return null;
      const n = Math.min(length - done, PAGE_SIZE - (g % PAGE_SIZE));
      out.set(this.memory.readBytes(frame * PAGE_SIZE + (g % PAGE_SIZE), n), done);
      done += n;
    }
    return out;
  }

  private virtioOf(vm: VmRecord): VirtioWatch {
    let watch = this.virtio.get(vm.vm);
    if (!watch) {
      const disk = this.defenses.diskCrypto && vm.protected ? this.diskOf(vm) : null;
      watch = new VirtioWatch(vm.vm, this.whitelist, (gpa, len) => this.readGuest(vm, gpa, len), (n) =>
        this.emit(vm.vm, 'io-whitelist', n.attempted, n.allowed ? 'allowed' : 'refused'), disk && {
        request: (key, ranges) => disk.request(key, ranges),
        done: (key) => disk.done(key),
        reset: (prefix) => disk.reset(prefix),
      });
      this.virtio.set(vm.vm, watch);
    }
    return watch;
  }

  private diskOf(vm: VmRecord): DiskGuard {
    let guard = this.disks.get(vm.vm);
    if (!guard) {
      guard = new DiskGuard(vm.vm, DiskGuard.deriveKey(this.keyMaterial, vm.vm), {
        read: (gpa, len) => this.readGuest(vm, gpa, len),
        write: (gpa, bytes) => this.writeGuest(vm, gpa, bytes),
      }, {
        detect: (what) => this.detect(vm.vm, 'disk-integrity', what),
        note: (what) => this.emit(vm.vm, 'disk-crypto', what, 'allowed'),
      });
      this.disks.set(vm.vm, guard);
    }
    return guard;
  }

  /** The monitor writing a VM's guest-physical memory itself (disk plaintext); false if unmapped. */
  private writeGuest(vm: VmRecord, gpa: number, bytes: Uint8Array): boolean {
    for (let done = 0; done < bytes.length;) {
      if (vm.shadow?.mappedPages.get(Math.floor((gpa + done) / PAGE_SIZE)) === undefined) return false;
      done += Math.min(bytes.length - done, PAGE_SIZE - ((gpa + done) % PAGE_SIZE));
    }
    for (let done = 0; done < bytes.length;) {
      const g = gpa + done;
      const frame = vm.shadow?.mappedPages.get(Math.floor(g / PAGE_SIZE)) as number;
      const n = Math.min(bytes.length - done, PAGE_SIZE - (g % PAGE_SIZE));
      this.memory.writeBytes(frame * PAGE_SIZE + (g % PAGE_SIZE), bytes.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  /** What the exit lets the VMM touch: an SBI console buffer for this call; virtio traffic. */
  private observeExit(id: VcpuId, vm: VmRecord, exit: Exit): void {
    this.hartStarts.observe(vm.vm, exit);
    if (exit.kind === 'mmio-load' || exit.kind === 'mmio-store') {
      // A trapped access to a GPA the VM has no frame for: if the VMM populates it on demand, it
      // completes this access (and only this one) in the page, which joins the VM zeroed first.
      this.whitelist.grant(vm.vm, accessKey(id), [{ gpa: exit.gpa, len: exit.width, load: true, store: true }]);
    }
    if (exit.kind === 'mmio-store') {
      this.virtioOf(vm).store(exit.gpa, exit.width, exit.value);
      return;
    }
    if (exit.kind !== 'sbi' || exit.ext !== SBI_EXT_DBCN || (exit.fid !== DBCN_WRITE && exit.fid !== DBCN_READ)) return;
    const [length = 0, base = 0, baseHi = 0] = exit.args;
    if (baseHi !== 0) return;
    const write = exit.fid === DBCN_WRITE;
    this.whitelist.grant(vm.vm, dbcnKey(id), [{ gpa: base, len: length, load: write, store: !write }]);
  }

  // --- vCPU state ---------------------------------------------------------------------------------

  private record(id: VcpuId): NonNullable<ReturnType<VmRegistry['vcpu']>> {
    const record = this.registry.vcpu(id);
    if (!record) throw new HypCallError(`no vCPU ${id}`);
    return record;
  }

  private regsView(id: VcpuId): GuestRegs {
    const record = this.record(id);
    const full = this.inner.vcpu.regs(id);
    if (!this.defenses.registerHiding || !record.ran || !this.isProtected(record)) return full;
    return guestView(full, exitRights(record.lastExit));
  }

  /** regsView into a record (the virtual VMCS page): the same values, hidden ones zero. */
  private regsRecordView(id: VcpuId, out: Float64Array): void {
    const record = this.record(id);
    const inner = this.inner.vcpu;
    if (inner.regsRecord) inner.regsRecord(id, out);
    else {
      const full = inner.regs(id);
      GUEST_REG_NAMES.forEach((name, i) => { out[i] = full[name] >>> 0; });
    }
    if (!this.defenses.registerHiding || !record.ran || !this.isProtected(record)) return;
    const readable = exitRights(record.lastExit).readable;
    for (let i = 0; i < GUEST_REG_NAMES.length; i++) if (!readable.has(GUEST_REG_NAMES[i] as GuestRegName)) out[i] = 0;
  }

  /** Before the first run (the image/launch window) the VMM sets entry pc and a0/a1 freely. */
  private setRegsChecked(id: VcpuId, changes: Partial<GuestRegs>): void {
    const record = this.record(id);
    const exit = record.lastExit;
    if (exit?.kind === 'mmio-load' && record.vm !== null && record.ran) {
      for (const [name, value] of Object.entries(changes)) {
        if (canonicalReg(name) === `x${exit.rd}`) this.virtioOf(this.registry.vm(record.vm)).loadAnswered(exit.gpa, exit.width, value as number);
      }
    }
    if (this.defenses.entryChecks && this.isParked(record)) {
      const refused = HartStartGuard.refusedChanges(changes as Readonly<Record<string, number>>);
      Object.assign(record.attempted, changes);
      record.refused.push(...refused);
      if (refused.length > 0) this.detect(record.vm, 'entry-check', `set ${refused.join(', ')} on a vCPU the guest has not started`);
      const allowed = Object.fromEntries(Object.entries(changes).filter(([key]) => !refused.includes(key)));
      this.inner.vcpu.setRegs(id, allowed as Partial<GuestRegs>);
      return;
    }
    if (!this.defenses.entryChecks || !record.ran || !this.isProtected(record)) {
      this.inner.vcpu.setRegs(id, changes);
      return;
    }
    const filtered = filterChanges(changes as Readonly<Record<string, number>>, exitRights(record.lastExit));
    Object.assign(record.attempted, changes);
    record.refused.push(...filtered.refused);
    if (filtered.refused.length > 0) {
      const what = `set ${filtered.refused.join(', ')} after a ${record.lastExit?.kind ?? 'no'} exit`;
      this.detect(record.vm, 'entry-check', what);
    }
    this.inner.vcpu.setRegs(id, Object.fromEntries(filtered.allowed) as Partial<GuestRegs>);
  }

  /**
   * hgatp is remembered (the hart gets the shadow root at run); the rest passes through. A vCPU
   * that has run stays in its VM: moving it to another VMID would run one VM's state in another.
   */
  private setControlsChecked(id: VcpuId, changes: Partial<GuestControls>): void {
    const record = this.record(id);
    const { hgatp, ...rest } = changes;
    const moves = hgatp !== undefined && record.ran && vmidOf(hgatp) !== record.vm && this.isProtected(record);
    if (moves && this.defenses.entryChecks) this.detect(record.vm, 'entry-check', `move vCPU ${id} to VMID ${vmidOf(hgatp)}`);
    if (Object.keys(rest).length > 0) this.inner.vcpu.setControls(id, rest);
    if (hgatp !== undefined && !(moves && this.defenses.entryChecks)) this.registry.setHgatp(id, hgatp);
  }

  /** A vCPU of a running protected VM that the guest has not started (see hart-start-guard.ts). */
  private isParked(record: { vm: number | null; ran: boolean; lastExit: Exit | null }): boolean {
    if (record.vm === null || !this.isProtected(record)) return false;
    const vm = this.registry.vms.get(record.vm);
    return vm !== undefined && HartStartGuard.parked(vm.started, record.ran, record.lastExit);
  }

  private isProtected(record: { vm: number | null }): boolean {
    return record.vm === null || (this.registry.vms.get(record.vm)?.protected ?? true);
  }

  /**
   * Takes over the vCPUs the VMM made before the launch. Their VMs keep running, confined to VMM
   * frames (they cannot be used to reach a protected VM) but not protected: the lab says so.
   */
  adoptVcpus(ids: readonly VcpuId[]): void {
    for (const id of ids) this.registry.adopt(id, this.inner.vcpu.controls(id).hgatp);
    for (const vm of this.registry.vms.values()) {
      if (!vm.protected) this.emit(vm.vm, 'launch', `vm${vm.vm} was created before the monitor's launch: it runs confined but unprotected`, 'allowed');
    }
  }

  private destroyVcpu(id: VcpuId): void {
    this.record(id);
    this.inner.vcpu.destroy(id);
    const emptied = this.registry.removeVcpu(id);
    if (emptied) {
      this.hartStarts.forget(emptied.vm);
      this.whitelist.revokePrefix(emptied.vm);
      this.virtio.delete(emptied.vm);
      this.disks.delete(emptied.vm);
    }
    if (emptied?.shadow) {
      const frames = emptied.shadow.teardown(this.defenses.zeroing);
      this.emit(emptied.vm, 'scrub', `returned ${frames.length} frames to the VMM${this.defenses.zeroing ? ' zeroed' : ''}`, 'allowed');
    }
  }

  // --- run and the shadow G-stage -----------------------------------------------------------------

  private runVcpu(id: VcpuId): Exit {
    const record = this.record(id);
    if (record.vm !== null) {
      this.whitelist.revoke(record.vm, dbcnKey(id));
      this.whitelist.revoke(record.vm, accessKey(id));
    }
    if (record.vm === null) throw new HypCallError(`vCPU ${id} has no VMID in its hgatp: nothing to run under CloudVisor`);
    const vm = this.registry.vm(record.vm);
    this.failIfStopped(vm);
    const shadow = this.shadowOf(vm);
    if (this.defenses.entryChecks && this.isParked(record)) {
      const refusal = this.hartStarts.admit(vm.vm, this.inner.vcpu.regs(id));
      if (refusal !== null) {
        this.detect(vm.vm, 'entry-check', refusal); // fail-stop: throws
        return QUANTUM; // refuse and continue: the vCPU is not entered
      }
    }
    this.inner.vcpu.setControls(id, { hgatp: shadow.hgatp });
    if (!vm.started) this.launch(vm, record.vmmHgatp, shadow, id);
    record.ran = true;
    const exit = this.runShadowed(id, record.vmmHgatp, vm, shadow);
    record.lastExit = exit;
    record.attempted = {};
    record.refused = [];
    this.observeExit(id, vm, exit);
    return exit;
  }

  /** First entry of a VM: everything the VMM mapped so far joins it, unzeroed (the image). */
  private launch(vm: VmRecord, vmmHgatp: number, shadow: ShadowGStage, id: VcpuId): void {
    const gpas = scanVmmGStage(this.memory, vmmHgatp);
    for (const gpa of gpas) {
      const sync = shadow.sync(vmmHgatp, gpa, false, this.shadowPolicy());
      if (sync.kind === 'refused') this.detect(vm.vm, 'ownership', `launch: map GPA 0x${gpa.toString(16)}: ${sync.detail}`);
    }
    vm.started = true;
    this.emit(vm.vm, 'launch', `first entry of vCPU ${id} with ${shadow.mappedPages.size} pages`, 'allowed');
    this.failIfStopped(vm);
  }

  private failIfStopped(vm: VmRecord): void {
    if (vm.failStopped !== null) throw new HypCallError(`VM ${vm.vm} fail-stopped by CloudVisor: ${vm.failStopped}`);
  }

  private shadowOf(vm: VmRecord): ShadowGStage {
    if (vm.shadow) return vm.shadow;
    try {
      vm.shadow = new ShadowGStage(this.memory, this.owners, this.pool, vm.vm, vm.vm, {
        confined: !vm.protected,
        borrowed: (frame) => this.borrowedByUnprotected(frame),
      });
    } catch (error) {
      throw new HypCallError(`CloudVisor cannot run VM ${vm.vm}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return vm.shadow;
  }

  private borrowedByUnprotected(frame: number): boolean {
    for (const vm of this.registry.vms.values()) {
      if (!vm.protected && vm.shadow?.gpaPageOf(frame) !== undefined) return true;
    }
    return false;
  }

  /** Runs until an exit the VMM must see; faults the shadow can fix re-enter the guest at once. */
  private runShadowed(id: VcpuId, vmmHgatp: number, vm: VmRecord, shadow: ShadowGStage): Exit {
    for (let i = 0; i < MAX_REENTRIES; i++) {
      const exit = this.inner.vcpu.run(id);
      const gpa = faultGpa(exit);
      if (gpa === null) return exit;
      const sync = shadow.sync(vmmHgatp, gpa, true, this.shadowPolicy());
      if (sync.kind === 'refused') {
        this.detect(vm.vm, 'ownership', `map GPA 0x${gpa.toString(16)}: ${sync.detail}`);
        this.failIfStopped(vm);
        return exit;
      }
      if (sync.kind !== 'mapped') return exit;
      if (exit.kind !== 'guest-page-fault') this.stepBack(id);
    }
    return QUANTUM;
  }

  /** The hart moved pc past an MMIO access that is really RAM: re-execute it. */
  private stepBack(id: VcpuId): void {
    const pc = this.inner.vcpu.regs(id).pc;
    this.inner.vcpu.setRegs(id, { pc: (pc - 4) >>> 0 });
  }

  private shadowPolicy(): ShadowPolicy {
    return { ownership: this.defenses.ownership, zeroing: this.defenses.zeroing };
  }

  /** The VMM's HFENCE.GVMA: every shadow of that VMID (all when omitted) is checked again. */
  private resync(vmid: number | undefined, gpa: number | undefined): void {
    for (const vm of this.registry.vms.values()) {
      if (!vm.shadow || (vmid !== undefined && (vmid & HGATP.VMID_MASK) !== vm.vm)) continue;
      const hgatp = this.vmmHgatpOf(vm);
      if (hgatp === null) continue;
      // A fence of one address is the VMM saying it (re)mapped that page: take it into the shadow
      // now (a page it populates on demand joins the VM zeroed before the VMM completes the access).
      const tables = gpa === undefined ? vm.shadow.tableFrames(hgatp) : null;
      if (tables !== null && !tables.some((frame) => this.vmmWritten.has(frame))) continue;
      for (const frame of tables ?? []) this.vmmWritten.delete(frame);
      const refusals = gpa === undefined
        ? vm.shadow.resync(hgatp, vm.started, this.shadowPolicy())
        : [vm.shadow.sync(hgatp, gpa, vm.started, this.shadowPolicy())].filter((r) => r.kind === 'refused');
      for (const refusal of refusals) this.detect(vm.vm, 'ownership', `fence: ${describeRefusal(refusal)}`);
    }
  }

  private vmmHgatpOf(vm: VmRecord): number | null {
    for (const id of vm.vcpus) {
      const record = this.registry.vcpu(id);
      if (record) return record.vmmHgatp;
    }
    return null;
  }

  // --- detection and events ---------------------------------------------------------------------

  /** A refusal: recorded, and under fail-stop the VM stops at its next entry (run throws). */
  private detect(vm: number | null, mechanism: MonitorEvent['mechanism'], what: string): void {
    const stop = this.policy === 'fail-stop' && vm !== null;
    this.emit(vm, mechanism, what, stop ? 'fail-stop' : 'refused');
    if (!stop) return;
    const record = this.registry.vms.get(vm);
    if (record && record.failStopped === null) record.failStopped = `${mechanism}: ${what}`;
    if (mechanism === 'entry-check') throw new HypCallError(`VM ${vm} fail-stopped by CloudVisor: ${mechanism}: ${what}`);
  }

  private emit(vm: number | null, mechanism: MonitorEvent['mechanism'], attempted: string, outcome: MonitorEvent['outcome']): void {
    this.listener({ time: this.inner.timer.now(), hart: this.inner.hartId, vm, mechanism, attempted, outcome });
  }
}

interface DiskPiece {
  readonly guard: DiskGuard;
  readonly gpa: number;
  /** Offset of the piece in the access, and its length. */
  readonly at: number;
  readonly len: number;
}

/** The GPA of an exit the shadow may fix: a guest-page fault, or an "MMIO" access that may be RAM. */
function faultGpa(exit: Exit): number | null {
  switch (exit.kind) {
    case 'guest-page-fault':
    case 'mmio-load':
    case 'mmio-store':
      return exit.gpa;
    default:
      return null;
  }
}

function describeRefusal(sync: ShadowSync): string {
  return sync.kind === 'refused' ? `${sync.reason}: ${sync.detail}` : sync.kind;
}

