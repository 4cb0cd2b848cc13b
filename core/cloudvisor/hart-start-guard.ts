// Entering a running VM on another vCPU (CLOUDVISOR.md section 3: the VMM cannot enter a VM at an
// address of its choosing). Once a VM has started, a vCPU that has not run yet, or that the guest
// stopped, is parked: the VMM may only start it the way the guest asked, through its own SBI HSM
// hart_start(hartid, start_addr, opaque) (SBI v2.0 section 9.1): pc = start_addr, a0 = hartid,
// a1 = opaque, satp = 0 and interrupts off. Each request admits one entry.
import type { Exit, GuestRegName, GuestRegs } from '../sandbox/hyp';
import { canonicalReg } from './vcpu-guard';

const SBI_EXT_HSM = 0x0048_534d;
const HART_START = 0;
const HART_STOP = 1;
const SSTATUS_SIE = 1 << 1;
/** What a hart_start defines; everything else is unspecified by the SBI and may be left as is. */
const START_REGS: ReadonlySet<GuestRegName> = new Set(['pc', 'x10', 'x11', 'vsatp', 'vsstatus']);

interface StartRequest {
  readonly pc: number;
  readonly opaque: number;
}

export class HartStartGuard {
  private readonly pending = new Map<number, Map<number, StartRequest>>();

  /** Records a guest's hart_start request from its SBI exit. */
  observe(vm: number, exit: Exit): void {
    if (exit.kind !== 'sbi' || exit.ext !== SBI_EXT_HSM || exit.fid !== HART_START) return;
    const [hartid = 0, pc = 0, opaque = 0] = exit.args;
    let requests = this.pending.get(vm);
    if (!requests) {
      requests = new Map();
      this.pending.set(vm, requests);
    }
    requests.set(hartid >>> 0, { pc: pc >>> 0, opaque: opaque >>> 0 });
  }

  /** A vCPU the VMM may not enter freely: its VM runs, and the vCPU never ran or was stopped. */
  static parked(vmStarted: boolean, ran: boolean, lastExit: Exit | null): boolean {
    if (!vmStarted) return false;
    if (!ran) return true;
    return lastExit?.kind === 'sbi' && lastExit.ext === SBI_EXT_HSM && lastExit.fid === HART_STOP;
  }

  /** Register names a parked vCPU's changes may not touch. */
  static refusedChanges(changes: Readonly<Record<string, number>>): string[] {
    return Object.keys(changes).filter((key) => {
      const name = canonicalReg(key);
      return name === null || !START_REGS.has(name);
    });
  }

  /** Null when `regs` is the entry of a pending request (which is then used up), else why not. */
  admit(vm: number, regs: GuestRegs): string | null {
    const request = this.pending.get(vm)?.get(regs.x10 >>> 0);
    if (!request) return `enter a parked vCPU at pc 0x${regs.pc.toString(16)} as hart ${regs.x10 >>> 0}, which the guest did not start`;
    if (regs.pc >>> 0 !== request.pc || regs.x11 >>> 0 !== request.opaque || regs.vsatp !== 0 || (regs.vsstatus & SSTATUS_SIE) !== 0) {
      return `enter hart ${regs.x10 >>> 0} at pc 0x${regs.pc.toString(16)} with a1 0x${(regs.x11 >>> 0).toString(16)}: the guest asked for pc 0x${request.pc.toString(16)}, a1 0x${request.opaque.toString(16)}, satp 0, interrupts off`;
    }
    this.pending.get(vm)?.delete(regs.x10 >>> 0);
    return null;
  }

  forget(vm: number): void {
    this.pending.delete(vm);
  }
}
