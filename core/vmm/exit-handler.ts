// Handles one guest exit, per kind: SBI calls, MMIO loads and stores (decoded from htinst by the
// hart: gpa, width, rd, value), guest-page faults (lazy population), WFI, host interrupts and the
// end of the host quantum. Reads nothing of the guest beyond what the exit carries, so the same
// code runs under the monitor. Invariant: returns EXIT_CONTINUE only if the same vCPU may run on.
// Spec: priv 1.12 section 8.6.3 (transformed instructions in htinst), 8.2 (hvip).
import type { Exit } from '../sandbox/hyp';
import type { Domain } from './domain';
import { HVIP, IRQ } from '../spec/riscv-priv';
import type { VirtualCpu } from './virtual-cpu';
import type { Vmm } from './vmm';

export const EXIT_CONTINUE = 0;
/** The host quantum ended: return from `hart()`. */
export const EXIT_QUANTUM = 1;
/** This vCPU cannot go on (blocked, stopped, crashed, destroyed): pick another. */
export const EXIT_YIELD = 2;

export function handleExit(vmm: Vmm, d: Domain, v: VirtualCpu, exit: Exit): number {
  if (vmm.registry.hasListeners('exit')) vmm.registry.emit('exit', d.id, v.id, exit);
  switch (exit.kind) {
    case 'sbi':
      return sbiExit(vmm, d, v, exit.ext, exit.fid, exit.args);
    case 'mmio-load': {
      const raw = vmm.fns.mmioLoad(d.id, v.index, exit.gpa, exit.width) >>> 0;
      const value = extend(raw, exit.width, exit.signed);
      if (exit.rd !== 0 && isLive(vmm, d)) vmm.hyp.vcpu.setReg(v.id, exit.rd, value);
      return resume(vmm, d, v);
    }
    case 'mmio-store':
      vmm.fns.mmioStore(d.id, v.index, exit.gpa, exit.width, exit.value >>> 0);
      return resume(vmm, d, v);
    case 'guest-page-fault':
      if (vmm.fns.memoryPopulate(d.id, exit.gpa)) return EXIT_CONTINUE;
      return crash(vmm, d, `${exit.access} guest-page fault at GPA 0x${exit.gpa.toString(16)}, which is neither RAM nor a device`);
    case 'wfi':
      if (vmm.config.pcAdvance === 'vmm') advancePc(vmm, v);
      return wfi(vmm, d, v);
    case 'interrupt':
      // Disk completions are collected here; the timer is re-examined by the next injection.
      if (exit.cause === IRQ.SEI) vmm.disk.poll();
      return EXIT_CONTINUE;
    case 'quantum':
      return EXIT_QUANTUM;
    case 'virtual-instruction':
      return crash(vmm, d, `virtual instruction 0x${(exit.insn >>> 0).toString(16)} (no emulation for it)`);
    case 'other':
      return crash(vmm, d, `unhandled trap scause=${exit.scause} stval=0x${(exit.stval >>> 0).toString(16)} htval=0x${(exit.htval >>> 0).toString(16)} htinst=0x${(exit.htinst >>> 0).toString(16)}`);
  }
}

function sbiExit(vmm: Vmm, d: Domain, v: VirtualCpu, ext: number, fid: number, args: readonly number[]): number {
  if (vmm.registry.hasListeners('sbi')) vmm.registry.emit('sbi', d.id, v.id, ext, fid, args);
  const r = vmm.fns.sbiCall(d.id, v.index, ext, fid, args);
  if (!isLive(vmm, d)) return EXIT_YIELD;
  if (r === null) return v.hsm === 'started' && !v.blocked ? EXIT_CONTINUE : EXIT_YIELD;
  if (r.a1 === null) vmm.hyp.vcpu.setReg(v.id, 10, r.a0);
  else vmm.hyp.vcpu.setRegs(v.id, { a0: r.a0, a1: r.a1 });
  return resume(vmm, d, v);
}

/** After an emulated instruction: move pc on if that is the VMM's job, then run on unless blocked. */
function resume(vmm: Vmm, d: Domain, v: VirtualCpu): number {
  if (!isLive(vmm, d)) return EXIT_YIELD;
  if (vmm.config.pcAdvance === 'vmm') advancePc(vmm, v);
  return v.blocked || v.hsm !== 'started' ? EXIT_YIELD : EXIT_CONTINUE;
}

/** Only in pcAdvance 'vmm' mode (bare hardware semantics): RV32IMA has no compressed instructions. */
function advancePc(vmm: Vmm, v: VirtualCpu): void {
  const pc = vmm.hyp.vcpu.regs(v.id).pc;
  vmm.hyp.vcpu.setReg(v.id, 'pc', (pc + 4) >>> 0);
}

function wfi(vmm: Vmm, d: Domain, v: VirtualCpu): number {
  if (v.softPending || d.externalPending(v) || (v.deadline !== Number.POSITIVE_INFINITY && vmm.hyp.timer.now() >= v.deadline)) return EXIT_CONTINUE;
  // An injected soft interrupt the guest has not yet taken also ends WFI (priv 1.12, 3.3.3).
  if ((vmm.hyp.vcpu.controls(v.id).hvip & HVIP.VSSIP) !== 0) return EXIT_CONTINUE;
  v.blocked = true;
  return EXIT_YIELD;
}

function extend(value: number, width: number, signed: boolean): number {
  if (width === 4) return value >>> 0;
  const bits = width * 8;
  const masked = value & ((1 << bits) - 1);
  return signed ? ((masked << (32 - bits)) >> (32 - bits)) >>> 0 : masked;
}

function isLive(vmm: Vmm, d: Domain): boolean {
  return vmm.domains.get(d.id) === d && d.state !== 'crashed';
}

/** Like Xen with on_crash="preserve": the domain stops and stays for inspection until destroyed. */
export function crash(vmm: Vmm, d: Domain, reason: string): number {
  d.state = 'crashed';
  d.crashReason = reason;
  vmm.event('crashed', d.id, reason);
  return EXIT_YIELD;
}
