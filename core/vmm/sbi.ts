// The SBI implementation the VMM gives its guests (SBI v2.0): BASE, TIME, IPI, RFENCE, HSM, SRST,
// DBCN and the legacy set_timer/putchar/getchar/shutdown. Reads only the exit's a0..a7 and
// answers in a0 (error) and a1 (value), as the monitor's exit table allows; legacy calls answer
// in a0 alone. Invariant: every invalid argument gets the spec's error code, never a guess.
// Spec: RISC-V SBI v2.0, ch. 3 (encoding, hart masks), 4-10 and 12.
import type { Domain } from './domain';
import type { SbiResult } from './patch-api';
import { HSM_STATE, HSM_SUSPEND, SBI_BASE, SBI_DBCN, SBI_ERR, SBI_EXT, SBI_HSM, SBI_RFENCE, SBI_SPEC_VERSION_2_0, SBI_SRST } from '../spec/sbi';
import type { VirtualCpu } from './virtual-cpu';

export type { SbiResult } from './patch-api';

/** SBI implementation ID 7 is the Xen Project's (SBI spec 4.9): this is a Xen-like VMM. */
const SBI_IMPL_ID_XEN = 7;
const SBI_IMPL_VERSION = 0x0001_0000;

/** What the SBI implementation needs from the rest of the VMM. */
export interface SbiPlatform {
  startVcpu(domain: Domain, target: VirtualCpu, pc: number, opaque: number): void;
  stopVcpu(domain: Domain, vcpu: VirtualCpu): void;
  systemReset(domain: Domain, type: number, reason: number): void;
  /** A vCPU became runnable or has a new pending interrupt: wake idle harts. */
  kick(): void;
  /** HFENCE.VVMA for this domain on the current hart. */
  fenceVvmaHere(domain: Domain): void;
}

export const SBI_SUPPORTED: readonly number[] = [
  SBI_EXT.LEGACY_SET_TIMER, SBI_EXT.LEGACY_CONSOLE_PUTCHAR, SBI_EXT.LEGACY_CONSOLE_GETCHAR, SBI_EXT.LEGACY_SHUTDOWN,
  SBI_EXT.BASE, SBI_EXT.TIME, SBI_EXT.IPI, SBI_EXT.RFENCE, SBI_EXT.HSM, SBI_EXT.SRST, SBI_EXT.DBCN,
];

/** DBCN transfers at most this many bytes per call (partial writes are allowed, SBI 12.1). */
const DBCN_CHUNK = 4096;

const ok = (value = 0): SbiResult => ({ a0: 0, a1: value >>> 0 });
const err = (code: number): SbiResult => ({ a0: code >>> 0, a1: 0 });
const legacy = (a0: number): SbiResult => ({ a0: a0 >>> 0, a1: null });

export function handleSbi(p: SbiPlatform, d: Domain, v: VirtualCpu, ext: number, fid: number, a: readonly number[]): SbiResult | null {
  const a0 = (a[0] ?? 0) >>> 0, a1 = (a[1] ?? 0) >>> 0, a2 = (a[2] ?? 0) >>> 0;
  switch (ext) {
    case SBI_EXT.LEGACY_SET_TIMER:
      setTimer(v, a0, a1);
      return legacy(0);
    case SBI_EXT.LEGACY_CONSOLE_PUTCHAR:
      d.consoleByte(a0 & 0xff);
      return legacy(0);
    case SBI_EXT.LEGACY_CONSOLE_GETCHAR: {
      const b = d.uart.takeInput(1);
      return legacy(b.length === 0 ? -1 : (b[0] ?? 0));
    }
    case SBI_EXT.LEGACY_SHUTDOWN:
      p.systemReset(d, SBI_SRST.SHUTDOWN, SBI_SRST.REASON_NONE);
      return null;
    case SBI_EXT.BASE:
      return base(fid, a0);
    case SBI_EXT.TIME:
      if (fid !== 0) return err(SBI_ERR.NOT_SUPPORTED);
      setTimer(v, a0, a1);
      return ok();
    case SBI_EXT.IPI:
      return fid === 0 ? sendIpi(p, d, a0, a1) : err(SBI_ERR.NOT_SUPPORTED);
    case SBI_EXT.RFENCE:
      return remoteFence(p, d, v, fid, a0, a1);
    case SBI_EXT.HSM:
      return hsm(p, d, v, fid, a0, a1, a2);
    case SBI_EXT.SRST:
      if (fid !== 0) return err(SBI_ERR.NOT_SUPPORTED);
      if (a0 > SBI_SRST.WARM_REBOOT || a1 > SBI_SRST.REASON_SYSTEM_FAILURE) return err(SBI_ERR.INVALID_PARAM);
      p.systemReset(d, a0, a1);
      return null;
    case SBI_EXT.DBCN:
      return dbcn(d, fid, a0, a1, a2);
    default:
      // Legacy 0x03-0x07 (IPIs and fences through memory pointers) are deprecated and not offered.
      return ext < SBI_EXT.BASE ? legacy(SBI_ERR.NOT_SUPPORTED) : err(SBI_ERR.NOT_SUPPORTED);
  }
}

/** SBI 6.1: a new deadline clears the pending timer interrupt until it passes. */
function setTimer(v: VirtualCpu, lo: number, hi: number): void {
  v.deadline = hi * 0x1_0000_0000 + lo;
}

function base(fid: number, a0: number): SbiResult {
  switch (fid) {
    case SBI_BASE.GET_SPEC_VERSION: return ok(SBI_SPEC_VERSION_2_0);
    case SBI_BASE.GET_IMPL_ID: return ok(SBI_IMPL_ID_XEN);
    case SBI_BASE.GET_IMPL_VERSION: return ok(SBI_IMPL_VERSION);
    case SBI_BASE.PROBE_EXTENSION: return ok(SBI_SUPPORTED.includes(a0) ? 1 : 0);
    // A VMM reports its own machine IDs as 0 ("not implemented"), not the host's (SBI 4.5-4.7).
    case SBI_BASE.GET_MVENDORID: case SBI_BASE.GET_MARCHID: case SBI_BASE.GET_MIMPID: return ok(0);
    default: return err(SBI_ERR.NOT_SUPPORTED);
  }
}

/** SBI 3.1 hart masks: base -1 means every hart; any bit naming a missing hart is invalid. */
export function maskTargets(d: Domain, mask: number, maskBase: number): VirtualCpu[] | null {
  if (maskBase === 0xffff_ffff) return [...d.vcpus];
  const out: VirtualCpu[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((mask >>> bit) & 1) === 0) continue;
    const target = d.vcpus[maskBase + bit];
    if (target === undefined) return null;
    out.push(target);
  }
  return out;
}

function sendIpi(p: SbiPlatform, d: Domain, mask: number, maskBase: number): SbiResult {
  const targets = maskTargets(d, mask, maskBase);
  if (targets === null) return err(SBI_ERR.INVALID_PARAM);
  for (const t of targets) t.softPending = true;
  p.kick();
  return ok();
}

function remoteFence(p: SbiPlatform, d: Domain, v: VirtualCpu, fid: number, mask: number, maskBase: number): SbiResult {
  if (fid > SBI_RFENCE.REMOTE_HFENCE_VVMA) return err(SBI_ERR.NOT_SUPPORTED);
  // Guests have no H extension: the hypervisor fences are not theirs to ask for (SBI 8.4-8.7).
  if (fid >= SBI_RFENCE.REMOTE_HFENCE_GVMA_VMID) return err(SBI_ERR.NOT_SUPPORTED);
  const targets = maskTargets(d, mask, maskBase);
  if (targets === null) return err(SBI_ERR.INVALID_PARAM);
  if (fid === SBI_RFENCE.REMOTE_FENCE_I) return ok();
  // Address ranges and ASIDs are honoured by over-fencing the whole VMID, which is always correct.
  for (const t of targets) {
    if (t === v) p.fenceVvmaHere(d);
    else t.lastHart = -1;
  }
  return ok();
}

function hsmStatus(t: VirtualCpu): number {
  return t.hsm === 'started' ? HSM_STATE.STARTED : t.hsm === 'suspended' ? HSM_STATE.SUSPENDED : HSM_STATE.STOPPED;
}

function hsm(p: SbiPlatform, d: Domain, v: VirtualCpu, fid: number, a0: number, a1: number, a2: number): SbiResult | null {
  switch (fid) {
    case SBI_HSM.HART_START: {
      const t = d.vcpus[a0];
      if (t === undefined) return err(SBI_ERR.INVALID_PARAM);
      if (t.hsm !== 'stopped') return err(SBI_ERR.ALREADY_AVAILABLE);
      if (!d.memory.contains(a1, 4)) return err(SBI_ERR.INVALID_ADDRESS);
      p.startVcpu(d, t, a1, a2);
      p.kick();
      return ok();
    }
    case SBI_HSM.HART_STOP:
      p.stopVcpu(d, v);
      return null;
    case SBI_HSM.HART_GET_STATUS: {
      const t = d.vcpus[a0];
      return t === undefined ? err(SBI_ERR.INVALID_PARAM) : ok(hsmStatus(t));
    }
    case SBI_HSM.HART_SUSPEND:
      if (a0 === HSM_SUSPEND.DEFAULT_RETENTIVE) {
        v.hsm = 'suspended';
        v.blocked = true;
        return ok();
      }
      if (a0 === HSM_SUSPEND.DEFAULT_NON_RETENTIVE) {
        // SBI 9.4: the hart wakes as if started at resume_addr, with a0 = hartid and a1 = opaque.
        if (!d.memory.contains(a1, 4)) return err(SBI_ERR.INVALID_ADDRESS);
        v.hsm = 'suspended';
        v.blocked = true;
        v.resume = { pc: a1, opaque: a2 };
        return null;
      }
      // Platform-specific suspends (0x10000000 and up) are valid types this VMM does not implement.
      return err(a0 >= 0x1000_0000 ? SBI_ERR.NOT_SUPPORTED : SBI_ERR.INVALID_PARAM);
    default:
      return err(SBI_ERR.NOT_SUPPORTED);
  }
}

function dbcn(d: Domain, fid: number, num: number, lo: number, hi: number): SbiResult {
  if (fid === SBI_DBCN.CONSOLE_WRITE_BYTE) {
    d.consoleByte(num & 0xff);
    return ok();
  }
  if (fid !== SBI_DBCN.CONSOLE_WRITE && fid !== SBI_DBCN.CONSOLE_READ) return err(SBI_ERR.NOT_SUPPORTED);
  const n = Math.min(num, DBCN_CHUNK);
  if (hi !== 0 || !d.memory.contains(lo, Math.max(n, 1))) return err(SBI_ERR.INVALID_PARAM);
  try {
    if (fid === SBI_DBCN.CONSOLE_WRITE) {
      const bytes = d.memory.read(lo, n);
      for (let i = 0; i < bytes.length; i++) d.consoleByte(bytes[i] ?? 0);
      return ok(n);
    }
    const input = d.uart.takeInput(n);
    if (input.length > 0) d.memory.write(lo, input);
    return ok(input.length);
  } catch {
    // The guest buffer could not be reached (refused by the monitor): an I/O failure (SBI 12.1).
    return err(SBI_ERR.FAILED);
  }
}
