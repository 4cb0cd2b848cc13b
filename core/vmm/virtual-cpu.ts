// The VMM's record of one guest vCPU: its hypervisor-interface handle, its SBI HSM state, the
// VS timer deadline the guest asked for (SBI TIME), a pending soft interrupt (SBI IPI), and the
// interrupt levels last written to hvip. Invariant: `hvipLevels` holds only VSTIP|VSEIP, the
// level-triggered bits the VMM owns; VSSIP is edge-like (the guest clears it through sip) and is
// OR-ed in once per IPI, never rewritten from a shadow copy.
import type { VcpuId } from '../sandbox/hyp';

export type HsmState = 'started' | 'stopped' | 'suspended';

export class VirtualCpu {
  hsm: HsmState = 'stopped';
  /** In WFI or a retentive HSM suspend: runnable again once an interrupt is pending for it. */
  blocked = false;
  /** SBI set_timer deadline in timebase ticks; Infinity when none is armed. */
  deadline = Number.POSITIVE_INFINITY;
  softPending = false;
  hvipLevels = 0;
  /** PLIC generation and S-context level last seen, so the PLIC is scanned only after a change. */
  plicGeneration = -1;
  plicLevel = false;
  /** Set by a non-retentive HSM suspend: where the vCPU restarts when it wakes. */
  resume: { pc: number; opaque: number } | null = null;
  lastHart = -1;
  running = false;
  exits = 0;

  constructor(readonly domainId: number, readonly index: number, readonly id: VcpuId) {}
}
