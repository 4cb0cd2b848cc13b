// vCPU state protection (CLOUDVISOR.md section 3): per exit, the registers the VMM may read
// (everything else reads as zero) and the ones it may change; pc is never the VMM's to set, the
// monitor advances it itself. On resume, changes outside the exit's rights are refused.
import type { Exit, GuestRegName, GuestRegs } from '../sandbox/hyp';
import { ABI_TO_GPR, GUEST_REG_NAMES } from '../sandbox/hyp-ops';

export interface ExitRights {
  readonly readable: ReadonlySet<GuestRegName>;
  readonly writable: ReadonlySet<GuestRegName>;
}

const NONE: ReadonlySet<GuestRegName> = new Set();
const SBI_ARGS: ReadonlySet<GuestRegName> = new Set(['x10', 'x11', 'x12', 'x13', 'x14', 'x15', 'x16', 'x17']);
const SBI_RESULTS: ReadonlySet<GuestRegName> = new Set(['x10', 'x11']);
const OPCODE_SYSTEM = 0x73;

function gpr(n: number): ReadonlySet<GuestRegName> {
  return n >= 1 && n <= 31 ? new Set([`x${n}` as GuestRegName]) : NONE;
}

/** What the VMM may read and change for this exit (the exit table of CLOUDVISOR.md). */
export function exitRights(exit: Exit | null): ExitRights {
  if (exit === null) return { readable: NONE, writable: NONE };
  switch (exit.kind) {
    case 'sbi':
      return { readable: SBI_ARGS, writable: SBI_RESULTS };
    case 'mmio-load':
      return { readable: NONE, writable: gpr(exit.rd) };
    case 'virtual-instruction': {
      // An emulated CSR access may deliver its result to rd; nothing else is the VMM's.
      const isCsr = (exit.insn & 0x7f) === OPCODE_SYSTEM && ((exit.insn >>> 12) & 7) !== 0;
      return { readable: NONE, writable: isCsr ? gpr((exit.insn >>> 7) & 0x1f) : NONE };
    }
    case 'mmio-store':
    case 'guest-page-fault':
    case 'wfi':
    case 'interrupt':
    case 'quantum':
    case 'other':
      return { readable: NONE, writable: NONE };
  }
}

/** The registers as the VMM sees them at this exit: hidden ones read as zero. */
export function guestView(full: GuestRegs, rights: ExitRights): GuestRegs {
  // Built field by field in one order (a spread of a 41-field record costs more than the exit).
  const view: Record<string, number> = {};
  for (const name of GUEST_REG_NAMES) view[name] = rights.readable.has(name) ? full[name] : 0;
  return view as unknown as GuestRegs;
}

export interface FilteredChanges {
  readonly allowed: ReadonlyMap<GuestRegName, number>;
  /** Names the VMM tried to change without the right to, in the order given. */
  readonly refused: readonly string[];
}

/** Normalises register names (ABI aliases, GPR numbers) and splits changes by the exit's rights. */
export function filterChanges(changes: Readonly<Record<string, number>>, rights: ExitRights): FilteredChanges {
  const allowed = new Map<GuestRegName, number>();
  const refused: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const name = canonicalReg(key);
    if (name !== null && rights.writable.has(name)) allowed.set(name, value >>> 0);
    else refused.push(key);
  }
  return { allowed, refused };
}

export function canonicalReg(key: string | number): GuestRegName | null {
  if (typeof key === 'number') return key >= 1 && key <= 31 ? (`x${key}` as GuestRegName) : null;
  const gprNumber = ABI_TO_GPR[key];
  if (gprNumber !== undefined) return `x${gprNumber}` as GuestRegName;
  return (GUEST_REG_NAMES as readonly string[]).includes(key) ? (key as GuestRegName) : null;
}
