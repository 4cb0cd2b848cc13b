// A small but real bare backend for the monitor's unit tests: RAM is a ByteMemory, each vCPU runs
// a script of guest steps, and every guest memory access walks the Sv32x4 table the vCPU's hgatp
// names (priv 1.12, 9.5.1), as the hart would. An access the walk cannot translate traps with an
// mmio-*/guest-page-fault exit; ecall, mmio and wfi exits move pc past the instruction first.
import { HypCallError, HypFault, type HypBackend } from '../../../core/sandbox/host-binding';
import type { Exit, GuestControls, GuestRegs, VcpuId } from '../../../core/sandbox/hyp';
import { GUEST_REG_NAMES } from '../../../core/sandbox/hyp-ops';
import type { ByteMemory } from './byte-memory';

export type GuestStep =
  | { readonly op: 'load'; readonly gpa: number }
  | { readonly op: 'store'; readonly gpa: number; readonly value: number }
  | { readonly op: 'fetch'; readonly gpa: number }
  | { readonly op: 'ecall'; readonly ext: number; readonly fid: number; readonly args: readonly number[] };

/** Where every script's first step sits (the VMM sets pc there before the first run). */
export const CODE_GPA = 0x1000;

interface ScriptedVcpu {
  regs: GuestRegs;
  controls: GuestControls;
  steps: GuestStep[];
  /** Values the guest loaded, in order. */
  loaded: number[];
}

function freshRegs(): GuestRegs {
  const r: Record<string, number> = {};
  for (const name of GUEST_REG_NAMES) r[name] = 0;
  return r as unknown as GuestRegs;
}

export class ScriptedHartHyp implements HypBackend {
  hartId = 0;
  readonly harts = 1;
  readonly vcpus = new Map<VcpuId, ScriptedVcpu>();
  readonly runHgatps: number[] = [];
  private next = 1;
  private now = 0;

  constructor(readonly ram: ByteMemory) {}

  readonly mem: HypBackend['mem'] = {
    read: (pa, len) => this.guard(pa, 'load', () => this.ram.readBytes(pa, len)),
    write: (pa, bytes) => this.guard(pa, 'store', () => this.ram.writeBytes(pa, bytes)),
    read32: (pa) => this.guard(pa, 'load', () => this.ram.read32(pa)),
    write32: (pa, value) => this.guard(pa, 'store', () => this.ram.write32(pa, value)),
  };

  readonly vcpu: HypBackend['vcpu'] = {
    create: () => {
      const id = this.next++;
      this.vcpus.set(id, { regs: freshRegs(), controls: { hgatp: 0, hedeleg: 0, hideleg: 0, hcounteren: 0, htimedelta: 0, hvip: 0 }, steps: [], loaded: [] });
      return id;
    },
    destroy: (id) => {
      this.get(id);
      this.vcpus.delete(id);
    },
    regs: (id) => ({ ...this.get(id).regs }),
    setRegs: (id, changes) => Object.assign(this.get(id).regs, changes),
    controls: (id) => ({ ...this.get(id).controls }),
    setControls: (id, changes) => Object.assign(this.get(id).controls, changes),
    run: (id) => this.run(this.get(id)),
  };

  readonly fence: HypBackend['fence'] = { gvma: () => undefined, vvma: () => undefined };
  readonly timer: HypBackend['timer'] = { now: () => this.now++, set: () => undefined };
  ipi(): void {}
  readonly disk: HypBackend['disk'] = { sectors: () => 0, submit: () => { throw new HypCallError('no disk'); }, poll: () => [] };
  readonly console: HypBackend['console'] = { write: () => undefined, read: () => new Uint8Array() };
  readonly tpm = {} as HypBackend['tpm'];

  /** The guest's program: step i runs at pc = CODE_GPA + 4 i; past the end the guest waits (wfi). */
  script(id: VcpuId, ...steps: GuestStep[]): void {
    this.get(id).steps.push(...steps);
  }

  loaded(id: VcpuId): number[] {
    return this.get(id).loaded;
  }

  private run(v: ScriptedVcpu): Exit {
    this.runHgatps.push(v.controls.hgatp);
    for (;;) {
      const step = v.steps[(v.regs.pc - CODE_GPA) / 4];
      if (step === undefined) return { kind: 'wfi' };
      const trapped = step.op === 'ecall' || step.op === 'fetch' ? null : this.walk(v.controls.hgatp, step.gpa);
      if (step.op === 'fetch' && this.walk(v.controls.hgatp, step.gpa) === null) return { kind: 'guest-page-fault', gpa: step.gpa, access: 'fetch' };
      v.regs.pc = (v.regs.pc + 4) >>> 0;
      if (step.op === 'ecall') return { kind: 'sbi', ext: step.ext, fid: step.fid, args: step.args };
      if (step.op === 'fetch') continue;
      if (trapped === null) {
        return step.op === 'load'
          ? { kind: 'mmio-load', gpa: step.gpa, width: 4, signed: false, rd: 10 }
          : { kind: 'mmio-store', gpa: step.gpa, width: 4, value: step.value };
      }
      if (step.op === 'load') v.loaded.push(this.ram.read32(trapped));
      else this.ram.write32(trapped, step.value);
    }
  }

  private walk(hgatp: number, gpa: number): number | null {
    if (hgatp >>> 31 === 0) return null;
    const root = (hgatp & 0x3f_ffff) * 4096;
    const top = this.ram.read32(root + (Math.floor(gpa / 0x40_0000) & 0xfff) * 4);
    if ((top & 1) === 0 || (top & 0b1010) !== 0) return null;
    const leaf = this.ram.read32((top >>> 10) * 4096 + ((gpa >>> 12) & 0x3ff) * 4);
    if ((leaf & 1) === 0 || (leaf & 0b1_0000) === 0) return null;
    return (leaf >>> 10) * 4096 + (gpa & 0xfff);
  }

  private get(id: VcpuId): ScriptedVcpu {
    const v = this.vcpus.get(id);
    if (!v) throw new HypCallError(`no vCPU ${id}`);
    return v;
  }

  private guard<T>(pa: number, access: 'load' | 'store', op: () => T): T {
    try {
      return op();
    } catch {
      throw new HypFault(pa, access, 'not RAM');
    }
  }
}
