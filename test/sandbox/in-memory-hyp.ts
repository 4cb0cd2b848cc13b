// A small real hypervisor backend for the engine's tests: a byte array as physical memory, vCPU
// records whose `run` executes one modelled ECALL (returns an SBI exit built from a0..a7 and advances
// pc), a sector-array disk doing real DMA into that memory, a console, and a SHA-256 TPM. Frames in
// `refused` fault as a monitor would refuse them.
import { createHash, createHmac } from 'node:crypto';
import { HypFault, type HypBackend } from '../../core/sandbox/host-binding';
import type {
  DiskCompletion, DiskRequest, Exit, GuestControls, GuestRegs, TpmQuote, VcpuId,
} from '../../core/sandbox/hyp';
import { GUEST_REG_NAMES } from '../../core/sandbox/hyp-ops';

export const RAM_BASE = 0x8000_0000;

function zeroRegs(): GuestRegs {
  const regs: Record<string, number> = {};
  for (const name of GUEST_REG_NAMES) regs[name] = 0;
  return regs as unknown as GuestRegs;
}

function zeroControls(): GuestControls {
  return { hgatp: 0, hedeleg: 0, hideleg: 0, hcounteren: 0, htimedelta: 0, hvip: 0 };
}

export class InMemoryHyp implements HypBackend {
  readonly ram: Uint8Array;
  readonly refused = new Set<number>();
  readonly vcpus = new Map<VcpuId, { regs: GuestRegs; controls: GuestControls }>();
  readonly consoleOut: number[] = [];
  readonly consoleIn: number[] = [];
  readonly fences: string[] = [];
  readonly ipis: number[] = [];
  readonly sectors = new Map<number, Uint8Array>();
  readonly pcrs = Array.from({ length: 24 }, () => new Uint8Array(32));
  readonly counters = new Map<number, number>();
  hartId = 0;
  readonly harts = 2;
  private nextVcpu = 1;
  private time = 0;
  deadline = 0;
  private nextTag = 1;
  private completed: DiskCompletion[] = [];
  private randomCounter = 0;

  constructor(ramBytes = 1 << 20, readonly diskSectors = 64) {
    this.ram = new Uint8Array(ramBytes);
  }

  private offset(pa: number, len: number, access: 'load' | 'store'): number {
    const off = pa - RAM_BASE;
    if (off < 0 || off + len > this.ram.length) throw new HypFault(pa, access, 'no RAM there');
    for (let page = Math.floor(pa / 4096); page <= Math.floor((pa + Math.max(len, 1) - 1) / 4096); page++) {
      if (this.refused.has(page)) throw new HypFault(pa, access, 'frame owned by another domain');
    }
    return off;
  }

  readonly mem = {
    read: (pa: number, len: number): Uint8Array => {
      const off = this.offset(pa, len, 'load');
      return this.ram.subarray(off, off + len);
    },
    write: (pa: number, bytes: Uint8Array): void => {
      this.ram.set(bytes, this.offset(pa, bytes.length, 'store'));
    },
    read32: (pa: number): number => {
      const off = this.offset(pa, 4, 'load');
      return new DataView(this.ram.buffer).getUint32(off, true);
    },
    write32: (pa: number, value: number): void => {
      new DataView(this.ram.buffer).setUint32(this.offset(pa, 4, 'store'), value, true);
    },
  };

  private vcpuRecord(id: VcpuId): { regs: GuestRegs; controls: GuestControls } {
    const v = this.vcpus.get(id);
    if (v === undefined) throw new Error(`no vCPU ${id}`);
    return v;
  }

  readonly vcpu = {
    create: (): VcpuId => {
      const id = this.nextVcpu++;
      this.vcpus.set(id, { regs: zeroRegs(), controls: zeroControls() });
      return id;
    },
    destroy: (id: VcpuId): void => {
      this.vcpuRecord(id);
      this.vcpus.delete(id);
    },
    regs: (id: VcpuId): GuestRegs => ({ ...this.vcpuRecord(id).regs }),
    setRegs: (id: VcpuId, changes: Partial<GuestRegs>): void => {
      Object.assign(this.vcpuRecord(id).regs, changes);
    },
    controls: (id: VcpuId): GuestControls => ({ ...this.vcpuRecord(id).controls }),
    setControls: (id: VcpuId, changes: Partial<GuestControls>): void => {
      Object.assign(this.vcpuRecord(id).controls, changes);
    },
    /** The modelled guest executes ECALL at pc: an SBI exit from a0..a7, pc moves past it. */
    run: (id: VcpuId): Exit => {
      const r = this.vcpuRecord(id).regs;
      this.time += 100;
      if (r.x17 === 0xdead) return { kind: 'wfi' };
      r.pc = (r.pc + 4) >>> 0;
      return { kind: 'sbi', ext: r.x17, fid: r.x16, args: [r.x10, r.x11, r.x12, r.x13, r.x14, r.x15, r.x16, r.x17] };
    },
  };

  readonly fence = {
    gvma: (vmid?: number, gpa?: number): void => { this.fences.push(`gvma ${String(vmid)} ${String(gpa)}`); },
    vvma: (vmid: number, va?: number, asid?: number): void => { this.fences.push(`vvma ${vmid} ${String(va)} ${String(asid)}`); },
  };

  readonly timer = {
    now: (): number => this.time,
    set: (deadline: number): void => { this.deadline = deadline; },
  };

  ipi(mask: number): void {
    this.ipis.push(mask);
  }

  readonly disk = {
    sectors: (): number => this.diskSectors,
    submit: (req: DiskRequest): number => {
      const tag = this.nextTag++;
      let status: DiskCompletion['status'] = 'ok';
      if (req.sector + req.count > this.diskSectors) status = 'io-error';
      else {
        try {
          for (let i = 0; i < req.count; i++) {
            const pa = req.pa + i * 512;
            if (req.op === 'read') this.mem.write(pa, this.sectors.get(req.sector + i) ?? new Uint8Array(512));
            if (req.op === 'write') this.sectors.set(req.sector + i, this.mem.read(pa, 512).slice());
          }
        } catch (e) {
          if (!(e instanceof HypFault)) throw e;
          status = 'dma-fault';
        }
      }
      this.completed.push({ tag, status });
      return tag;
    },
    poll: (): DiskCompletion[] => {
      const out = this.completed;
      this.completed = [];
      return out;
    },
  };

  readonly console = {
    write: (bytes: Uint8Array): void => { this.consoleOut.push(...bytes); },
    read: (max: number): Uint8Array => Uint8Array.from(this.consoleIn.splice(0, max)),
  };

  readonly tpm = {
    pcrRead: (index: number): Uint8Array => this.pcr(index).slice(),
    pcrExtend: (index: number, digest: Uint8Array): void => {
      const pcr = this.pcr(index);
      pcr.set(createHash('sha256').update(pcr).update(digest).digest());
    },
    quote: (pcrMask: number, nonce: Uint8Array): TpmQuote => {
      const h = createHash('sha256');
      this.pcrs.forEach((p, i) => { if ((pcrMask >>> i) & 1) h.update(p); });
      const pcrDigest = new Uint8Array(h.digest());
      const signature = new Uint8Array(createHmac('sha256', 'test-aik').update(pcrDigest).update(nonce).digest());
      return { pcrMask, nonce: nonce.slice(), pcrDigest, signature };
    },
    random: (length: number): Uint8Array => {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = (this.randomCounter++ * 167 + 13) & 0xff;
      return out;
    },
    counterRead: (index: number): number => this.counters.get(index) ?? 0,
    counterIncrement: (index: number): number => {
      const v = (this.counters.get(index) ?? 0) + 1;
      this.counters.set(index, v);
      return v;
    },
  };

  private pcr(index: number): Uint8Array {
    const pcr = this.pcrs[index];
    if (pcr === undefined) throw new Error(`no PCR ${index}`);
    return pcr;
  }
}

/** A lab channel that records what it is told. */
export class RecordingLab {
  readonly exfiltrated: { label: string; bytes: Uint8Array }[] = [];
  readonly logs: string[] = [];
  exfiltrate(label: string, bytes: Uint8Array): void {
    this.exfiltrated.push({ label, bytes });
  }
  log(text: string): void {
    this.logs.push(text);
  }
}
