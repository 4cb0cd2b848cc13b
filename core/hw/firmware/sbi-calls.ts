// SBI v2.0 call dispatch for the modelled firmware: one handler per extension, from a table the
// compiler checks (SBI v2.0 ch. 3: a7 = EID, a6 = FID, a0..a5 arguments; error in a0, value in
// a1; legacy extensions, ch. 5, return in a0 only). RV32: 64-bit values arrive split lo/hi.
// Handlers validate every argument and fail closed with the spec's error codes.
import type { Hart } from '../cpu/hart';
import { HART_WORK, type HartStateManager } from './hart-state-manager';
import { FIRMWARE_IMPL_ID, FIRMWARE_IMPL_VERSION } from './sbi-constants';
import {
  HSM_STATE,
  SBI_BASE,
  SBI_DBCN,
  SBI_ERR,
  SBI_EXT,
  SBI_HSM,
  SBI_RFENCE,
  SBI_SPEC_VERSION_2_0,
  SBI_SRST,
} from '../../spec/sbi';

export interface SbiRet {
  readonly error: number;
  readonly value: number;
}

/**
 * The handler already left the hart where it must continue (stopped and parked, suspended, or the
 * machine reset or powered off): the dispatcher must not touch its registers or pc.
 */
export const SBI_NO_RETURN = 'handled';
export type SbiOutcome = SbiRet | typeof SBI_NO_RETURN;

/** What the handlers need from the firmware (PlatformFirmware implements it). */
export interface SbiServices {
  readonly hartCount: number;
  readonly hsm: HartStateManager;
  readonly harts: readonly Hart[];
  /** mvendorid, marchid, mimpid of the hart. */
  machineIds(hart: Hart): readonly [number, number, number];
  /** The 64-bit deadline as its two halves (a double cannot hold every 64-bit value). */
  setTimer(hart: Hart, lo: number, hi: number): void;
  /** Deliver work to a hart through its ACLINT MSIP (the target handles it on its MSI). */
  signal(target: number, work: number): void;
  remoteFence(target: Hart, fid: number): void;
  hartStart(hartid: number, startAddr: number, opaque: number): number;
  hartStop(hart: Hart): SbiOutcome;
  /** Only the default retentive type is supported, so resume_addr and opaque are not needed. */
  hartSuspend(hart: Hart, type: number): SbiOutcome;
  systemReset(type: number, reason: number): SbiOutcome;
  consoleWrite(byte: number): void;
  /** A received console byte, or -1. */
  consoleRead(): number;
  /** A copy of guest physical memory [pa, pa+length) if it is all RAM S-mode may use, else null. */
  readGuest(pa: number, length: number): Uint8Array | null;
  writeGuest(pa: number, bytes: Uint8Array): boolean;
}

type Handler = (s: SbiServices, hart: Hart, fid: number, a: readonly number[]) => SbiOutcome;

const ok = (value = 0): SbiRet => ({ error: SBI_ERR.SUCCESS, value });
const err = (error: number): SbiRet => ({ error, value: 0 });

/** The harts named by hart_mask/hart_mask_base (ch. 3.2), or null when one is invalid. */
export function decodeHartMask(count: number, mask: number, base: number): number[] | null {
  if (base >>> 0 === 0xffff_ffff) return Array.from({ length: count }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < 32; i++) {
    if (((mask >>> i) & 1) === 0) continue;
    const id = (base >>> 0) + i;
    if (id >= count) return null;
    out.push(id);
  }
  return out;
}

function live(s: SbiServices, id: number): boolean {
  const st = s.hsm.state(id, s.harts[id]?.waiting ?? false);
  return st === HSM_STATE.STARTED || st === HSM_STATE.SUSPENDED;
}

const base: Handler = (s, hart, fid, a) => {
  const [mvendorid, marchid, mimpid] = s.machineIds(hart);
  switch (fid) {
    case SBI_BASE.GET_SPEC_VERSION:
      return ok(SBI_SPEC_VERSION_2_0);
    case SBI_BASE.GET_IMPL_ID:
      return ok(FIRMWARE_IMPL_ID);
    case SBI_BASE.GET_IMPL_VERSION:
      return ok(FIRMWARE_IMPL_VERSION);
    case SBI_BASE.PROBE_EXTENSION:
      return ok(SUPPORTED.has((a[0] ?? 0) >>> 0) ? 1 : 0);
    case SBI_BASE.GET_MVENDORID:
      return ok(mvendorid);
    case SBI_BASE.GET_MARCHID:
      return ok(marchid);
    case SBI_BASE.GET_MIMPID:
      return ok(mimpid);
    default:
      return err(SBI_ERR.NOT_SUPPORTED);
  }
};

const time: Handler = (s, hart, fid, a) => {
  if (fid !== 0) return err(SBI_ERR.NOT_SUPPORTED);
  s.setTimer(hart, (a[0] ?? 0) >>> 0, (a[1] ?? 0) >>> 0);
  return ok();
};

const ipi: Handler = (s, _hart, fid, a) => {
  if (fid !== 0) return err(SBI_ERR.NOT_SUPPORTED);
  const targets = decodeHartMask(s.hartCount, a[0] ?? 0, a[1] ?? 0);
  if (targets === null) return err(SBI_ERR.INVALID_PARAM);
  for (const t of targets) if (live(s, t)) s.signal(t, HART_WORK.IPI);
  return ok();
};

const rfence: Handler = (s, _hart, fid, a) => {
  if (fid < SBI_RFENCE.REMOTE_FENCE_I || fid > SBI_RFENCE.REMOTE_HFENCE_VVMA)
    return err(SBI_ERR.NOT_SUPPORTED);
  const targets = decodeHartMask(s.hartCount, a[0] ?? 0, a[1] ?? 0);
  if (targets === null) return err(SBI_ERR.INVALID_PARAM);
  const start = (a[2] ?? 0) >>> 0;
  const size = (a[3] ?? 0) >>> 0;
  if (fid !== SBI_RFENCE.REMOTE_FENCE_I && size !== 0xffff_ffff && start + size > 0x1_0000_0000)
    return err(SBI_ERR.INVALID_ADDRESS);
  for (const t of targets) {
    const h = s.harts[t];
    if (h !== undefined && live(s, t)) s.remoteFence(h, fid);
  }
  return ok();
};

const hsm: Handler = (s, hart, fid, a) => {
  switch (fid) {
    case SBI_HSM.HART_START: {
      const id = (a[0] ?? 0) >>> 0;
      if (id >= s.hartCount) return err(SBI_ERR.INVALID_PARAM);
      const e = s.hartStart(id, (a[1] ?? 0) >>> 0, (a[2] ?? 0) >>> 0);
      return e === SBI_ERR.SUCCESS ? ok() : err(e);
    }
    case SBI_HSM.HART_STOP:
      return s.hartStop(hart);
    case SBI_HSM.HART_GET_STATUS: {
      const id = (a[0] ?? 0) >>> 0;
      if (id >= s.hartCount) return err(SBI_ERR.INVALID_PARAM);
      return ok(s.hsm.state(id, s.harts[id]?.waiting ?? false));
    }
    case SBI_HSM.HART_SUSPEND:
      return s.hartSuspend(hart, (a[0] ?? 0) >>> 0);
    default:
      return err(SBI_ERR.NOT_SUPPORTED);
  }
};

const srst: Handler = (s, _hart, fid, a) => {
  if (fid !== 0) return err(SBI_ERR.NOT_SUPPORTED);
  const type = (a[0] ?? 0) >>> 0;
  const reason = (a[1] ?? 0) >>> 0;
  // Types 3..0xEFFFFFFF and reasons 2..0xDFFFFFFF are reserved (SBI v2.0 tables 10.1, 10.2).
  if (
    (type > SBI_SRST.WARM_REBOOT && type < 0xf000_0000) ||
    (reason > SBI_SRST.REASON_SYSTEM_FAILURE && reason < 0xe000_0000)
  )
    return err(SBI_ERR.INVALID_PARAM);
  if (type >= 0xf000_0000) return err(SBI_ERR.NOT_SUPPORTED);
  return s.systemReset(type, reason);
};

const dbcn: Handler = (s, _hart, fid, a) => {
  if (fid === SBI_DBCN.CONSOLE_WRITE_BYTE) {
    s.consoleWrite((a[0] ?? 0) & 0xff);
    return ok();
  }
  if (fid !== SBI_DBCN.CONSOLE_WRITE && fid !== SBI_DBCN.CONSOLE_READ) return err(SBI_ERR.NOT_SUPPORTED);
  const n = (a[0] ?? 0) >>> 0;
  const lo = (a[1] ?? 0) >>> 0;
  // RV32: the buffer's physical address is base_addr_hi:base_addr_lo; RAM lies below 4 GiB.
  if ((a[2] ?? 0) !== 0) return err(SBI_ERR.INVALID_PARAM);
  if (fid === SBI_DBCN.CONSOLE_WRITE) {
    const bytes = s.readGuest(lo, n);
    if (bytes === null) return err(SBI_ERR.INVALID_PARAM);
    for (const b of bytes) s.consoleWrite(b);
    return ok(n);
  }
  if (s.readGuest(lo, n) === null) return err(SBI_ERR.INVALID_PARAM);
  const got: number[] = [];
  while (got.length < n) {
    const c = s.consoleRead();
    if (c < 0) break;
    got.push(c);
  }
  if (!s.writeGuest(lo, Uint8Array.from(got))) return err(SBI_ERR.FAILED);
  return ok(got.length);
};

/** Legacy extensions (ch. 5): the result goes to a0 only. */
const legacy: Handler = (s, hart, eid, a) => {
  switch (eid) {
    case SBI_EXT.LEGACY_SET_TIMER:
      s.setTimer(hart, (a[0] ?? 0) >>> 0, (a[1] ?? 0) >>> 0);
      return ok();
    case SBI_EXT.LEGACY_CONSOLE_PUTCHAR:
      s.consoleWrite((a[0] ?? 0) & 0xff);
      return ok();
    case SBI_EXT.LEGACY_CONSOLE_GETCHAR:
      return { error: s.consoleRead(), value: 0 };
    default: {
      const r = s.systemReset(SBI_SRST.SHUTDOWN, SBI_SRST.REASON_NONE);
      return r === SBI_NO_RETURN ? r : err(SBI_ERR.NOT_SUPPORTED);
    }
  }
};

const EXTENSIONS = {
  [SBI_EXT.BASE]: base,
  [SBI_EXT.TIME]: time,
  [SBI_EXT.IPI]: ipi,
  [SBI_EXT.RFENCE]: rfence,
  [SBI_EXT.HSM]: hsm,
  [SBI_EXT.SRST]: srst,
  [SBI_EXT.DBCN]: dbcn,
} satisfies Record<number, Handler>;

const LEGACY: ReadonlySet<number> = new Set<number>([
  SBI_EXT.LEGACY_SET_TIMER,
  SBI_EXT.LEGACY_CONSOLE_PUTCHAR,
  SBI_EXT.LEGACY_CONSOLE_GETCHAR,
  SBI_EXT.LEGACY_SHUTDOWN,
]);
const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>(
  Object.entries(EXTENSIONS).map(([k, v]) => [Number(k), v]),
);
const SUPPORTED: ReadonlySet<number> = new Set<number>([...HANDLERS.keys(), ...LEGACY]);

/**
 * Performs the call in the hart's a0..a7. Returns false when the call did not return (the hart
 * was parked or the machine reset/powered off): then pc and registers must be left alone.
 */
export function dispatchSbi(s: SbiServices, hart: Hart): boolean {
  const x = hart.x;
  const eid = (x[17] ?? 0) >>> 0;
  const fid = (x[16] ?? 0) >>> 0;
  const args = [x[10] ?? 0, x[11] ?? 0, x[12] ?? 0, x[13] ?? 0, x[14] ?? 0, x[15] ?? 0];
  if (LEGACY.has(eid)) {
    const r = legacy(s, hart, eid, args);
    if (r === SBI_NO_RETURN) return false;
    x[10] = r.error;
    return true;
  }
  const handler = HANDLERS.get(eid);
  const r = handler === undefined ? err(SBI_ERR.NOT_SUPPORTED) : handler(s, hart, fid, args);
  if (r === SBI_NO_RETURN) return false;
  x[10] = r.error;
  x[11] = r.value;
  return true;
}
