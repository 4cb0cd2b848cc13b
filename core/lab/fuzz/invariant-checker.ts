// The trusted side's judge of a malicious VMM run (CLOUDVISOR.md sections 2, 3, 6): it reads the
// real state (owner table, the monitor's shadow maps, RAM through the board, the host disk, real
// guest registers) and reports every broken guarantee as a Violation. Nothing it relies on passes
// through the VMM's engine, so a patch cannot forge a clean verdict.
import { createHash } from 'node:crypto';
import { MONITOR, vmOwner } from '../../cloudvisor/frame-owners';
import { exitRights } from '../../cloudvisor/vcpu-guard';
import type { Exit, GuestRegName, GuestRegs } from '../../sandbox/hyp';
import { SBI_EXT } from '../../spec/sbi';
import { GUEST_REG_NAMES } from '../../sandbox/hyp-ops';
import { LABOS_PROMPT } from '../host/guest-session';
import { BOOT_BUDGET, DMA_MARKER, type FuzzGuest, type FuzzHost } from './fuzz-host';

export type InvariantName = 'ownership' | 'ept-x' | 'dma' | 'foreign-bytes' | 'registers' | 'entry' | 'secret' | 'liveness';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

const PAGE = 4096;
/** Shortest run of a guest's key that counts as leaked. */
const LEAK_BYTES = 8;

export class InvariantChecker {
  private readonly ramBase: number;
  private readonly ram: Uint8Array;

  constructor(private readonly fuzz: FuzzHost) {
    this.ramBase = fuzz.host.board.ram.base;
    this.ram = fuzz.host.board.ram.u8;
  }

  /** Every state invariant: one owner per frame, shadows only of owned frames, no foreign bytes, entries. */
  checkState(): Violation[] {
    return [...this.checkOwnership(), ...this.checkForeignBytes(), ...this.checkEntries(), ...this.checkDisk()];
  }

  /** Shadow frames belong to their VM; no frame is in two VMs' shadows; shadow roots are the monitor's. */
  checkOwnership(): Violation[] {
    const { owners } = this.fuzz.launched;
    const monitor = this.fuzz.monitor;
    const holder = new Map<number, number>();
    const found: Violation[] = [];
    for (const vm of monitor.vmIds()) {
      const view = monitor.inspectVm(vm);
      if (!view) continue;
      if (view.shadowRoot !== null) {
        const root = (view.shadowRoot & 0x3f_ffff) >>> 0;
        for (let f = root; f < root + 4; f++) {
          if (!owners.isOwnedBy(f, MONITOR)) found.push({ invariant: 'ownership', detail: `vm${vm}'s shadow root frame 0x${f.toString(16)} is not the monitor's` });
        }
      }
      for (const [page, frame] of view.shadow) {
        if (!owners.isOwnedBy(frame, vmOwner(vm))) {
          found.push({ invariant: 'ownership', detail: `vm${vm} maps GPA 0x${(page * PAGE).toString(16)} to frame 0x${frame.toString(16)} it does not own` });
        }
        const other = holder.get(frame);
        if (other !== undefined && other !== vm) {
          found.push({ invariant: 'ownership', detail: `frame 0x${frame.toString(16)} is mapped in vm${other} and vm${vm}` });
        }
        holder.set(frame, vm);
      }
    }
    return found;
  }

  /** No byte of the host disk's marker in a guest's or the monitor's frames (DMA or planted content). */
  checkForeignBytes(): Violation[] {
    const found: Violation[] = [];
    for (const [label, frames] of this.protectedFrames()) {
      for (const [first, count] of runs(frames)) {
        const start = first * PAGE - this.ramBase;
        const at = Buffer.from(this.ram.buffer, this.ram.byteOffset + start, count * PAGE).indexOf(DMA_MARKER);
        if (at >= 0) {
          found.push({ invariant: 'foreign-bytes', detail: `host disk bytes in ${label} frame 0x${(first + Math.floor(at / PAGE)).toString(16)}` });
          break;
        }
      }
    }
    return found;
  }

  /** Only a guest's own vCPUs ever enter its VM: a vCPU the VMM added later has a context the guest never set. */
  checkEntries(): Violation[] {
    const monitor = this.fuzz.monitor;
    const found: Violation[] = [];
    for (const guest of this.fuzz.guests) {
      const home = monitor.auditVcpu(guest.vcpu)?.vm;
      if (home !== undefined && home !== guest.vm) {
        found.push({ invariant: 'entry', detail: `guest${guest.index}'s vCPU ${guest.vcpu} was moved from vm${guest.vm} to ${home === null ? 'no VM' : `vm${home}`}` });
      }
      for (const id of monitor.inspectVm(guest.vm)?.vcpus ?? []) {
        if (id === guest.vcpu) continue;
        const audit = monitor.auditVcpu(id);
        if (audit?.lastExit) {
          found.push({ invariant: 'entry', detail: `vCPU ${id}, created by the VMM, entered running vm${guest.vm} with a context of the VMM's choosing (last exit ${audit.lastExit.kind})` });
        }
      }
    }
    return found;
  }

  /** No guest's key on the host disk (a DMA from guest memory to the disk). */
  checkDisk(): Violation[] {
    const disk = Buffer.from(this.fuzz.disk.read(0, this.fuzz.disk.sectorCount));
    return this.fuzz.guests
      .filter((g) => containsLeak(disk, g.secret))
      .map((g) => ({ invariant: 'secret', detail: `guest${g.index}'s key is on the host disk` }));
  }

  /** Bytes the VMM obtained (read, register views, exfiltrated) must hold no run of any guest's key. */
  checkObtained(label: string, bytes: Uint8Array): Violation[] {
    return this.fuzz.guests
      .filter((g) => containsLeak(Buffer.from(bytes), g.secret))
      .map((g) => ({ invariant: 'secret', detail: `${label}: the VMM obtained guest${g.index}'s key` }));
  }

  /**
   * A VMM access that succeeded on a guest or monitor frame is a breach, unless it is the I/O
   * window of the guest's own pending console request (CLOUDVISOR.md section 2, assisted access).
   */
  checkAccess(pa: number, length: number, access: 'load' | 'store', lateJudge = false): Violation[] {
    const { owners } = this.fuzz.launched;
    // Judged after the fact (the patch path), a VMM frame may since have joined a VM the VMM made
    // up; only the real guests' and the monitor's frames keep their owner, so only they count.
    const guestVms = new Set(this.fuzz.guests.map((g) => g.vm));
    const found: Violation[] = [];
    const window = this.consoleWindow(access);
    for (let f = Math.floor(pa / PAGE); f <= Math.floor((pa + Math.max(length, 1) - 1) / PAGE); f++) {
      const owner = owners.ownerOf(f);
      if (owner === null || owner.kind === 'vmm' || window.has(f)) continue;
      if (lateJudge && owner.kind === 'vm' && !guestVms.has(owner.vm)) continue;
      found.push({ invariant: 'ept-x', detail: `the VMM's ${access} of frame 0x${f.toString(16)} (${owner.kind === 'vm' ? `vm${owner.vm}` : 'monitor'}) succeeded` });
    }
    return found;
  }

  /**
   * Frames a VM's own pending DBCN request names (console write: readable; console read:
   * writable), for every VM the monitor runs: one the VMM made up is a VM like any other. A
   * forged request from a vCPU that never belonged to the VM is the 'entry' invariant's business.
   */
  private consoleWindow(access: 'load' | 'store'): Set<number> {
    const monitor = this.fuzz.monitor;
    const frames = new Set<number>();
    for (const vm of monitor.vmIds()) {
      const view = monitor.inspectVm(vm);
      for (const vcpu of view?.vcpus ?? []) {
        const exit = monitor.auditVcpu(vcpu)?.lastExit;
        if (!exit || exit.kind !== 'sbi' || exit.ext !== SBI_EXT.DBCN || exit.fid !== (access === 'load' ? 0 : 1)) continue;
        const [length = 0, base = 0] = exit.args;
        for (let page = Math.floor(base / PAGE); page <= Math.floor((base + Math.min(length, PAGE) - 1) / PAGE); page++) {
          const frame = view?.shadow.get(page);
          if (frame !== undefined) frames.add(frame);
        }
      }
    }
    return frames;
  }

  /** The registers a VMM changed across an exit: only those the exit lets it change (pc never). */
  checkRegisterChange(vcpu: number, exit: Exit | null, before: GuestRegs, after: GuestRegs, injected = false): Violation[] {
    const writable = exitRights(exit).writable;
    // hvip injection is allowed (CLOUDVISOR.md section 3): vsip shows the injected bits.
    const allowed = (name: GuestRegName): boolean => writable.has(name) || (injected && name === 'vsip');
    return GUEST_REG_NAMES.filter((name) => before[name] !== after[name] && !allowed(name)).map((name) => ({
      invariant: 'registers',
      detail: `vCPU ${vcpu}: ${name} changed 0x${before[name].toString(16)} -> 0x${after[name].toString(16)} after a ${exit?.kind ?? 'no'} exit`,
    }));
  }

  /** What the VMM reads of a vCPU: registers the exit does not need read as zero. */
  checkRegsView(vcpu: number, exit: Exit | null, view: GuestRegs): Violation[] {
    const readable = exitRights(exit).readable;
    return GUEST_REG_NAMES.filter((name) => !readable.has(name) && view[name] !== 0).map((name) => ({
      invariant: 'registers',
      detail: `vCPU ${vcpu}: the VMM reads ${name} = 0x${view[name].toString(16)} after a ${exit?.kind ?? 'no'} exit`,
    }));
  }

  /** A DMA request that the device completed 'ok' touched only VMM frames. */
  checkDma(pa: number, length: number, direction: string, status: string, lateJudge = false): Violation[] {
    if (status !== 'ok') return [];
    const { owners } = this.fuzz.launched;
    const guestVms = new Set(this.fuzz.guests.map((g) => g.vm));
    const found: Violation[] = [];
    for (let f = Math.floor(pa / PAGE); f <= Math.floor((pa + Math.max(length, 1) - 1) / PAGE); f++) {
      const owner = owners.ownerOf(f);
      if (owner === null || owner.kind === 'vmm') continue;
      if (lateJudge && owner.kind === 'vm' && !guestVms.has(owner.vm)) continue;
      found.push({ invariant: 'dma', detail: `DMA ${direction} of frame 0x${f.toString(16)} (${owner.kind === 'vm' ? `vm${owner.vm}` : 'monitor'}) completed ok` });
    }
    return found;
  }

  /** SHA-1 of every guest and monitor frame, to prove an operation changed none of them. */
  protectedDigest(): Map<number, string> {
    const digest = new Map<number, string>();
    for (const [, frames] of this.protectedFrames()) {
      for (const f of frames) {
        const start = f * PAGE - this.ramBase;
        digest.set(f, createHash('sha1').update(this.ram.subarray(start, start + PAGE)).digest('hex'));
      }
    }
    return digest;
  }

  compareDigest(before: ReadonlyMap<number, string>, what: string): Violation[] {
    const after = this.protectedDigest();
    const changed = [...before].filter(([f, h]) => after.get(f) !== undefined && after.get(f) !== h).map(([f]) => f);
    if (changed.length === 0) return [];
    return [{ invariant: 'foreign-bytes', detail: `${what} changed ${changed.length} guest/monitor frames (first 0x${(changed[0] ?? 0).toString(16)})` }];
  }

  /** At the end: each guest not fail-stopped still passes its selftest. */
  checkLiveness(): Violation[] {
    const found: Violation[] = [];
    const { session } = this.fuzz;
    for (const guest of this.fuzz.guests) {
      if (this.isStopped(guest)) continue;
      const from = session.output(guest.domain).length;
      const answered = this.fuzz.type(guest.domain, 'selftest', BOOT_BUDGET);
      const out = session.output(guest.domain).slice(from);
      if (!answered || !out.includes('SELFTEST ok')) {
        found.push({ invariant: 'liveness', detail: `guest${guest.index} (not fail-stopped) failed its selftest: ${JSON.stringify(out.replace(LABOS_PROMPT, '').trim().slice(-160))}` });
      }
    }
    return found;
  }

  /** The monitor fail-stopped the guest's VM. */
  isFailStopped(guest: FuzzGuest): boolean {
    return (this.fuzz.monitor.inspectVm(guest.vm)?.failStopped ?? null) !== null;
  }

  /** The guest's vCPU or VM is gone (the VMM destroyed it) or fail-stopped: it owes no selftest. */
  isStopped(guest: FuzzGuest): boolean {
    const monitor = this.fuzz.monitor;
    return monitor.inspectVm(guest.vm) === null || monitor.auditVcpu(guest.vcpu) === null || this.isFailStopped(guest);
  }

  /** The real guests' frames and the monitor's, by label. */
  private protectedFrames(): [string, number[]][] {
    const { owners } = this.fuzz.launched;
    const sets: [string, number[]][] = this.fuzz.guests.map((g) => [`vm${g.vm}`, owners.framesOf(vmOwner(g.vm))]);
    sets.push(['monitor', owners.framesOf(MONITOR)]);
    return sets;
  }
}

/** Contiguous runs [first, count] of sorted frame numbers. */
function runs(frames: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const f of frames) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === f) last[1]++;
    else out.push([f, 1]);
  }
  return out;
}

/** True when `haystack` holds any LEAK_BYTES-long run of `secret`. */
export function containsLeak(haystack: Buffer, secret: Uint8Array): boolean {
  if (secret.length < LEAK_BYTES) return haystack.indexOf(Buffer.from(secret)) >= 0;
  for (let i = 0; i + LEAK_BYTES <= secret.length; i += LEAK_BYTES / 2) {
    if (haystack.indexOf(Buffer.from(secret.subarray(i, i + LEAK_BYTES))) >= 0) return true;
  }
  return false;
}

