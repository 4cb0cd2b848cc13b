// The VMM: owns the frame pool, the host disk driver, volumes, domains, the scheduler and the
// hook registry, and runs one hart's share of guest time per `hart()` call: pick a vCPU, inject
// its pending interrupts through hvip, enter it with hyp.vcpu.run, handle exits until the host
// quantum ends or nothing is runnable. Invariants: no state is shared with the host except
// through the Hyp; every guest-visible effect of an exit is applied before the next run.
import type { Hyp, LabChannel } from '../sandbox/hyp';
import type { Domain } from './domain';
import { startVcpu } from './domain-builder';
import { crash, handleExit, EXIT_CONTINUE, EXIT_QUANTUM, EXIT_YIELD } from './exit-handler';
import { FrameAllocator } from './frame-allocator';
import { HookRegistry } from './hook-registry';
import { HostDiskDriver } from './host-disk-driver';
import { HVIP, PAGE_SIZE } from '../spec/riscv-priv';
import { NEVER, Scheduler } from './scheduler';
import { defineVmmFunctions, type VmmFunctionTable } from './vmm-functions';
import type { VirtualCpu } from './virtual-cpu';
import { VolumeStore } from './volume-store';
import { validateVmmConfig, type VmmConfig } from './vmm-config';

/** Bits of `hart()`'s result. */
export const HART_RESULT = {
  /** A vCPU ran on this hart during the call. */
  RAN: 1,
  /** Nothing is runnable: the hart may idle until an interrupt (timer set to the next deadline). */
  IDLE: 2,
  /** Console output or events are waiting: call `drain()`. */
  OUTPUT: 4,
} as const;

/** Bounds one call's work even if a guest exits without ever consuming the host quantum. */
const MAX_EXITS_PER_CALL = 20_000;
const DMESG_LINES = 1000;

export interface VmmEvent {
  readonly kind: 'created' | 'destroyed' | 'crashed' | 'shutdown' | 'reboot' | 'paused' | 'unpaused' | 'patch-fault';
  readonly domain: number;
  readonly detail: string;
}

export class Vmm {
  readonly config: VmmConfig;
  readonly frames: FrameAllocator;
  readonly disk: HostDiskDriver;
  readonly volumes: VolumeStore;
  readonly domains = new Map<number, Domain>();
  readonly files = new Map<string, Uint8Array>();
  readonly registry: HookRegistry;
  readonly fns: VmmFunctionTable;
  readonly scheduler: Scheduler;
  readonly dmesg: string[] = [];
  events: VmmEvent[] = [];
  nextDomainId = 1;
  currentHart = -1;
  private readonly hartTimer: number[];

  constructor(readonly hyp: Hyp, readonly lab: LabChannel, config: VmmConfig) {
    this.config = validateVmmConfig(config);
    const c = this.config;
    this.frames = new FrameAllocator(c.ramBase + c.vmmReservedBytes, c.ramSize - c.vmmReservedBytes, c.ramZeroed);
    this.disk = new HostDiskDriver(hyp, this.frames, c.bounceSlots, 64 * 1024, (e) => this.log(`disk completion failed: ${e instanceof Error ? e.message : String(e)}`));
    this.volumes = new VolumeStore(this.disk.sectors);
    this.registry = new HookRegistry((owner, where, error) => this.fault(owner, where, error));
    this.fns = defineVmmFunctions(this);
    this.scheduler = new Scheduler(
      { domain: (id) => this.domains.get(id), now: () => hyp.timer.now(), pick: (h, r) => this.fns.schedulerPick(h, r) },
      c.harts,
      c.sliceQuanta,
    );
    this.hartTimer = new Array<number>(c.harts).fill(-1);
    this.log(`vmm: ${c.harts} harts, ${this.frames.totalFrames * (PAGE_SIZE / 1024)} KiB pool, host disk ${this.disk.sectors} sectors`);
  }

  log(text: string): void {
    this.dmesg.push(text);
    if (this.dmesg.length > DMESG_LINES) this.dmesg.splice(0, this.dmesg.length - DMESG_LINES);
  }

  event(kind: VmmEvent['kind'], domain: number, detail: string): void {
    this.events.push({ kind, domain, detail });
    this.log(`dom${domain} ${kind}${detail === '' ? '' : `: ${detail}`}`);
    this.lab.log(`vmm: dom${domain} ${kind}${detail === '' ? '' : `: ${detail}`}`);
  }

  /** One host quantum of hart `hartId`; returns HART_RESULT bits. */
  hart(hartId: number): number {
    if (!Number.isInteger(hartId) || hartId < 0 || hartId >= this.config.harts) throw new Error(`no hart ${hartId}`);
    this.recoverInterruptedCall();
    this.currentHart = hartId;
    this.scheduler.idleMask &= ~(1 << hartId);
    this.disk.poll();
    let result = 0;
    let budget = MAX_EXITS_PER_CALL;
    try {
      while (budget > 0) {
        const v = this.scheduler.next(hartId);
        if (v === null) {
          this.goIdle(hartId);
          result |= HART_RESULT.IDLE;
          break;
        }
        result |= HART_RESULT.RAN;
        const outcome = this.runVcpu(v, hartId, budget);
        budget = outcome.budget;
        if (outcome.code === EXIT_QUANTUM) {
          this.scheduler.charge(hartId);
          break;
        }
        this.scheduler.release(hartId);
      }
    } finally {
      this.currentHart = -1;
    }
    return result | (this.hasOutput() ? HART_RESULT.OUTPUT : 0);
  }

  /**
   * The engine stops a call that runs away (a patch's endless hook) without running `finally`
   * blocks: a vCPU may still be marked running on the hart of that call. Nothing runs on a hart
   * between calls, so release it here; the interrupted exit is lost, as on a hypervisor that crashed mid-exit.
   */
  private recoverInterruptedCall(): void {
    const stale = this.currentHart;
    if (stale === -1) return;
    for (const d of this.domains.values()) {
      for (const v of d.vcpus) if (v.running && v.lastHart === stale) v.running = false;
    }
    this.scheduler.release(stale);
    this.currentHart = -1;
  }

  private runVcpu(v: VirtualCpu, hartId: number, budget: number): { code: number; budget: number } {
    const d = this.domains.get(v.domainId);
    if (d === undefined) return { code: EXIT_YIELD, budget };
    this.registry.emit('schedule', hartId, d.id, v.id);
    v.running = true;
    try {
      if (v.resume !== null) {
        startVcpu(this, v, v.resume.pc, v.resume.opaque);
        v.resume = null;
      }
      for (;;) {
        if (v.lastHart !== hartId) {
          // A vCPU arriving on a hart may meet stale VS and G-stage TLB entries of its VMID there.
          this.hyp.fence.vvma(d.vmid);
          this.hyp.fence.gvma(d.vmid);
          v.lastHart = hartId;
        }
        const code = this.step(v, d, hartId);
        budget--;
        if (code !== EXIT_CONTINUE || budget <= 0) return { code: budget <= 0 ? EXIT_QUANTUM : code, budget };
      }
    } finally {
      v.running = false;
    }
  }

  /**
   * One entry and exit. A hypervisor-interface call that fails (a refusal under the monitor, a
   * VMM bug on strange input) crashes this domain only, as Xen's domain_crash does.
   */
  private step(v: VirtualCpu, d: Domain, hartId: number): number {
    let kind = 'entry';
    try {
      this.inject(v, d, hartId);
      const exit = this.hyp.vcpu.run(v.id);
      kind = exit.kind;
      v.exits++;
      return handleExit(this, d, v, exit);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (this.domains.get(d.id) !== d) return EXIT_YIELD;
      return crash(this, d, `VMM failure at ${kind}: ${message}`);
    }
  }

  /** Brings hvip in line with the vCPU's pending VS timer, external and soft interrupts. */
  inject(v: VirtualCpu, d: Domain, hartId: number): void {
    let levels = 0;
    let timer = NEVER;
    if (v.deadline !== Number.POSITIVE_INFINITY) {
      if (this.hyp.timer.now() >= v.deadline) levels |= HVIP.VSTIP;
      // Deadlines past 2^53 (Linux's set_timer(-1) means "never") cannot be armed exactly.
      else timer = Math.min(v.deadline, NEVER);
    }
    if (this.hartTimer[hartId] !== timer) {
      // A passed deadline disarms the HS timer, or its pending STIP would exit the guest forever.
      this.hyp.timer.set(timer);
      this.hartTimer[hartId] = timer;
    }
    if (d.externalPending(v)) levels |= HVIP.VSEIP;
    if (levels === v.hvipLevels && !v.softPending) return;
    // VSSIP belongs to the guest once injected (it clears it through sip): keep what is there.
    const current = this.hyp.vcpu.controls(v.id).hvip;
    const soft = v.softPending ? HVIP.VSSIP : 0;
    this.hyp.vcpu.setControls(v.id, { hvip: ((current & HVIP.VSSIP) | soft | levels) >>> 0 });
    v.hvipLevels = levels;
    v.softPending = false;
  }

  private goIdle(hartId: number): void {
    this.scheduler.release(hartId);
    this.scheduler.idleMask |= 1 << hartId;
    const wake = this.scheduler.earliestDeadline();
    if (this.hartTimer[hartId] !== wake) {
      this.hyp.timer.set(wake);
      this.hartTimer[hartId] = wake;
    }
  }

  /** A vCPU became runnable or got an interrupt: wake idle harts other than this one. */
  kick(): void {
    const others = this.scheduler.idleMask & ~(this.currentHart >= 0 ? 1 << this.currentHart : 0);
    if (others === 0) return;
    this.scheduler.idleMask &= ~others;
    this.hyp.ipi(others);
  }

  refreshSchedule(): void {
    const all: VirtualCpu[] = [];
    for (const d of [...this.domains.values()].sort((a, b) => a.id - b.id)) all.push(...d.vcpus);
    this.scheduler.setVcpus(all);
  }

  hasOutput(): boolean {
    if (this.events.length > 0) return true;
    for (const d of this.domains.values()) if (d.pendingOutput.length > 0) return true;
    return false;
  }

  /** Console output per domain (through 'console.flush') and events since the last drain. */
  drain(): { console: { domain: number; bytes: Uint8Array }[]; events: VmmEvent[] } {
    const out: { domain: number; bytes: Uint8Array }[] = [];
    for (const d of this.domains.values()) {
      if (d.pendingOutput.length === 0) continue;
      const bytes = new Uint8Array(d.pendingOutput);
      d.pendingOutput = [];
      out.push({ domain: d.id, bytes: this.fns.consoleFlush(d.id, bytes) });
    }
    const events = this.events;
    this.events = [];
    return { console: out, events };
  }

  /** Bytes typed at a guest console; returns how many the UART accepted. */
  consoleInput(domain: number, bytes: Uint8Array): number {
    const n = this.fns.consoleInput(domain, bytes);
    this.kick();
    return n;
  }

  /** A patch's listener or wrapper threw (outside the engine's own guards): record it. */
  private fault(owner: string, where: string, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.event('patch-fault', 0, `${owner} in ${where}: ${message}`);
  }
}
