// A small but real implementation of the hypervisor interface for the VMM's unit tests:
// physical memory is a byte array, the host disk is a byte array with a DMA request queue,
// timers and fences are recorded. A vCPU's "guest" is a function the test supplies that
// returns the next exit, so tests drive the VMM exactly as the hart would.
// Contract kept as the real Hyp's: pc advances past ECALL, MMIO accesses and WFI before the exit.
import { createHash } from 'node:crypto';
import type {
  DiskCompletion, DiskRequest, Exit, GuestControls, GuestRegChanges, GuestRegName, GuestRegs, Hyp, TpmQuote,
} from '../../../core/sandbox/hyp';

export type GuestScript = (vcpu: number, hyp: MemoryHyp) => Exit;

const GPR_ABI: Readonly<Record<string, number>> = {
  ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, fp: 8, s1: 9, a0: 10, a1: 11, a2: 12, a3: 13,
  a4: 14, a5: 15, a6: 16, a7: 17, s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23, s8: 24, s9: 25,
  s10: 26, s11: 27, t3: 28, t4: 29, t5: 30, t6: 31,
};

function freshRegs(): GuestRegs {
  const r: Record<string, number> = { pc: 0, vsstatus: 0, vsie: 0, vstvec: 0, vsscratch: 0, vsepc: 0, vscause: 0, vstval: 0, vsip: 0, vsatp: 0 };
  for (let i = 1; i < 32; i++) r[`x${i}`] = 0;
  return r as unknown as GuestRegs;
}

export class HypFault extends Error {
  override readonly name = 'HypFault';
  constructor(readonly pa: number) {
    super(`access fault at 0x${pa.toString(16)}`);
  }
}

export interface MemoryHypOptions {
  ramBase?: number;
  ramSize?: number;
  harts?: number;
  diskSectors?: number;
}

export class MemoryHyp implements Hyp {
  hartId = 0;
  readonly harts: number;
  readonly ramBase: number;
  readonly ram: Uint8Array;
  readonly diskBytes: Uint8Array;
  readonly vcpus = new Map<number, { regs: GuestRegs; controls: GuestControls; script: GuestScript | null }>();
  readonly fences: { vmid?: number; gpa?: number }[] = [];
  readonly timerDeadlines = new Map<number, number>();
  readonly ipis: number[] = [];
  readonly consoleOut: number[] = [];
  consoleIn: number[] = [];
  time = 0;
  private nextVcpu = 1;
  private readonly queue: { tag: number; req: DiskRequest }[] = [];
  private nextTag = 1;
  private readonly counters: number[] = [];
  private readonly pcrs = Array.from({ length: 24 }, () => new Uint8Array(32));

  constructor(options: MemoryHypOptions = {}) {
    this.ramBase = options.ramBase ?? 0x8000_0000;
    this.ram = new Uint8Array(options.ramSize ?? 16 * 1024 * 1024);
    this.harts = options.harts ?? 1;
    this.diskBytes = new Uint8Array((options.diskSectors ?? 2048) * 512);
  }

  /** Frames (PA >> 12) that fault as the monitor refuses a VM's frames to the VMM. */
  readonly refused = new Set<number>();

  private at(pa: number, len: number): number {
    const off = pa - this.ramBase;
    if (off < 0 || off + len > this.ram.length || len < 0) throw new HypFault(pa);
    for (let f = Math.floor(pa / 4096); f <= Math.floor((pa + Math.max(len, 1) - 1) / 4096); f++) if (this.refused.has(f)) throw new HypFault(pa);
    return off;
  }

  readonly mem = {
    read: (pa: number, len: number): Uint8Array => this.ram.slice(this.at(pa, len), this.at(pa, len) + len),
    write: (pa: number, bytes: Uint8Array): void => this.ram.set(bytes, this.at(pa, bytes.length)),
    read32: (pa: number): number => new DataView(this.ram.buffer).getUint32(this.at(pa, 4), true),
    write32: (pa: number, value: number): void => new DataView(this.ram.buffer).setUint32(this.at(pa, 4), value >>> 0, true),
  };

  private block(id: number): { regs: GuestRegs; controls: GuestControls; script: GuestScript | null } {
    const b = this.vcpus.get(id);
    if (b === undefined) throw new Error(`no vCPU ${id}`);
    return b;
  }

  readonly vcpu = {
    create: (): number => {
      const id = this.nextVcpu++;
      this.vcpus.set(id, { regs: freshRegs(), controls: { hgatp: 0, hedeleg: 0, hideleg: 0, hcounteren: 0, htimedelta: 0, hvip: 0 }, script: null });
      return id;
    },
    destroy: (id: number): void => {
      this.block(id);
      this.vcpus.delete(id);
    },
    regs: (id: number): GuestRegs => ({ ...this.block(id).regs }),
    setRegs: (id: number, changes: GuestRegChanges): void => {
      for (const [k, v] of Object.entries(changes)) if (v !== undefined) this.vcpu.setReg(id, k as GuestRegName, v);
    },
    setReg: (id: number, reg: string | number, value: number): void => {
      const regs = this.block(id).regs as unknown as Record<string, number>;
      const name = typeof reg === 'number' ? `x${reg}` : GPR_ABI[reg] !== undefined ? `x${GPR_ABI[reg]}` : reg;
      if (!(name in regs)) throw new Error(`no register ${String(reg)}`);
      regs[name] = value >>> 0;
    },
    controls: (id: number): GuestControls => ({ ...this.block(id).controls }),
    setControls: (id: number, changes: Partial<GuestControls>): void => {
      Object.assign(this.block(id).controls, changes);
    },
    run: (id: number): Exit => {
      const b = this.block(id);
      if (b.script === null) return { kind: 'quantum' };
      const exit = b.script(id, this);
      if (exit.kind === 'sbi' || exit.kind === 'mmio-load' || exit.kind === 'mmio-store' || exit.kind === 'wfi') {
        b.regs.pc = (b.regs.pc + 4) >>> 0;
      }
      return exit;
    },
  };

  /** Installs the guest behaviour of a vCPU. */
  script(id: number, script: GuestScript): void {
    this.block(id).script = script;
  }

  readonly fence = {
    gvma: (vmid?: number, gpa?: number): void => {
      const f: { vmid?: number; gpa?: number } = {};
      if (vmid !== undefined) f.vmid = vmid;
      if (gpa !== undefined) f.gpa = gpa;
      this.fences.push(f);
    },
    vvma: (): void => undefined,
  };

  readonly timer = {
    now: (): number => this.time,
    set: (deadline: number): void => {
      this.timerDeadlines.set(this.hartId, deadline);
    },
  };

  ipi(mask: number): void {
    this.ipis.push(mask);
  }

  readonly disk = {
    sectors: (): number => this.diskBytes.length / 512,
    submit: (req: DiskRequest): number => {
      const tag = this.nextTag++;
      this.queue.push({ tag, req });
      return tag;
    },
    poll: (): DiskCompletion[] => this.queue.splice(0).map(({ tag, req }) => ({ tag, status: this.perform(req) })),
  };

  /** Performs a request's DMA (the disk controller's side), as the real device does. */
  private perform(req: DiskRequest): DiskCompletion['status'] {
    if (req.op === 'flush') return 'ok';
    const bytes = req.count * 512;
    if ((req.sector + req.count) * 512 > this.diskBytes.length) return 'io-error';
    try {
      if (req.op === 'read') this.mem.write(req.pa, this.diskBytes.subarray(req.sector * 512, req.sector * 512 + bytes));
      else this.diskBytes.set(this.mem.read(req.pa, bytes), req.sector * 512);
      return 'ok';
    } catch {
      return 'dma-fault';
    }
  }

  get pendingDisk(): number {
    return this.queue.length;
  }

  readonly console = {
    write: (bytes: Uint8Array): void => {
      this.consoleOut.push(...bytes);
    },
    read: (max: number): Uint8Array => new Uint8Array(this.consoleIn.splice(0, max)),
  };

  readonly tpm = {
    pcrRead: (index: number): Uint8Array => (this.pcrs[index] ?? new Uint8Array(32)).slice(),
    pcrExtend: (index: number, digest: Uint8Array): void => {
      this.pcrs[index] = createHash('sha256').update(this.pcrs[index] ?? new Uint8Array(32)).update(digest).digest();
    },
    quote: (): TpmQuote => {
      throw new Error('MemoryHyp has no attestation key: quotes are not part of the VMM unit tests');
    },
    random: (length: number): Uint8Array => createHash('sha256').update(String(length)).digest().subarray(0, length),
    counterRead: (index: number): number => this.counters[index] ?? 0,
    counterIncrement: (index: number): number => (this.counters[index] = (this.counters[index] ?? 0) + 1),
  };
}
