// What the platform firmware sets up before it hands a hart to a modelled HS-mode layer (the
// bare VMM's HS code or the monitor): traps guests raise go to HS (medeleg/mideleg), HS owns its
// Sstc timer, PMP lets S and U reach all memory, and WFI in VS traps so an idle vCPU gives its
// hart back (hstatus.VTW). Priv 1.12 sections 3.1.8, 3.7, 8.2.1; Sstc 1.0.
import { writeCsr } from '../cpu/csr-file';
import { CSR } from '../cpu/csr-numbers';
import type { Hart } from '../cpu/hart';
import { CAUSE, HSTATUS, MIP } from '../../spec/riscv-priv';

/**
 * Exceptions the platform firmware leaves to S-mode (OpenSBI's set plus the faults it would
 * redirect anyway); the firmware keeps illegal instructions to emulate what it can.
 */
export const S_MODE_EXCEPTIONS = [
  CAUSE.INSTRUCTION_ADDRESS_MISALIGNED,
  CAUSE.INSTRUCTION_ACCESS_FAULT,
  CAUSE.BREAKPOINT,
  CAUSE.LOAD_ADDRESS_MISALIGNED,
  CAUSE.LOAD_ACCESS_FAULT,
  CAUSE.STORE_AMO_ADDRESS_MISALIGNED,
  CAUSE.STORE_AMO_ACCESS_FAULT,
  CAUSE.ECALL_FROM_U,
  CAUSE.ECALL_FROM_VS,
  CAUSE.INSTRUCTION_PAGE_FAULT,
  CAUSE.LOAD_PAGE_FAULT,
  CAUSE.STORE_AMO_PAGE_FAULT,
  CAUSE.INSTRUCTION_GUEST_PAGE_FAULT,
  CAUSE.LOAD_GUEST_PAGE_FAULT,
  CAUSE.VIRTUAL_INSTRUCTION,
  CAUSE.STORE_AMO_GUEST_PAGE_FAULT,
].reduce<number>((mask, cause) => mask | (1 << cause), 0);

/** A modelled HS layer also takes guests' illegal instructions: it has nothing to emulate them with in M. */
const DELEGATED_EXCEPTIONS = S_MODE_EXCEPTIONS | (1 << CAUSE.ILLEGAL_INSTRUCTION);

const HS_INTERRUPTS = MIP.SSIP | MIP.STIP | MIP.SEIP;
const ENVCFGH_STCE = 1 << 31;
const PMP_NAPOT_RWX = 0x1f;

/** Leaves `hart` in HS-mode (V=0, S), ready for the HS layer to enter guests on it. */
export function prepareModelledHs(hart: Hart): void {
  writeCsr(hart, CSR.MEDELEG, DELEGATED_EXCEPTIONS);
  writeCsr(hart, CSR.MIDELEG, HS_INTERRUPTS);
  writeCsr(hart, CSR.MIE, HS_INTERRUPTS);
  writeCsr(hart, CSR.MENVCFGH, ENVCFGH_STCE);
  writeCsr(hart, CSR.MCOUNTEREN, 0xffff_ffff);
  writeCsr(hart, CSR.PMPADDR0, 0xffff_ffff);
  writeCsr(hart, CSR.PMPCFG0, PMP_NAPOT_RWX);
  writeCsr(hart, CSR.HSTATUS, HSTATUS.VTW);
  // The HS timer starts disarmed (Sstc: STIP follows time >= stimecmp).
  writeCsr(hart, CSR.STIMECMP, 0xffff_ffff);
  writeCsr(hart, CSR.STIMECMPH, 0xffff_ffff);
  hart.priv = 1;
  hart.virt = 0;
  hart.contextChanged();
}
