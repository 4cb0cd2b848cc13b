// Turns a symbolic fuzz operation into concrete numbers on a booted fuzz host: physical addresses,
// vCPU ids, hgatp values. The choices mirror what a compromised VMM knows (its p2m, its own G-stage
// tables, the RAM layout and the monitor's region at the top of RAM); the lab resolves them from
// its trusted view only to pick the same frames such a VMM would.
import { MONITOR, VMM } from '../../cloudvisor/frame-owners';
import { hgatpRoot, isLeaf, ptePa } from '../../cloudvisor/gstage-format';
import { HGATP, PTE } from '../../spec/riscv-priv';
import type { FuzzHost } from './fuzz-host';
import type { FrameChoice, FuzzOp, RegChanges } from './fuzz-op';

const PAGE = 4096;
/** GPAs outside every guest's RAM (0x80000000 + memory): "fresh" mappings go here. */
const FRESH_GPA_BASE = 0x9000_0000;
const FRESH_PAGES = 1024;
const GUEST_RAM_PAGE = 0x8_0000;
/** Top VMM frames the fuzzer treats as its own scratch (the VMM allocates from the bottom). */
const SCRATCH_FRAMES = 64;
/** VMIDs for VMs the attacker makes up (guests get small VMIDs from the VMM). */
const ATTACKER_VMID_BASE = 100;
const SUPERPAGE_FRAMES = 1024;
const LEAF_FLAGS = PTE.V | PTE.R | PTE.W | PTE.X | PTE.U | PTE.A | PTE.D;

export type ResolvedOp =
  /** Point the VMM's leaf for `gpa` (root table at rootPa) at a frame; `spareTablePa` if a leaf table is missing. */
  | { readonly op: 'map'; readonly rootPa: number; readonly gpa: number; readonly pte: number; readonly spareTablePa: number; readonly superpage: boolean }
  | { readonly op: 'fence'; readonly vmid: number | null }
  | { readonly op: 'read'; readonly pa: number; readonly length: number }
  | { readonly op: 'write'; readonly pa: number; readonly value: number }
  | { readonly op: 'dma'; readonly direction: 'to-memory' | 'from-memory'; readonly pa: number; readonly sector: number; readonly count: number }
  | { readonly op: 'set-regs'; readonly vcpu: number; readonly changes: RegChanges }
  | { readonly op: 'set-controls'; readonly vcpu: number; readonly hgatp: number | null; readonly hvip: number | null }
  | { readonly op: 'peek-regs'; readonly vcpu: number }
  | { readonly op: 'spawn'; readonly hgatp: number; readonly pc: number; readonly regs: RegChanges }
  | { readonly op: 'run-spawned'; readonly index: number }
  | { readonly op: 'destroy-spawned'; readonly index: number }
  | { readonly op: 'destroy-guest'; readonly vcpu: number }
  | { readonly op: 'rounds'; readonly count: number };

export class OpResolver {
  private spawned = 0;
  /** Each guest's frames and populated pages as first seen (a destroyed guest keeps its old ones). */
  private readonly layouts = new Map<number, { readonly pages: number[]; readonly frames: number[] }>();

  constructor(private readonly fuzz: FuzzHost) {}

  resolve(op: FuzzOp): ResolvedOp {
    switch (op.op) {
      case 'map': {
        const guest = this.guest(op.guest);
        const gpa = op.gpa === 'populated' ? this.populatedGpa(op.guest, op.page) : FRESH_GPA_BASE + (op.page % FRESH_PAGES) * PAGE;
        const frame = Math.floor(this.address(op.target, 0) / PAGE);
        // A superpage leaf names a 4 MiB-aligned frame (PPN[0] = 0, priv 1.12 section 4.3.2).
        const pte = (((op.superpage ? frame - (frame % SUPERPAGE_FRAMES) : frame) << 10) | LEAF_FLAGS) >>> 0;
        return { op: 'map', rootPa: hgatpRoot(this.vmmHgatp(guest.vcpu)), gpa, pte, spareTablePa: this.scratch(op.page + 1), superpage: op.superpage };
      }
      case 'fence':
        return { op: 'fence', vmid: op.guest === null ? null : this.guest(op.guest).vm };
      case 'read':
        return { op: 'read', pa: this.address(op.target, op.offset), length: op.length };
      case 'write':
        return { op: 'write', pa: this.address(op.target, op.offset), value: op.value };
      case 'dma':
        return { op: 'dma', direction: op.direction, pa: this.address(op.target, op.offset), sector: op.sector, count: op.count };
      case 'set-regs':
        return { op: 'set-regs', vcpu: this.guest(op.guest).vcpu, changes: op.changes };
      case 'set-controls': {
        const vcpu = this.guest(op.guest).vcpu;
        return { op: 'set-controls', vcpu, hgatp: op.vmid === null ? null : withVmid(this.vmmHgatp(vcpu), op.vmid), hvip: op.hvip };
      }
      case 'peek-regs':
        return { op: 'peek-regs', vcpu: this.guest(op.guest).vcpu };
      case 'spawn': {
        const guest = this.guest(op.table);
        const hgatp = this.vmmHgatp(guest.vcpu);
        const vmid = op.join ? guest.vm : ATTACKER_VMID_BASE + (this.spawned % (HGATP.VMID_MASK + 1 - ATTACKER_VMID_BASE));
        this.spawned++;
        return { op: 'spawn', hgatp: withVmid(hgatp, vmid), pc: op.pc, regs: op.regs };
      }
      case 'destroy-guest':
        return { op: 'destroy-guest', vcpu: this.guest(op.guest).vcpu };
      case 'run-spawned':
      case 'destroy-spawned':
      case 'rounds':
        return op;
    }
  }

  private guest(index: number): FuzzHost['guests'][number] {
    const guests = this.fuzz.guests;
    const guest = guests[index % guests.length];
    if (!guest) throw new Error('the fuzz host has no guests');
    return guest;
  }

  /** The hgatp the VMM itself gave the vCPU (the monitor keeps the shadow's for the hart). */
  private vmmHgatp(vcpu: number): number {
    return this.fuzz.monitor.vcpu.controls(vcpu).hgatp;
  }

  private layout(index: number): { readonly pages: number[]; readonly frames: number[] } {
    const vm = this.guest(index).vm;
    let layout = this.layouts.get(vm);
    if (!layout) {
      const shadow = this.fuzz.monitor.inspectVm(vm)?.shadow ?? new Map<number, number>();
      layout = { pages: [...shadow.keys()].sort((a, b) => a - b), frames: [...shadow.values()].sort((a, b) => a - b) };
      this.layouts.set(vm, layout);
    }
    return layout;
  }

  private populatedGpa(index: number, page: number): number {
    const pages = this.layout(index).pages;
    return (pages.length === 0 ? GUEST_RAM_PAGE : (pages[page % pages.length] as number)) * PAGE;
  }

  private scratch(page: number): number {
    const frames = this.fuzz.launched.owners.framesOf(VMM).slice(-SCRATCH_FRAMES);
    return (frames[page % Math.max(frames.length, 1)] ?? 0) * PAGE;
  }

  /** A physical address inside the chosen frame (the secret's own address for the key). */
  address(choice: FrameChoice, offset: number): number {
    const within = offset % PAGE;
    switch (choice.kind) {
      case 'guest': {
        const frames = this.layout(choice.guest).frames;
        return (frames[choice.page % Math.max(frames.length, 1)] ?? 0) * PAGE + within;
      }
      case 'guest-secret':
        return this.guest(choice.guest).secretPa;
      case 'guest-table': {
        const tables = this.vmmTables(this.vmmHgatp(this.guest(choice.guest).vcpu));
        return (tables[choice.page % tables.length] ?? 0) * PAGE + within;
      }
      case 'vmm':
        return this.scratch(choice.page) + within;
      case 'monitor': {
        const frames = this.fuzz.launched.owners.framesOf(MONITOR);
        return (frames[choice.page % Math.max(frames.length, 1)] ?? 0) * PAGE + within;
      }
    }
  }

  /** The frames of the VMM's G-stage table at `hgatp`: the 16 KiB root and every leaf table. */
  private vmmTables(hgatp: number): number[] {
    const root = hgatpRoot(hgatp);
    const frames = [0, 1, 2, 3].map((i) => root / PAGE + i);
    const entries = this.fuzz.host.hyp.mem.read(root, 4 * PAGE);
    const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
    for (let i = 0; i < entries.length; i += 4) {
      const pte = view.getUint32(i, true);
      if ((pte & PTE.V) !== 0 && !isLeaf(pte)) frames.push(ptePa(pte) / PAGE);
    }
    return frames;
  }
}

function withVmid(hgatp: number, vmid: number): number {
  return ((hgatp & ~(HGATP.VMID_MASK << HGATP.VMID_SHIFT)) | ((vmid & HGATP.VMID_MASK) << HGATP.VMID_SHIFT)) >>> 0;
}
