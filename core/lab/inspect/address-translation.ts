// Translating a guest's addresses the way the hart does: guest-virtual through the guest's own
// Sv32 table at its vsatp (priv 1.12 section 4.3), guest-physical through the G-stage table the
// hart really walks: the monitor's shadow in protected mode, the VMM's table on a bare host.
// Failures are data ({ pa: null, reason }), since an unmapped address is an answer, not an error.
import { walkVmmGStage } from '../../cloudvisor/vmm-gstage-walk';
import { PAGE, type DomainFacts, type InspectContext } from './inspect-context';

export type Translation =
  | { readonly ok: true; readonly address: number }
  | { readonly ok: false; readonly reason: string };

const SATP_MODE_SV32 = 0x8000_0000;
const SATP_PPN_MASK = 0x3f_ffff;
const PTE_V = 1;
const PTE_R = 2;
const PTE_W = 4;
const PTE_X = 8;

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Guest-physical -> host physical for `domain`, through the table in the vCPU's real hgatp: the
 * one the hart walks (the monitor's shadow under CloudVisor, the VMM's own table on a bare host).
 */
export function gpaToPa(ctx: InspectContext, domain: DomainFacts, gpa: number): Translation {
  const table = ctx.mode === 'protected' ? "CloudVisor's shadow G-stage" : 'G-stage';
  const hgatp = domain.hartHgatp;
  if (hgatp === null || hgatp === 0) return { ok: false, reason: `dom${domain.id} has not run yet: the hart has no ${table} for it` };
  const walk = walkVmmGStage(ctx.memory, hgatp, gpa);
  if (walk.kind === 'mapped') return { ok: true, address: walk.pa + (gpa % PAGE) };
  if (walk.kind === 'unmapped') return { ok: false, reason: `GPA ${hex(gpa)} is not mapped in dom${domain.id}'s ${table}` };
  return { ok: false, reason: `dom${domain.id}'s ${table} at ${hex(walk.tablePa)} is outside RAM` };
}

/** A 32-bit word of the guest's physical memory (its page-table entries), or null when unreadable. */
function readGuestWord(ctx: InspectContext, domain: DomainFacts, gpa: number): number | null {
  const pa = gpaToPa(ctx, domain, gpa);
  return pa.ok ? ctx.read32(pa.address) : null;
}

/** The vsatp of the domain's vCPU `index` (its real value: the guest's own register). */
export function vsatpOf(ctx: InspectContext, domain: DomainFacts, index = 0): number {
  const vcpu = domain.vcpus.find((v) => v.index === index) ?? domain.vcpus[0];
  if (!vcpu) return 0;
  return ctx.host.hyp.vcpu.regs(vcpu.vcpu).vsatp >>> 0;
}

/** Guest-virtual -> guest-physical through the guest's Sv32 table (bare vsatp: the identity). */
export function gvaToGpa(ctx: InspectContext, domain: DomainFacts, gva: number, vsatp: number): Translation {
  if ((vsatp & SATP_MODE_SV32) === 0) return { ok: true, address: gva };
  const root = (vsatp & SATP_PPN_MASK) * PAGE;
  const top = readGuestWord(ctx, domain, root + (gva >>> 22) * 4);
  if (top === null) return { ok: false, reason: `the guest's root page table at GPA ${hex(root)} is not readable` };
  if ((top & PTE_V) === 0) return { ok: false, reason: `VA ${hex(gva)}: no valid level-1 entry in the guest's table` };
  if ((top & (PTE_R | PTE_X)) !== 0) {
    // A 4 MiB superpage (Sv32 level 1): PPN[1] names it, VA[21:0] is the offset.
    return { ok: true, address: (top >>> 20) * 0x40_0000 + (gva % 0x40_0000) };
  }
  const table = (top >>> 10) * PAGE;
  const leaf = readGuestWord(ctx, domain, table + ((gva >>> 12) & 0x3ff) * 4);
  if (leaf === null) return { ok: false, reason: `the guest's leaf table at GPA ${hex(table)} is not readable` };
  if ((leaf & PTE_V) === 0 || (leaf & (PTE_R | PTE_X)) === 0 || ((leaf & PTE_W) !== 0 && (leaf & PTE_R) === 0)) {
    return { ok: false, reason: `VA ${hex(gva)}: no valid leaf in the guest's table` };
  }
  return { ok: true, address: (leaf >>> 10) * PAGE + (gva % PAGE) };
}

export interface GuestLeaf {
  readonly va: number;
  readonly gpa: number;
  readonly pte: number;
  readonly level: 0 | 1;
}

/** Every valid leaf of the guest's Sv32 table, in VA order. */
export function guestLeaves(ctx: InspectContext, domain: DomainFacts, vsatp: number): GuestLeaf[] {
  const leaves: GuestLeaf[] = [];
  if ((vsatp & SATP_MODE_SV32) === 0) return leaves;
  const root = (vsatp & SATP_PPN_MASK) * PAGE;
  for (let i = 0; i < 1024; i++) {
    const top = readGuestWord(ctx, domain, root + i * 4);
    if (top === null || (top & PTE_V) === 0) continue;
    if ((top & (PTE_R | PTE_X)) !== 0) {
      leaves.push({ va: i * 0x40_0000, gpa: (top >>> 20) * 0x40_0000, pte: top, level: 1 });
      continue;
    }
    const table = (top >>> 10) * PAGE;
    const pa = gpaToPa(ctx, domain, table);
    const bytes = pa.ok ? ctx.readRam(pa.address, PAGE) : null;
    if (!bytes) continue;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let j = 0; j < 1024; j++) {
      const leaf = view.getUint32(j * 4, true);
      if ((leaf & PTE_V) !== 0 && (leaf & (PTE_R | PTE_X)) !== 0) {
        leaves.push({ va: (i * 1024 + j) * PAGE, gpa: (leaf >>> 10) * PAGE, pte: leaf, level: 0 });
      }
    }
  }
  return leaves;
}
