// vCPU scheduling across harts: one global round-robin queue over every vCPU of every running
// domain, a time slice of `sliceQuanta` host quanta, and wake-up of blocked vCPUs (WFI, HSM
// suspend) when an interrupt becomes pending for them. Invariants: a vCPU runs on at most one
// hart at a time; a blocked vCPU is never picked before it is woken; idle harts are remembered so
// a newly runnable vCPU can wake one with an IPI (as Xen's scheduler kicks idle pCPUs).
import type { Domain } from './domain';
import type { VcpuRef } from './patch-api';
import type { VirtualCpu } from './virtual-cpu';

export const NEVER = Number.MAX_SAFE_INTEGER;

export interface SchedulerHost {
  domain(id: number): Domain | undefined;
  now(): number;
  pick(hart: number, runnable: readonly VcpuRef[]): VcpuRef | null;
}

export class Scheduler {
  private order: VirtualCpu[] = [];
  private cursor = -1;
  private readonly current: (VirtualCpu | null)[];
  private readonly used: number[];
  idleMask = 0;

  constructor(private readonly host: SchedulerHost, harts: number, readonly sliceQuanta: number) {
    this.current = new Array<VirtualCpu | null>(harts).fill(null);
    this.used = new Array<number>(harts).fill(0);
  }

  /** Rebuilds the queue after a domain was created or destroyed. */
  setVcpus(all: readonly VirtualCpu[]): void {
    this.order = [...all];
    this.cursor = Math.min(this.cursor, this.order.length - 1);
    for (let h = 0; h < this.current.length; h++) {
      const c = this.current[h];
      if (c !== null && c !== undefined && !this.order.includes(c)) this.current[h] = null;
    }
  }

  /** Blocked vCPUs wake on a due timer, a pending external interrupt or a pending IPI. */
  wakeable(v: VirtualCpu, d: Domain, now: () => number): boolean {
    return v.softPending || d.externalPending(v) || (v.deadline !== Number.POSITIVE_INFINITY && now() >= v.deadline);
  }

  /** The vCPU this hart should run next, or null if nothing is runnable. */
  next(hart: number): VirtualCpu | null {
    const cur = this.current[hart] ?? null;
    if (cur !== null && (this.used[hart] ?? 0) < this.sliceQuanta && this.runnable(cur)) return cur;
    const refs: VcpuRef[] = [];
    const byRef = new Map<VcpuRef, VirtualCpu>();
    let time = -1;
    const now = (): number => (time >= 0 ? time : (time = this.host.now()));
    const n = this.order.length;
    for (let i = 1; i <= n; i++) {
      const v = this.order[(this.cursor + i + n) % n];
      if (v === undefined || !this.candidate(v, now)) continue;
      const ref = { domain: v.domainId, index: v.index, vcpu: v.id };
      refs.push(ref);
      byRef.set(ref, v);
    }
    const chosenRef = refs.length === 0 ? null : this.host.pick(hart, refs);
    const chosen = chosenRef === null ? null : (byRef.get(chosenRef) ?? this.find(chosenRef));
    if (chosen === null || !this.runnable(chosen)) return null;
    this.cursor = this.order.indexOf(chosen);
    this.current[hart] = chosen;
    this.used[hart] = 0;
    return chosen;
  }

  /** The hart's quantum ended with `v` still runnable. */
  charge(hart: number): void {
    this.used[hart] = (this.used[hart] ?? 0) + 1;
  }

  /** Forget `v` as the hart's current vCPU (it blocked, stopped or its domain went away). */
  release(hart: number): void {
    this.current[hart] = null;
  }

  /** Earliest SBI timer deadline among blocked vCPUs of running domains (the idle hart's wake-up). */
  earliestDeadline(): number {
    let t = NEVER;
    for (const v of this.order) {
      const d = this.host.domain(v.domainId);
      if (d !== undefined && d.state === 'running' && v.blocked && v.deadline < t) t = v.deadline;
    }
    return t;
  }

  /** The default policy: the first runnable vCPU after the cursor (round robin). */
  static roundRobin(_hart: number, runnable: readonly VcpuRef[]): VcpuRef | null {
    return runnable[0] ?? null;
  }

  private candidate(v: VirtualCpu, now: () => number): boolean {
    const d = this.host.domain(v.domainId);
    if (d === undefined || d.state !== 'running' || v.running || v.hsm === 'stopped' || d.setupPending > 0) return false;
    if (!v.blocked) return true;
    if (!this.wakeable(v, d, now)) return false;
    v.blocked = false;
    if (v.hsm === 'suspended') v.hsm = 'started';
    return true;
  }

  private runnable(v: VirtualCpu): boolean {
    const d = this.host.domain(v.domainId);
    return d !== undefined && d.state === 'running' && d.setupPending === 0 && !v.blocked && !v.running && v.hsm === 'started' && this.order.includes(v);
  }

  private find(ref: VcpuRef): VirtualCpu | null {
    return this.order.find((v) => v.domainId === ref.domain && v.index === ref.index) ?? null;
  }
}
