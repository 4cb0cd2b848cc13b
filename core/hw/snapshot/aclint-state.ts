// Save/restore of the ACLINT (MSWI msip, MTIMER mtimecmp, the mtime offset) for machine
// snapshots, through the device's own register interface (reads have no side effects there).
// Restore must run after the board clock is restored: mtime is written relative to it.
import { ACLINT, type Aclint } from '../devices/aclint';

export interface AclintState {
  readonly msip: readonly number[];
  /** mtimecmp per hart as [lo, hi]. */
  readonly mtimecmp: readonly (readonly [number, number])[];
  readonly mtime: readonly [number, number];
}

export function saveAclintState(a: Aclint, harts: number): AclintState {
  const msip: number[] = [];
  const mtimecmp: [number, number][] = [];
  for (let i = 0; i < harts; i++) {
    msip.push(a.read(ACLINT.MSIP + 4 * i, 4));
    mtimecmp.push([a.read(ACLINT.MTIMECMP + 8 * i, 4) >>> 0, a.read(ACLINT.MTIMECMP + 8 * i + 4, 4) >>> 0]);
  }
  return { msip, mtimecmp, mtime: [a.read(ACLINT.MTIME, 4) >>> 0, a.read(ACLINT.MTIME + 4, 4) >>> 0] };
}

const u32 = (v: unknown): boolean =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff;

export function validateAclintState(s: AclintState, harts: number): void {
  if (!Array.isArray(s.msip) || s.msip.length !== harts || !s.msip.every((m) => m === 0 || m === 1))
    throw new Error(`aclint state: msip must be ${harts} bits`);
  if (
    !Array.isArray(s.mtimecmp) ||
    s.mtimecmp.length !== harts ||
    !s.mtimecmp.every((p) => Array.isArray(p) && p.length === 2 && u32(p[0]) && u32(p[1]))
  )
    throw new Error(`aclint state: mtimecmp must be ${harts} [lo, hi] pairs`);
  if (!Array.isArray(s.mtime) || s.mtime.length !== 2 || !u32(s.mtime[0]) || !u32(s.mtime[1]))
    throw new Error('aclint state: mtime must be [lo, hi]');
}

export function loadAclintState(a: Aclint, s: AclintState, harts: number): void {
  validateAclintState(s, harts);
  s.msip.forEach((m, i) => a.write(ACLINT.MSIP + 4 * i, 4, m));
  s.mtimecmp.forEach(([lo, hi], i) => {
    a.write(ACLINT.MTIMECMP + 8 * i + 4, 4, hi);
    a.write(ACLINT.MTIMECMP + 8 * i, 4, lo);
  });
  a.write(ACLINT.MTIME, 4, s.mtime[0]);
  a.write(ACLINT.MTIME + 4, 4, s.mtime[1]);
}
