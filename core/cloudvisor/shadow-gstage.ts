// The shadow G-stage table of one VM (CLOUDVISOR.md section 2): the only Sv32x4 table the hart
// walks for that VM under the monitor. Built entry by entry from the table the VMM wrote, after
// checking ownership: a VMM frame becomes the VM's on first mapping (zeroed once the VM has
// started), frames of other VMs or of the monitor are refused, and a GPA already backed by a VM
// frame is never silently remapped or dropped. Shadow tables live in monitor frames.
import { VMM, describeOwner, vmOwner, type FrameOwners, type VmId } from './frame-owners';
import { hgatpRoot, isLeaf, leafIndex, makeHgatp, ptePa, rootIndex } from './gstage-format';
import { GSTAGE_ROOT_BYTES, PTE, PTE_PPN_SHIFT } from '../spec/riscv-priv';
import type { MonitorFramePool } from './monitor-frame-pool';
import { PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';
import { walkVmmGStage } from './vmm-gstage-walk';

export type RefusalReason =
  | 'table-not-vmm'
  | 'frame-of-other-vm'
  | 'frame-of-monitor'
  | 'not-ram'
  | 'remap'
  | 'unmap'
  | 'out-of-monitor-memory';

export type ShadowSync =
  | { readonly kind: 'mapped'; readonly gpa: number; readonly frame: number; readonly firstUse: boolean }
  | { readonly kind: 'already-mapped'; readonly frame: number }
  | { readonly kind: 'not-mapped' }
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly detail: string; readonly frame?: number };

/**
 * How a shadow takes frames. Protected VMs own their frames; a confined (unprotected) VM only
 * borrows VMM frames, and may not map one a protected VM owns.
 */
export interface ShadowConfinement {
  readonly confined: boolean;
  /** True when a VMM frame is mapped by a confined VM (a protected VM must not take it). */
  readonly borrowed: (frame: number) => boolean;
}

export const PROTECTED: ShadowConfinement = { confined: false, borrowed: () => false };

export interface ShadowPolicy {
  /** Check frame owners before mapping (off: the VMM's table is copied as it is). */
  readonly ownership: boolean;
  /** Zero a frame when it first joins a running VM. */
  readonly zeroing: boolean;
}

const LEAF_PERMS = PTE.R | PTE.W | PTE.X;

export class ShadowGStage {
  readonly rootFrame: number;
  private readonly leafTables = new Map<number, number>(); // root index -> level-0 table frame
  private readonly mapped = new Map<number, number>(); // gpa page -> frame
  private readonly firstGpa = new Map<number, number>(); // frame -> its first gpa page
  // The VMM's table words as the last resync read them (root index -> root word, leaf table).
  private seenHgatp = -1;
  private readonly seenRoot = new Map<number, number>();
  private readonly seenLeaves = new Map<number, Uint32Array>();
  private readonly pagesByRoot = new Map<number, number[]>(); // root index -> mapped gpa pages

  constructor(
    private readonly memory: PhysicalMemoryPort,
    private readonly owners: FrameOwners,
    private readonly pool: MonitorFramePool,
    readonly vm: VmId,
    readonly vmid: number,
    private readonly confinement: ShadowConfinement = PROTECTED,
  ) {
    const root = pool.allocate(GSTAGE_ROOT_BYTES / PAGE_SIZE, GSTAGE_ROOT_BYTES / PAGE_SIZE);
    if (root === null) throw new Error('the monitor has no memory left for a shadow G-stage root');
    this.rootFrame = root;
  }

  get hgatp(): number {
    return makeHgatp(this.rootFrame * PAGE_SIZE, this.vmid);
  }

  get mappedPages(): ReadonlyMap<number, number> {
    return this.mapped;
  }

  /** The guest page a frame of this VM backs (the first one, if the VMM mapped it twice). */
  gpaPageOf(frame: number): number | undefined {
    return this.firstGpa.get(frame);
  }

  /** Installs the VMM's mapping of `gpa` (from its table at `vmmHgatp`) after the ownership checks. */
  sync(vmmHgatp: number, gpa: number, started: boolean, policy: ShadowPolicy): ShadowSync {
    const page = Math.floor(gpa / PAGE_SIZE);
    const existing = this.mapped.get(page);
    const walk = walkVmmGStage(this.memory, vmmHgatp, gpa);
    if (walk.kind === 'table-outside-ram') {
      return refused('table-not-vmm', `the VMM's G-stage table at 0x${walk.tablePa.toString(16)} is not in RAM`);
    }
    if (policy.ownership) {
      const foreign = walk.tables.find((f) => !this.owners.isOwnedBy(f, VMM));
      if (foreign !== undefined) {
        return refused('table-not-vmm', `G-stage table frame 0x${foreign.toString(16)} belongs to ${ownerName(this.owners, foreign)}`, foreign);
      }
    }
    if (walk.kind === 'unmapped') return existing === undefined ? { kind: 'not-mapped' } : this.keep(existing, 'unmap', gpa);
    const frame = Math.floor(walk.pa / PAGE_SIZE);
    if (existing !== undefined) {
      if (existing !== frame) return this.keep(existing, 'remap', gpa, frame);
      return this.writeLeaf(gpa, frame, walk.pte) ?? { kind: 'already-mapped', frame };
    }
    const claim = this.claim(frame, started, policy);
    if (claim) return claim;
    const failure = this.writeLeaf(gpa, frame, walk.pte);
    if (failure) return failure;
    this.mapped.set(page, frame);
    if (!this.firstGpa.has(frame)) this.firstGpa.set(frame, page);
    const ri = rootIndex(gpa);
    const sameRoot = this.pagesByRoot.get(ri);
    if (sameRoot) sameRoot.push(page);
    else this.pagesByRoot.set(ri, [page]);
    return { kind: 'mapped', gpa: page * PAGE_SIZE, frame, firstUse: true };
  }

  /**
   * Re-checks the shadow against the VMM's table (its HFENCE.GVMA of a whole VMID); returns the
   * refusals. Only entries whose VMM root or leaf word changed since the last resync are synced
   * again: an unchanged word gives the same answer, and a VMM fencing at every vCPU switch must
   * not cost a walk of every page.
   */
  resync(vmmHgatp: number, started: boolean, policy: ShadowPolicy): ShadowSync[] {
    const refusals: ShadowSync[] = [];
    for (const page of this.changedPages(vmmHgatp)) {
      const result = this.sync(vmmHgatp, page * PAGE_SIZE, started, policy);
      if (result.kind === 'refused') refusals.push(result);
    }
    return refusals;
  }

  /**
   * The VMM table frames the last resync read (root and leaf tables), or null before the first:
   * when none of them was written since, a resync would find nothing to do. Skipping it is always
   * safe: it can only keep mappings the monitor already checked.
   */
  tableFrames(vmmHgatp: number): number[] | null {
    if (vmmHgatp !== this.seenHgatp) return null;
    const root = Math.floor(hgatpRoot(vmmHgatp) / PAGE_SIZE);
    const frames: number[] = [];
    for (let f = root; f < root + GSTAGE_ROOT_BYTES / PAGE_SIZE; f++) frames.push(f);
    for (const top of this.seenRoot.values()) {
      if ((top & PTE.V) !== 0 && !isLeaf(top)) frames.push(Math.floor(ptePa(top) / PAGE_SIZE));
    }
    return frames;
  }

  /** Mapped pages whose VMM table words differ from the last resync's (all of them at first). */
  private changedPages(vmmHgatp: number): number[] {
    if (vmmHgatp !== this.seenHgatp) {
      this.seenHgatp = vmmHgatp;
      this.seenRoot.clear();
      this.seenLeaves.clear();
    }
    const byRoot = this.pagesByRoot;
    const root = hgatpRoot(vmmHgatp);
    const changed: number[] = [];
    for (const [ri, pages] of byRoot) {
      const top = this.inRam(root + ri * 4, 4) ? this.memory.read32(root + ri * 4) >>> 0 : -1;
      const leafPa = (top & PTE.V) !== 0 && !isLeaf(top) ? ptePa(top) : -1;
      const leaf = leafPa >= 0 && this.inRam(leafPa, PAGE_SIZE) ? new Uint32Array(this.memory.readBytes(leafPa, PAGE_SIZE).slice().buffer) : null;
      const before = this.seenLeaves.get(ri);
      const rootSame = this.seenRoot.get(ri) === top;
      this.seenRoot.set(ri, top);
      if (leaf) this.seenLeaves.set(ri, leaf);
      else this.seenLeaves.delete(ri);
      for (const page of pages) {
        const i = leafIndex(page * PAGE_SIZE);
        if (!rootSame || !leaf || !before || before[i] !== leaf[i]) changed.push(page);
      }
    }
    return changed;
  }

  private inRam(pa: number, length: number): boolean {
    return pa >= this.memory.ramBase && pa + length <= this.memory.ramBase + this.memory.ramSize;
  }

  /** Takes every frame back from the VM, zeroed, for the VMM; frees the shadow tables. */
  teardown(scrub: boolean): number[] {
    const frames = this.confinement.confined ? [] : [...new Set(this.mapped.values())];
    for (const frame of frames) this.owners.transfer(frame, vmOwner(this.vm), VMM, scrub);
    this.mapped.clear();
    this.firstGpa.clear();
    this.pagesByRoot.clear();
    for (const table of this.leafTables.values()) this.pool.release(table);
    this.leafTables.clear();
    this.pool.release(this.rootFrame, GSTAGE_ROOT_BYTES / PAGE_SIZE);
    return frames;
  }

  private claim(frame: number, started: boolean, policy: ShadowPolicy): ShadowSync | null {
    const owner = this.owners.ownerOf(frame);
    if (owner === null) return refused('not-ram', `frame 0x${frame.toString(16)} is not RAM (device passthrough is not allowed)`, frame);
    if (!policy.ownership) return null;
    if (owner.kind === 'vm' && owner.vm === this.vm) return null; // a second GPA for the VM's own frame
    if (owner.kind === 'monitor') return refused('frame-of-monitor', `frame 0x${frame.toString(16)} belongs to the monitor`, frame);
    if (owner.kind === 'vm') return refused('frame-of-other-vm', `frame 0x${frame.toString(16)} belongs to vm${owner.vm}`, frame);
    if (this.confinement.confined) return null; // borrowed, stays the VMM's
    if (this.confinement.borrowed(frame)) {
      return refused('frame-of-other-vm', `frame 0x${frame.toString(16)} is mapped by a VM launched before the monitor`, frame);
    }
    const status = this.owners.transfer(frame, VMM, vmOwner(this.vm), started && policy.zeroing);
    return status === 'ok' ? null : refused('frame-of-other-vm', `frame 0x${frame.toString(16)} changed owner (${status})`, frame);
  }

  private keep(frame: number, reason: 'remap' | 'unmap', gpa: number, wanted?: number): ShadowSync {
    const what =
      reason === 'remap'
        ? `remapping GPA 0x${gpa.toString(16)} from frame 0x${frame.toString(16)} to 0x${(wanted ?? 0).toString(16)}`
        : `dropping GPA 0x${gpa.toString(16)} backed by frame 0x${frame.toString(16)}`;
    return refused(reason, `${what}: a populated GPA keeps its frame`, frame);
  }

  /** Writes the shadow leaf: the VMM's permissions, U/A/D set, 4 KiB granularity. */
  private writeLeaf(gpa: number, frame: number, vmmPte: number): ShadowSync | null {
    const ri = rootIndex(gpa);
    let table = this.leafTables.get(ri);
    if (table === undefined) {
      const allocated = this.pool.allocate();
      if (allocated === null) return refused('out-of-monitor-memory', 'no monitor frame left for a shadow table');
      table = allocated;
      this.leafTables.set(ri, table);
      this.memory.write32(this.rootFrame * PAGE_SIZE + ri * 4, ((table << PTE_PPN_SHIFT) | PTE.V) >>> 0);
    }
    const pte = (frame << PTE_PPN_SHIFT) | (vmmPte & LEAF_PERMS) | PTE.V | PTE.U | PTE.A | PTE.D;
    this.memory.write32(table * PAGE_SIZE + leafIndex(gpa) * 4, pte >>> 0);
    return null;
  }
}

function refused(reason: RefusalReason, detail: string, frame?: number): ShadowSync {
  return frame === undefined ? { kind: 'refused', reason, detail } : { kind: 'refused', reason, detail, frame };
}

function ownerName(owners: FrameOwners, frame: number): string {
  const owner = owners.ownerOf(frame);
  return owner ? describeOwner(owner) : 'no one (not RAM)';
}

