// The VMM's delegation defaults for every guest vCPU: which exceptions and interrupts go straight
// to the guest's own VS-mode handlers and which counters it may read (as KVM RISC-V sets them).
// Policy, not spec: the architectural numbers come from core/spec/riscv-priv.ts (priv 1.12, 8.2).
import { CAUSE, HVIP } from '../spec/riscv-priv';

export const HEDELEG_DEFAULT =
  (1 << CAUSE.INSTRUCTION_ADDRESS_MISALIGNED) | (1 << CAUSE.ILLEGAL_INSTRUCTION) | (1 << CAUSE.BREAKPOINT) |
  (1 << CAUSE.LOAD_ADDRESS_MISALIGNED) | (1 << CAUSE.STORE_AMO_ADDRESS_MISALIGNED) | (1 << CAUSE.ECALL_FROM_U) |
  (1 << CAUSE.INSTRUCTION_PAGE_FAULT) | (1 << CAUSE.LOAD_PAGE_FAULT) | (1 << CAUSE.STORE_AMO_PAGE_FAULT);

/** The VS interrupts go to the guest's own handlers: VSSIP, VSTIP, VSEIP. */
export const HIDELEG_DEFAULT = HVIP.VSSIP | HVIP.VSTIP | HVIP.VSEIP;

/** hcounteren: CY, TM, IR readable from VS (TM lets the guest read `time` without a trap). */
export const HCOUNTEREN_DEFAULT = 0x7;
