// A bare-mode Hyp over real harts (one or more, run in turn), for the VMM end-to-end tests: the modelled HS layer.
// `run` loads a vCPU's context into the hart in VS-mode and executes until the guest traps to HS
// (ECALL, guest-page fault, virtual instruction...), the host quantum ends, or the modelled HS
// timer expires, then saves the context and decodes the trap into an Exit: SBI from a0..a7, MMIO
// from htinst's transformed load/store (priv 1.12, 8.6.3), pc moved past the instruction it emulates.
// The trap into HS is caught by pointing stvec at a store to a doorbell device that stops the hart.
import { Hart } from '../../../core/hw/cpu';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import type { MmioDevice } from '../../../core/hw/device';
import { PhysicalBus } from '../../../core/hw/memory/physical-bus';
import { Ram } from '../../../core/hw/memory/ram';
import type { DiskCompletion, DiskRequest, Exit, GuestControls, GuestRegChanges, GuestRegs, Hyp, TpmQuote } from '../../../core/sandbox/hyp';

const REG_NAMES = ['vsstatus', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval', 'vsatp'] as const;
const REG_SLOTS = [SLOT.VSSTATUS, SLOT.VSTVEC, SLOT.VSSCRATCH, SLOT.VSEPC, SLOT.VSCAUSE, SLOT.VSTVAL, SLOT.VSATP];
const ABI: Readonly<Record<string, number>> = { ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, fp: 8, s1: 9, a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17 };
/** VS interrupt enables live in mie's VS bits (hie), which the guest writes as sie. */
const VS_IRQS = (1 << 2) | (1 << 6) | (1 << 10);
const MEDELEG = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13, 15, 20, 21, 22, 23].reduce((m, b) => m | (1 << b), 0);
const MIDELEG = [1, 2, 5, 6, 9, 10, 12].reduce((m, b) => m | (1 << b), 0);
const DOORBELL_STORE = 0x0000_2023; // sw zero, 0(zero)
const HSTATUS_VTW = 1 << 21;
const WFI = 0x1050_0073;

interface Vcpu {
  regs: Int32Array;
  pc: number;
  vs: number[];
  vsie: number;
  controls: GuestControls;
}

export class HartHyp implements Hyp {
  /** The hart the VMM is running on (the host sets it before each vmmHart call). */
  hartId = 0;
  readonly harts: number;
  private readonly hartList: Hart[] = [];
  readonly ram: Ram;
  readonly bus: PhysicalBus;
  get hart(): Hart {
    const h = this.hartList[this.hartId];
    if (h === undefined) throw new Error(`no hart ${this.hartId}`);
    return h;
  }
  elapsed = 0;
  readonly instructionsPerTick = 100;
  /** Each hart's modelled HS timer deadline. */
  private readonly deadlines: number[];
  private get deadline(): number {
    return this.deadlines[this.hartId] ?? Number.MAX_SAFE_INTEGER;
  }
  private readonly vcpus = new Map<number, Vcpu>();
  private nextId = 1;
  private readonly diskBytes: Uint8Array;
  private readonly queue: { tag: number; req: DiskRequest }[] = [];
  private nextTag = 1;
  readonly out: number[] = [];

  constructor(ramSize: number, diskSectors: number, readonly quantum = 20_000, harts = 1) {
    this.ram = new Ram(0x8000_0000, ramSize);
    this.bus = new PhysicalBus(this.ram);
    this.harts = harts;
    this.deadlines = new Array<number>(harts).fill(Number.MAX_SAFE_INTEGER);
    const doorbell: MmioDevice = { name: 'hs-doorbell', size: 4, read: () => 0, write: () => void (this.hart.stop = true), reset: () => undefined };
    this.bus.addDevice(0, doorbell);
    this.bus.writeBytes(this.ram.base, new Uint8Array(new Uint32Array([DOORBELL_STORE]).buffer));
    this.diskBytes = new Uint8Array(diskSectors * 512);
    for (let i = 0; i < harts; i++) {
      const h = new Hart(i, this.bus, { now: () => Math.floor(this.elapsed / this.instructionsPerTick) });
      const c = h.csr;
      c[SLOT.MEDELEG] = MEDELEG;
      c[SLOT.MIDELEG] = MIDELEG;
      c[SLOT.MCOUNTEREN] = 7;
      c[SLOT.STVEC] = this.ram.base;
      c[SLOT.HSTATUS] = HSTATUS_VTW;
      h.pmp.writeAddr(0, -1);
      h.pmp.writeCfg(0, 0x1f);
      this.hartList.push(h);
    }
  }

  readonly mem = {
    read: (pa: number, len: number): Uint8Array => this.bus.readBytes(pa, len),
    write: (pa: number, bytes: Uint8Array): void => this.bus.writeBytes(pa, bytes),
    read32: (pa: number): number => new DataView(this.bus.readBytes(pa, 4).buffer).getUint32(0, true),
    write32: (pa: number, v: number): void => this.bus.writeBytes(pa, new Uint8Array(new Uint32Array([v >>> 0]).buffer)),
  };

  private get(id: number): Vcpu {
    const v = this.vcpus.get(id);
    if (v === undefined) throw new Error(`no vCPU ${id}`);
    return v;
  }

  readonly vcpu = {
    create: (): number => {
      const id = this.nextId++;
      this.vcpus.set(id, { regs: new Int32Array(32), pc: 0, vs: REG_NAMES.map(() => 0), vsie: 0, controls: { hgatp: 0, hedeleg: 0, hideleg: 0, hcounteren: 0, htimedelta: 0, hvip: 0 } });
      return id;
    },
    destroy: (id: number): void => void this.vcpus.delete(id),
    regs: (id: number): GuestRegs => {
      const v = this.get(id);
      const r: Record<string, number> = { pc: v.pc, vsie: v.vsie, vsip: v.controls.hvip };
      for (let i = 1; i < 32; i++) r[`x${i}`] = (v.regs[i] ?? 0) >>> 0;
      REG_NAMES.forEach((n, i) => (r[n] = (v.vs[i] ?? 0) >>> 0));
      return r as unknown as GuestRegs;
    },
    setRegs: (id: number, changes: GuestRegChanges): void => {
      for (const [k, val] of Object.entries(changes)) if (val !== undefined) this.vcpu.setReg(id, k, val);
    },
    setReg: (id: number, reg: string | number, value: number): void => {
      const v = this.get(id);
      const n = typeof reg === 'number' ? reg : ABI[reg] ?? (/^x\d+$/.test(reg) ? Number(reg.slice(1)) : -1);
      if (reg === 'pc') v.pc = value >>> 0;
      else if (reg === 'vsie') v.vsie = value >>> 0;
      else if (typeof reg === 'string' && (REG_NAMES as readonly string[]).includes(reg)) v.vs[REG_NAMES.indexOf(reg as (typeof REG_NAMES)[number])] = value | 0;
      else if (n >= 1 && n < 32) v.regs[n] = value | 0;
      else throw new Error(`no register ${String(reg)}`);
    },
    controls: (id: number): GuestControls => ({ ...this.get(id).controls }),
    setControls: (id: number, changes: Partial<GuestControls>): void => void Object.assign(this.get(id).controls, changes),
    run: (id: number): Exit => this.enter(this.get(id)),
  };

  private load(v: Vcpu): void {
    const h = this.hart;
    const c = h.csr;
    h.x.set(v.regs);
    h.x[0] = 0;
    h.pc = v.pc | 0;
    REG_SLOTS.forEach((s, i) => (c[s] = v.vs[i] ?? 0));
    c[SLOT.MIE] = ((c[SLOT.MIE] ?? 0) & ~VS_IRQS) | (v.vsie & VS_IRQS);
    c[SLOT.HGATP] = v.controls.hgatp | 0;
    c[SLOT.HEDELEG] = v.controls.hedeleg | 0;
    c[SLOT.HIDELEG] = v.controls.hideleg | 0;
    c[SLOT.HCOUNTEREN] = v.controls.hcounteren | 0;
    c[SLOT.HVIP] = v.controls.hvip | 0;
    c[SLOT.HTIMEDELTA] = v.controls.htimedelta % 0x1_0000_0000 | 0;
    c[SLOT.HTIMEDELTAH] = Math.floor(v.controls.htimedelta / 0x1_0000_0000) | 0;
    h.priv = 1;
    h.virt = 1;
    h.waiting = false;
    h.contextChanged();
  }

  private save(v: Vcpu): void {
    const c = this.hart.csr;
    v.regs.set(this.hart.x.subarray(0, 32));
    REG_SLOTS.forEach((s, i) => (v.vs[i] = c[s] ?? 0));
    v.vsie = (c[SLOT.MIE] ?? 0) & VS_IRQS;
    v.controls.hvip = (c[SLOT.HVIP] ?? 0) >>> 0;
  }

  private enter(v: Vcpu): Exit {
    this.load(v);
    let left = this.quantum;
    while (left > 0) {
      const now = this.timer.now();
      if (now >= this.deadline) return this.leave(v, { kind: 'interrupt', cause: 5 });
      const chunk = Math.min(left, Math.max(1, (this.deadline - now) * this.instructionsPerTick), 5000);
      const n = this.hart.run(chunk);
      this.elapsed += Math.max(n, this.hart.waiting ? chunk : 0);
      left -= Math.max(n, 1);
      if (this.hart.virt === 0) return this.trapped(v);
      if (this.hart.waiting) return this.leave(v, { kind: 'wfi' });
    }
    return this.leave(v, { kind: 'quantum' });
  }

  private leave(v: Vcpu, exit: Exit): Exit {
    this.save(v);
    v.pc = this.hart.pc >>> 0;
    return exit;
  }

  /** Decodes a trap that reached HS (priv 1.12: scause, stval, htval, htinst). */
  private trapped(v: Vcpu): Exit {
    this.save(v);
    const c = this.hart.csr;
    const cause = (c[SLOT.SCAUSE] ?? 0) >>> 0;
    const sepc = (c[SLOT.SEPC] ?? 0) >>> 0;
    const tinst = (c[SLOT.HTINST] ?? 0) >>> 0;
    const gpa = ((c[SLOT.HTVAL] ?? 0) >>> 0) * 4 + (((c[SLOT.STVAL] ?? 0) >>> 0) & 3);
    const x = (i: number): number => (v.regs[i] ?? 0) >>> 0;
    v.pc = sepc;
    if (cause === 10) {
      v.pc = sepc + 4;
      return { kind: 'sbi', ext: x(17), fid: x(16), args: [x(10), x(11), x(12), x(13), x(14), x(15), x(16), x(17)] };
    }
    if ((cause === 21 || cause === 23) && tinst !== 0) {
      const f3 = (tinst >>> 12) & 7;
      const width = (1 << (f3 & 3)) as 1 | 2 | 4;
      v.pc = sepc + ((tinst & 2) !== 0 ? 4 : 2);
      if ((tinst & 0x7f) === 0x03) return { kind: 'mmio-load', gpa, width, signed: (f3 & 4) === 0 && width !== 4, rd: (tinst >>> 7) & 31 };
      if ((tinst & 0x7f) === 0x23) return { kind: 'mmio-store', gpa, width, value: x((tinst >>> 20) & 31) };
    }
    if (cause === 20 || cause === 21 || cause === 23) return { kind: 'guest-page-fault', gpa, access: cause === 20 ? 'fetch' : cause === 21 ? 'load' : 'store' };
    if (cause === 22) {
      const insn = (c[SLOT.STVAL] ?? 0) >>> 0;
      if (insn === WFI) {
        v.pc = sepc + 4;
        return { kind: 'wfi' };
      }
      return { kind: 'virtual-instruction', insn };
    }
    return { kind: 'other', scause: cause, stval: (c[SLOT.STVAL] ?? 0) >>> 0, htval: (c[SLOT.HTVAL] ?? 0) >>> 0, htinst: tinst };
  }

  readonly fence = {
    // Local to the current hart, as HFENCE is.
    gvma: (): void => this.hart.flushTlb(),
    vvma: (): void => this.hart.flushTlb(),
  };

  readonly timer = {
    now: (): number => Math.floor(this.elapsed / this.instructionsPerTick),
    set: (deadline: number): void => void (this.deadlines[this.hartId] = deadline),
  };

  /** Every hart idles: time jumps to the earliest HS timer deadline, as the board does. */
  idle(): boolean {
    const next = Math.min(...this.deadlines);
    if (next >= Number.MAX_SAFE_INTEGER) return false;
    this.elapsed = Math.max(this.elapsed, next * this.instructionsPerTick);
    return true;
  }

  readonly ipis: number[] = [];

  /** Harts are run in turn by the test, so an IPI only needs recording. */
  ipi(mask: number): void {
    this.ipis.push(mask);
  }

  readonly disk = {
    sectors: (): number => this.diskBytes.length / 512,
    submit: (req: DiskRequest): number => {
      this.queue.push({ tag: this.nextTag, req });
      return this.nextTag++;
    },
    poll: (): DiskCompletion[] => this.queue.splice(0).map(({ tag, req }) => {
      const at = req.sector * 512;
      const n = req.count * 512;
      if (req.op === 'read') this.mem.write(req.pa, this.diskBytes.subarray(at, at + n));
      else if (req.op === 'write') this.diskBytes.set(this.mem.read(req.pa, n), at);
      return { tag, status: 'ok' as const };
    }),
  };

  readonly console = { write: (b: Uint8Array): void => void this.out.push(...b), read: (): Uint8Array => new Uint8Array(0) };

  readonly tpm = {
    pcrRead: (): Uint8Array => new Uint8Array(32),
    pcrExtend: (): void => undefined,
    quote: (): TpmQuote => {
      throw new Error('no TPM in the end-to-end test host');
    },
    random: (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 151 + 7) & 0xff),
    counterRead: (): number => 0,
    counterIncrement: (): number => 1,
  };
}
