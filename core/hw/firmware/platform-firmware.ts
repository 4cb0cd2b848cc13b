// The platform firmware, modelled in M-mode (ARCHITECTURE.md "modelled"): TypeScript called by
// the hart on every trap into M-mode (Hart.machineTrapHandler). It measures itself and the next
// stage into the TPM, sets up delegation (medeleg/mideleg as OpenSBI), PMP and counters, enters
// an S-mode payload with a0 = hartid, a1 = DTB (other harts parked STOPPED), and serves SBI v2.0.
// Timer: ACLINT mtimecmp, no Sstc (STIP is set by M when MTIP fires, as OpenSBI without Sstc).
import { CSR } from '../cpu/csr-numbers';
import { readCsr, writeCsr } from '../cpu/csr-file';
import { SLOT } from '../cpu/csr-slots';
import type { Hart } from '../cpu/hart';
import { CAUSE, HSTATUS, IRQ, MIP, MSTATUS, MSTATUSH, PRIV } from '../../spec/riscv-priv';
import { mret } from '../cpu/trap';
import { ACLINT } from '../devices/aclint';
import { FINISHER } from '../devices/test-finisher';
import { UART_REG } from '../../spec/ns16550a';
import type { ElfImage } from '../elf';
import { S_MODE_EXCEPTIONS, prepareModelledHs } from '../hs/hs-platform';
import type { BootStage, HostBoard } from '../host-board';
import { HART_WORK, HartStateManager, type HsmSavedState } from './hart-state-manager';
import { measureBoot } from './measured-boot';
import { dispatchSbi, SBI_NO_RETURN, type SbiOutcome, type SbiServices } from './sbi-calls';
import { HSM_STATE, HSM_SUSPEND, SBI_ERR, SBI_RFENCE, SBI_SRST } from '../../spec/sbi';

const MEDELEG = S_MODE_EXCEPTIONS;
const MIDELEG = MIP.SSIP | MIP.STIP | MIP.SEIP;
/** PMP entry 0: NAPOT over all memory, RWX (the model has no RAM footprint to protect). */
const PMP_NAPOT_RWX = 0x1f;

export interface FirmwareState {
  readonly hsm: HsmSavedState;
}

export class PlatformFirmware implements SbiServices {
  readonly hsm: HartStateManager;
  readonly harts: readonly Hart[];

  constructor(readonly board: HostBoard) {
    this.harts = board.harts;
    this.hsm = new HartStateManager(board.harts.length);
  }

  get hartCount(): number {
    return this.harts.length;
  }

  /** The boot stage for an S-mode payload (QEMU -bios default): measure, load, enter it on hart 0. */
  supervisorBoot(payload: ElfImage, payloadBytes: Uint8Array): BootStage {
    return (board) => {
      this.install();
      measureBoot(board.tpm, payloadBytes);
      board.loadSegments(payload);
      this.hsm.reset(0);
      for (const h of this.harts) {
        this.hartSetup(h);
        if (h.id === 0) this.enterSupervisor(h, payload.entry, h.id, board.dtbAddress);
        else this.park(h);
      }
    };
  }

  /**
   * Measure + hand HS-mode to a modelled layer (the VMM or the monitor): every hart is set up,
   * STARTED, and left in HS-mode by prepareModelledHs; SBI calls from HS still reach this firmware.
   */
  handOffToModelledHs(layerImage: Uint8Array): void {
    this.install();
    measureBoot(this.board.tpm, layerImage);
    for (let i = 0; i < this.harts.length; i++) this.hsm.set(i, HSM_STATE.STARTED);
    for (const h of this.harts) {
      this.hartSetup(h);
      prepareModelledHs(h);
    }
  }

  private install(): void {
    for (const h of this.harts) h.machineTrapHandler = (hart) => this.onTrap(hart);
  }

  private hartSetup(h: Hart): void {
    writeCsr(h, CSR.PMPADDR0, 0xffff_ffff);
    writeCsr(h, CSR.PMPCFG0, PMP_NAPOT_RWX);
    writeCsr(h, CSR.MEDELEG, MEDELEG);
    writeCsr(h, CSR.MIDELEG, MIDELEG);
    writeCsr(h, CSR.MCOUNTEREN, 7);
    writeCsr(h, CSR.MIE, MIP.MSIP);
    this.writeTimecmp(h.id, 0xffff_ffff, 0xffff_ffff);
    h.flushTlb();
  }

  private writeTimecmp(hart: number, lo: number, hi: number): void {
    const at = ACLINT.MTIMECMP + 8 * hart;
    // High word first set to all ones, so no intermediate value can fire (priv 1.12 3.2.1).
    this.board.aclint.write(at + 4, 4, 0xffff_ffff);
    this.board.aclint.write(at, 4, lo);
    this.board.aclint.write(at + 4, 4, hi);
  }

  /** Enter S-mode at `pc` with a0/a1 (OpenSBI sbi_hart_switch_mode: MPIE=0, satp=0). */
  private enterSupervisor(h: Hart, pc: number, a0: number, a1: number): void {
    const ms = readCsr(h, CSR.MSTATUS) & ~(MSTATUS.MPP | MSTATUS.MPIE | MSTATUS.MIE);
    writeCsr(h, CSR.MSTATUS, ms | (PRIV.S << MSTATUS.MPP_SHIFT));
    h.csr[SLOT.MSTATUSH] = (h.csr[SLOT.MSTATUSH] ?? 0) & ~MSTATUSH.MPV;
    writeCsr(h, CSR.MEPC, pc);
    writeCsr(h, CSR.STVEC, pc);
    writeCsr(h, CSR.SATP, 0);
    writeCsr(h, CSR.SIE, 0);
    h.priv = PRIV.M;
    h.x[10] = a0;
    h.x[11] = a1;
    h.waiting = false;
    mret(h);
  }

  /** HSM STOPPED: M-mode with MIE=1, only MSIP enabled, waiting; hart_start wakes it via MSIP. */
  private park(h: Hart): void {
    h.priv = PRIV.M;
    h.virt = 0;
    writeCsr(h, CSR.MSTATUS, (readCsr(h, CSR.MSTATUS) & ~MSTATUS.MPP) | MSTATUS.MIE);
    writeCsr(h, CSR.MIE, MIP.MSIP);
    h.csr[SLOT.MIP_SW] = (h.csr[SLOT.MIP_SW] ?? 0) & ~(MIP.STIP | MIP.SSIP);
    h.pc = 0;
    h.waiting = true;
    h.contextChanged();
  }

  private onTrap(h: Hart): void {
    const cause = h.csr[SLOT.MCAUSE] ?? 0;
    if (cause < 0) this.onInterrupt(h, cause & 0x7fff_ffff);
    else this.onException(h, cause);
  }

  private onInterrupt(h: Hart, irq: number): void {
    if (irq === IRQ.MTI) {
      h.csr[SLOT.MIE] = (h.csr[SLOT.MIE] ?? 0) & ~MIP.MTIP;
      h.csr[SLOT.MIP_SW] = (h.csr[SLOT.MIP_SW] ?? 0) | MIP.STIP;
      mret(h);
    } else if (irq === IRQ.MSI) {
      this.onSoftware(h);
    } else {
      this.board.fail(`firmware: unexpected machine interrupt ${irq} on hart ${h.id}`);
    }
  }

  private onSoftware(h: Hart): void {
    this.board.aclint.write(ACLINT.MSIP + 4 * h.id, 4, 0);
    const work = this.hsm.takeWork(h.id);
    if ((work & HART_WORK.IPI) !== 0) h.csr[SLOT.MIP_SW] = (h.csr[SLOT.MIP_SW] ?? 0) | MIP.SSIP;
    const state = this.hsm.state(h.id, false);
    if (state === HSM_STATE.START_PENDING) {
      const { startAddr, opaque } = this.hsm.startRequest(h.id);
      this.hsm.set(h.id, HSM_STATE.STARTED);
      this.hartSetup(h);
      this.enterSupervisor(h, startAddr, h.id, opaque);
    } else if (state === HSM_STATE.STOPPED) this.park(h);
    else mret(h);
  }

  private onException(h: Hart, cause: number): void {
    const mpp = ((h.csr[SLOT.MSTATUS] ?? 0) & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
    if (mpp === PRIV.M) {
      this.board.fail(
        `firmware: exception ${cause} in M-mode on hart ${h.id} (mepc 0x${((h.csr[SLOT.MEPC] ?? 0) >>> 0).toString(16)})`,
      );
      return;
    }
    if (cause === CAUSE.ECALL_FROM_HS) {
      if (!dispatchSbi(this, h)) return;
      h.csr[SLOT.MEPC] = ((h.csr[SLOT.MEPC] ?? 0) + 4) | 0;
      mret(h);
      return;
    }
    this.redirectToS(h, cause);
  }

  /** Hand an exception S-mode should see to its trap vector, as if delegated (OpenSBI sbi_trap_redirect). */
  private redirectToS(h: Hart, cause: number): void {
    const c = h.csr;
    const ms = c[SLOT.MSTATUS] ?? 0;
    const fromPriv = (ms & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
    const fromV = ((c[SLOT.MSTATUSH] ?? 0) & MSTATUSH.MPV) !== 0;
    let hs = (c[SLOT.HSTATUS] ?? 0) & ~(HSTATUS.SPV | HSTATUS.GVA);
    if (fromV) hs = (hs & ~HSTATUS.SPVP) | HSTATUS.SPV | (fromPriv === PRIV.S ? HSTATUS.SPVP : 0);
    if (((c[SLOT.MSTATUSH] ?? 0) & MSTATUSH.GVA) !== 0) hs |= HSTATUS.GVA;
    c[SLOT.HSTATUS] = hs;
    c[SLOT.SCAUSE] = cause;
    c[SLOT.STVAL] = c[SLOT.MTVAL] ?? 0;
    c[SLOT.HTVAL] = c[SLOT.MTVAL2] ?? 0;
    c[SLOT.HTINST] = c[SLOT.MTINST] ?? 0;
    c[SLOT.SEPC] = c[SLOT.MEPC] ?? 0;
    let next = ms & ~(MSTATUS.SPP | MSTATUS.SPIE | MSTATUS.SIE | MSTATUS.MPP);
    if (fromPriv === PRIV.S) next |= MSTATUS.SPP;
    if ((ms & MSTATUS.SIE) !== 0) next |= MSTATUS.SPIE;
    c[SLOT.MSTATUS] = next | (PRIV.S << MSTATUS.MPP_SHIFT);
    c[SLOT.MSTATUSH] = (c[SLOT.MSTATUSH] ?? 0) & ~(MSTATUSH.MPV | MSTATUSH.GVA);
    c[SLOT.MEPC] = (c[SLOT.STVEC] ?? 0) & ~3;
    mret(h);
  }

  // ---- SbiServices ----

  machineIds(h: Hart): readonly [number, number, number] {
    return [readCsr(h, CSR.MVENDORID), readCsr(h, CSR.MARCHID), readCsr(h, CSR.MIMPID)];
  }

  setTimer(h: Hart, lo: number, hi: number): void {
    this.writeTimecmp(h.id, lo, hi);
    h.csr[SLOT.MIP_SW] = (h.csr[SLOT.MIP_SW] ?? 0) & ~MIP.STIP;
    h.csr[SLOT.MIE] = (h.csr[SLOT.MIE] ?? 0) | MIP.MTIP;
  }

  signal(target: number, work: number): void {
    this.hsm.post(target, work);
    this.board.aclint.write(ACLINT.MSIP + 4 * target, 4, 1);
  }

  /**
   * Our hart's instruction fetch is coherent with stores (a write drops decoded code), so a
   * remote FENCE.I has nothing left to do. TLB fences flush the target's whole software TLB:
   * over-fencing (any range, any ASID/VMID) is always allowed (SBI v2.0 ch. 8).
   */
  remoteFence(h: Hart, fid: number): void {
    if (fid !== SBI_RFENCE.REMOTE_FENCE_I) h.flushTlb();
  }

  hartStart(id: number, startAddr: number, opaque: number): number {
    const target = this.harts[id];
    if (target === undefined) return SBI_ERR.INVALID_PARAM;
    if (
      (startAddr & 3) !== 0 ||
      !this.board.ram.contains(startAddr, 4) ||
      !target.pmp.check(startAddr, 4, 4, PRIV.S)
    )
      return SBI_ERR.INVALID_ADDRESS;
    if (!this.hsm.requestStart(id, startAddr, opaque)) return SBI_ERR.ALREADY_AVAILABLE;
    this.board.aclint.write(ACLINT.MSIP + 4 * id, 4, 1);
    return SBI_ERR.SUCCESS;
  }

  hartStop(h: Hart): SbiOutcome {
    this.hsm.set(h.id, HSM_STATE.STOPPED);
    this.writeTimecmp(h.id, 0xffff_ffff, 0xffff_ffff);
    this.park(h);
    return SBI_NO_RETURN;
  }

  hartSuspend(h: Hart, type: number): SbiOutcome {
    if (type === HSM_SUSPEND.DEFAULT_NON_RETENTIVE) return { error: SBI_ERR.NOT_SUPPORTED, value: 0 };
    // Reserved types, and platform-specific ones (this platform defines none).
    if (type !== HSM_SUSPEND.DEFAULT_RETENTIVE) return { error: SBI_ERR.INVALID_PARAM, value: 0 };
    // Retentive: return SUCCESS once an enabled interrupt is pending, like WFI (SBI v2.0 9.4).
    this.hsm.set(h.id, HSM_STATE.SUSPENDED);
    h.x[10] = SBI_ERR.SUCCESS;
    h.x[11] = 0;
    h.csr[SLOT.MEPC] = ((h.csr[SLOT.MEPC] ?? 0) + 4) | 0;
    mret(h);
    h.waiting = true;
    return SBI_NO_RETURN;
  }

  systemReset(type: number, reason: number): SbiOutcome {
    const value =
      type === SBI_SRST.SHUTDOWN
        ? reason === SBI_SRST.REASON_NONE
          ? FINISHER.PASS
          : (1 << 16) | FINISHER.FAIL
        : FINISHER.RESET;
    // Through the board's own power controller (the sifive,test device), as labfw and OpenSBI do.
    this.board.finisher.write(0, 4, value);
    return SBI_NO_RETURN;
  }

  consoleWrite(byte: number): void {
    this.board.uart.write(UART_REG.RBR_THR_DLL, 1, byte);
  }

  consoleRead(): number {
    const u = this.board.uart;
    return (u.read(UART_REG.LSR, 1) & 1) !== 0 ? u.read(UART_REG.RBR_THR_DLL, 1) : -1;
  }

  readGuest(pa: number, length: number): Uint8Array | null {
    if (!this.board.ram.contains(pa, length)) return null;
    return this.board.bus.readBytes(pa, length);
  }

  writeGuest(pa: number, bytes: Uint8Array): boolean {
    if (!this.board.ram.contains(pa, bytes.length)) return false;
    this.board.bus.writeBytes(pa, bytes);
    return true;
  }

  saveState(): FirmwareState {
    return { hsm: this.hsm.saveState() };
  }

  loadState(state: FirmwareState): void {
    this.hsm.loadState(state.hsm);
    this.install();
  }
}
