// Acts as the malicious VMM from the lab side: each fuzz operation becomes calls on the monitor's
// hypervisor interface (host.monitor: exactly what the VMM's engine is given), between host rounds
// in which the real VMM keeps scheduling the guests. The checker judges every step from the
// trusted side: accesses that succeeded, bytes obtained, registers before and after, DMA digests.
import { leafIndex, ptePa, rootIndex } from '../../cloudvisor/gstage-format';
import { PTE } from '../../spec/riscv-priv';
import type { GuestRegName, GuestRegs } from '../../sandbox/hyp';
import { exitRights, canonicalReg } from '../../cloudvisor/vcpu-guard';
import type { FuzzHost } from './fuzz-host';
import type { FuzzOp } from './fuzz-op';
import type { InvariantChecker, Violation } from './invariant-checker';
import { OpResolver, type ResolvedOp } from './op-resolver';

export interface StepResult {
  /** What the monitor did with the operation ('ok', or the refusal it raised). */
  readonly outcome: string;
  readonly violations: readonly Violation[];
}

const SPAWN_QUANTUM = 20_000;
const ROUND_COMMANDS = ['uptime', 'secret where', 'secret'];
const ROUND_BUDGET = 60_000_000;

export class DirectExecutor {
  private readonly resolver: OpResolver;
  private readonly spawned: number[] = [];
  private rounds = 0;

  constructor(
    private readonly fuzz: FuzzHost,
    private readonly checker: InvariantChecker,
  ) {
    this.resolver = new OpResolver(fuzz);
  }

  /** Runs one operation, then checks every state invariant. */
  step(op: FuzzOp): StepResult {
    const found: Violation[] = [];
    let outcome = 'ok';
    try {
      this.execute(this.resolver.resolve(op), found);
    } catch (error) {
      outcome = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    found.push(...this.checker.checkState());
    return { outcome, violations: found };
  }

  private get mon(): FuzzHost['monitor'] {
    return this.fuzz.monitor;
  }

  private execute(op: ResolvedOp, found: Violation[]): void {
    switch (op.op) {
      case 'map':
        if (op.superpage) return this.write32(op.rootPa + rootIndex(op.gpa) * 4, op.pte, found);
        return this.map(op.rootPa, op.gpa, op.pte, op.spareTablePa, found);
      case 'fence':
        return this.mon.fence.gvma(op.vmid ?? undefined);
      case 'read': {
        const bytes = this.mon.mem.read(op.pa, op.length);
        found.push(...this.checker.checkAccess(op.pa, op.length, 'load'), ...this.checker.checkObtained('hyp.mem.read', bytes));
        return;
      }
      case 'write':
        return this.write32(op.pa, op.value, found);
      case 'dma':
        return this.dma(op.direction, op.pa, op.sector, op.count, found);
      case 'set-regs':
        return this.setRegs(op.vcpu, op.changes, found);
      case 'set-controls':
        return this.guardRegs(op.vcpu, found, op.hvip !== null, () => {
          this.mon.vcpu.setControls(op.vcpu, { ...(op.hgatp === null ? {} : { hgatp: op.hgatp }), ...(op.hvip === null ? {} : { hvip: op.hvip }) });
        });
      case 'peek-regs': {
        const view = this.mon.vcpu.regs(op.vcpu);
        const exit = this.mon.auditVcpu(op.vcpu)?.lastExit ?? null;
        found.push(...this.checker.checkRegsView(op.vcpu, exit, view), ...this.checker.checkObtained('hyp.vcpu.regs', regBytes(view)));
        return;
      }
      case 'spawn': {
        const id = this.mon.vcpu.create();
        this.spawned.push(id);
        this.mon.vcpu.setControls(id, { hgatp: op.hgatp });
        this.mon.vcpu.setRegs(id, canonical({ pc: op.pc, ...op.regs }));
        return;
      }
      case 'run-spawned':
        return this.runSpawned(op.index);
      case 'destroy-spawned': {
        const id = this.spawned[op.index % Math.max(this.spawned.length, 1)];
        if (id === undefined) return;
        this.spawned.splice(this.spawned.indexOf(id), 1);
        return this.mon.vcpu.destroy(id);
      }
      case 'destroy-guest':
        return this.mon.vcpu.destroy(op.vcpu);
      case 'rounds':
        return this.letVmmRun(op.count);
    }
  }

  /** The VMM's own table walk: a missing leaf table is made from a spare VMM frame. */
  private map(rootPa: number, gpa: number, pte: number, spareTablePa: number, found: Violation[]): void {
    const entryPa = rootPa + rootIndex(gpa) * 4;
    let entry = this.read32(entryPa, found);
    if ((entry & PTE.V) === 0) {
      entry = (((spareTablePa / 4096) << 10) | PTE.V) >>> 0;
      this.write32(entryPa, entry, found);
    }
    this.write32(ptePa(entry) + leafIndex(gpa) * 4, pte, found);
  }

  private read32(pa: number, found: Violation[]): number {
    const value = this.mon.mem.read32(pa);
    found.push(...this.checker.checkAccess(pa, 4, 'load'));
    return value;
  }

  private write32(pa: number, value: number, found: Violation[]): void {
    this.mon.mem.write32(pa, value);
    found.push(...this.checker.checkAccess(pa, 4, 'store'));
  }

  /** One host-disk request, completed at once; no guest or monitor frame may change. */
  private dma(direction: 'to-memory' | 'from-memory', pa: number, sector: number, count: number, found: Violation[]): void {
    const before = this.checker.protectedDigest();
    let status = 'not submitted';
    try {
      const tag = this.mon.disk.submit({ op: direction === 'to-memory' ? 'read' : 'write', sector, count, pa });
      status = this.mon.disk.poll().find((c) => c.tag === tag)?.status ?? 'pending';
    } finally {
      found.push(...this.checker.compareDigest(before, `DMA ${direction} at 0x${pa.toString(16)}`));
      found.push(...this.checker.checkDma(pa, count * 512, direction, status));
    }
    if (status !== 'ok') throw new Error(`DMA ${status}`);
  }

  /**
   * Register changes the exit allows (SBI results, an MMIO load's rd) are the VMM's to make and
   * their effect on the guest is the guest's business (Iago): only the others are tried here.
   */
  private setRegs(vcpu: number, changes: Readonly<Record<string, number>>, found: Violation[]): void {
    const writable = exitRights(this.mon.auditVcpu(vcpu)?.lastExit ?? null).writable;
    const forbidden = Object.fromEntries(
      Object.entries(changes)
        .map(([name, value]) => [canonicalReg(name) ?? name, value] as const)
        .filter(([name]) => !writable.has(name as GuestRegName)),
    );
    if (Object.keys(forbidden).length === 0) return;
    this.guardRegs(vcpu, found, false, () => this.mon.vcpu.setRegs(vcpu, forbidden as Partial<GuestRegs>));
  }

  /** Runs `action` and checks the guest's real registers changed only as its last exit allows. */
  private guardRegs(vcpu: number, found: Violation[], injects: boolean, action: () => void): void {
    const exit = this.mon.auditVcpu(vcpu)?.lastExit ?? null;
    const before = this.fuzz.host.hyp.vcpu.regs(vcpu);
    try {
      action();
    } finally {
      found.push(...this.checker.checkRegisterChange(vcpu, exit, before, this.fuzz.host.hyp.vcpu.regs(vcpu), injects));
    }
  }

  private runSpawned(index: number): void {
    const id = this.spawned[index % Math.max(this.spawned.length, 1)];
    if (id === undefined) return;
    const hyp = this.fuzz.host.hyp;
    const hart = index % hyp.harts;
    hyp.hartId = hart;
    hyp.quantumLeft[hart] = SPAWN_QUANTUM;
    this.mon.vcpu.run(id);
  }

  /** The real VMM schedules the guests while one types a command (real exits: SBI, timers, console). */
  private letVmmRun(count: number): void {
    for (let i = 0; i < count; i++) {
      const live = this.fuzz.guests.filter((g) => !this.checker.isStopped(g));
      const guest = live[this.rounds % Math.max(live.length, 1)];
      const line = ROUND_COMMANDS[this.rounds % ROUND_COMMANDS.length] ?? 'help';
      this.rounds++;
      if (guest) this.fuzz.type(guest.domain, line, ROUND_BUDGET);
      else this.fuzz.host.run(100_000);
    }
  }
}

/** The 41 registers as little-endian bytes, in interface order (for the leak check). */
function regBytes(regs: GuestRegs): Uint8Array {
  const values = Object.values(regs);
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeUInt32LE(v >>> 0, i * 4));
  return bytes;
}

/** ABI names as the architectural ones the backend takes (the engine's binding does the same). */
function canonical(changes: Readonly<Record<string, number>>): Partial<GuestRegs> {
  return Object.fromEntries(Object.entries(changes).map(([name, value]) => [canonicalReg(name) ?? name, value])) as Partial<GuestRegs>;
}
