// One RV32IMA_Zicsr_Zifencei hart with M/S/U and the H extension (HS/VS/VU): register file,
// CSR storage (typed arrays, one copy per snapshot), software TLBs and the interpreter loop over
// pre-decoded pages. The hot loop allocates and throws nothing: guest faults are data (exc*).
// SYSTEM instructions end a block and run in execSystem, so their effects reload the loop's context.
// Spec: RISC-V unprivileged 20191213, privileged 1.12 (H extension ch. 8), Sstc.
import type { Clock } from '../device';
import type { PhysicalBus } from '../memory/physical-bus';
import type { Ram } from '../memory/ram';
import { COUNTER_SLOT, COUNTER_SLOT_COUNT, SLOT, SLOT_COUNT } from './csr-slots';
import { branchOffset, branchTaken, decodeInto, decodeCacheOf, type DecodeCache } from './decode';
import { mulh, mulhsu, mulhu } from './mul-div';
import { Pmp } from './pmp';
import { COUNTER, ENVCFG, MIP, MSTATUS, MSTATUSH } from '../../spec/riscv-priv';
import { selectInterrupt, takeTrap } from './trap';
import { execSystem } from './system';
import { amo, fetchPage, loadSlow, storeSlow } from './hart-memory';
import type { HartDebug } from './hart-debug';

const TLB_SIZE = 256;
/** f3 of LB LH LW LBU LHU by decoded kind - 11. */
const LOAD_F3 = [0, 1, 2, 4, 5] as const;
const CTX_LIMIT = 2040;

/** A copy of everything architectural in one hart (registers, CSRs, counters, PMP, mode, pc). */
export interface HartState {
  readonly x: Int32Array;
  readonly csr: Int32Array;
  readonly counters: Float64Array;
  readonly pmpCfg: Uint8Array;
  readonly pmpAddr: Int32Array;
}

/** Why runBlock returned. */
export const BLOCK_EXIT = { BUDGET: 0, SYSTEM: 1, EXCEPTION: 2, STOP: 3 } as const;

export class Hart {
  readonly id: number;
  readonly bus: PhysicalBus;
  readonly ram: Ram;
  readonly clock: Clock;
  readonly pmp = new Pmp();
  /** x0..x31 plus x[32], the sink that decoded instructions with rd = x0 write to. */
  readonly x = new Int32Array(33);
  readonly csr = new Int32Array(SLOT_COUNT);
  readonly counters = new Float64Array(COUNTER_SLOT_COUNT);
  pc = 0;
  priv = 3;
  virt = 0;
  /** Parked in WFI until an interrupt is pending and locally enabled. */
  waiting = false;
  resValid = false;
  resAddr = 0;
  /** Retired instructions (exact in a double). */
  retired = 0;

  /** Pending synchronous exception: cause >= 0 means one is recorded. */
  excCause = -1;
  excTval = 0;
  excTval2 = 0;
  excTinst = 0;
  excGva = 0;
  /** Scratch from the page walker: physical address of the last PTE read. */
  ptePa = 0;

  /** Set by devices (finisher, HTIF) or the board to end the current block early. */
  stop = false;
  blockExit = 0;
  /** Instruction that ended the block with BLOCK_EXIT.SYSTEM. */
  sysInsn = 0;
  /** A modelled HS layer runs this hart's guests: stop the run at every trap into HS-mode. */
  stopOnHsTrap = false;
  /** Modelled M-mode firmware: called on every trap into M-mode, with the trap state set. */
  machineTrapHandler: ((h: Hart) => void) | null = null;
  /** Optional debugger; when set and active the board single-steps through it. */
  debug: HartDebug | null = null;

  // Software TLBs: tag = vpn | (context id << 20); off = RAM byte index minus virtual page.
  readonly rTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly rOff = new Int32Array(TLB_SIZE);
  readonly wTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly wOff = new Int32Array(TLB_SIZE);
  readonly xTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly xOff = new Int32Array(TLB_SIZE);
  /** Context ids (already shifted) for data and fetch accesses, and the effective data mode. */
  dctx = 0;
  fctx = 0;
  dPriv = 3;
  dVirt = 0;
  private readonly contexts = new Map<string, number>();

  /** Decoded pages shared by the harts of this bus; scratch decodes fetches from non-RAM. */
  readonly decoded: DecodeCache;
  private readonly scratch = new Int32Array(2048);
  /** Instruction fetched by fetchPage from a page that is not cached (MMIO). */
  fInsn = 0;
  readonly m8: Int8Array;
  readonly u8: Uint8Array;
  readonly m16: Int16Array;
  readonly u16: Uint16Array;
  readonly m32: Int32Array;

  constructor(id: number, bus: PhysicalBus, clock: Clock) {
    this.id = id;
    this.bus = bus;
    this.ram = bus.ram;
    this.clock = clock;
    this.m8 = this.ram.i8;
    this.u8 = this.ram.u8;
    this.m16 = this.ram.i16;
    this.u16 = this.ram.u16;
    this.m32 = this.ram.i32;
    this.decoded = decodeCacheOf(bus);
    this.decoded.register(this);
    this.reset(0);
  }

  /** Power-on state: M-mode at `pc`, registers and CSRs zero, PMP off, counters zero. */
  reset(pc: number): void {
    this.x.fill(0);
    this.csr.fill(0);
    this.counters.fill(0);
    this.pmp.reset();
    this.pc = pc | 0;
    this.priv = 3;
    this.virt = 0;
    this.waiting = false;
    this.resValid = false;
    this.retired = 0;
    this.excCause = -1;
    this.contexts.clear();
    this.flushTlb();
    this.contextChanged();
  }

  // ---- snapshots ----

  /** Copy the hart's architectural state (TLBs and decode caches are not state: they refill). */
  saveState(): HartState {
    const csr = this.csr.slice();
    csr[SLOT.PRIV] = this.priv;
    csr[SLOT.VIRT] = this.virt;
    csr[SLOT.WAITING] = this.waiting ? 1 : 0;
    csr[SLOT.RES_VALID] = this.resValid ? 1 : 0;
    csr[SLOT.RES_ADDR] = this.resAddr;
    csr[SLOT.PC] = this.pc;
    const counters = this.counters.slice();
    counters[COUNTER_SLOT.RETIRED] = this.retired;
    return {
      x: this.x.slice(0, 32),
      csr,
      counters,
      pmpCfg: this.pmp.cfg.slice(),
      pmpAddr: this.pmp.addr.slice(),
    };
  }

  /** Restore a state from saveState (of any hart: mhartid stays this hart's). */
  loadState(state: HartState): void {
    if (
      state.x.length !== 32 ||
      state.csr.length !== SLOT_COUNT ||
      state.counters.length !== COUNTER_SLOT_COUNT
    ) {
      throw new RangeError('hart state has the wrong shape');
    }
    const c = state.csr;
    const priv = c[SLOT.PRIV] ?? -1;
    if (priv !== 0 && priv !== 1 && priv !== 3) throw new RangeError(`hart state has privilege ${priv}`);
    this.pmp.restore(state.pmpCfg, state.pmpAddr);
    this.x.set(state.x);
    this.x[32] = 0;
    this.csr.set(c);
    this.counters.set(state.counters);
    this.priv = priv;
    this.virt = (c[SLOT.VIRT] ?? 0) !== 0 && priv !== 3 ? 1 : 0;
    this.waiting = (c[SLOT.WAITING] ?? 0) !== 0;
    this.resValid = (c[SLOT.RES_VALID] ?? 0) !== 0;
    this.resAddr = c[SLOT.RES_ADDR] ?? 0;
    this.pc = (c[SLOT.PC] ?? 0) & ~3;
    this.retired = state.counters[COUNTER_SLOT.RETIRED] ?? 0;
    this.excCause = -1;
    this.flushTlb();
    this.contextChanged();
  }

  // ---- translation contexts and TLBs ----

  /** A RAM page just got decoded entries: stores to it must leave the fast path. */
  codePageMarked(): void {
    this.wTag.fill(-1);
  }

  flushTlb(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.xTag.fill(-1);
  }

  /**
   * Fence the translation of virtual page `vpn`. The TLB holds 4 KiB pieces of superpages, so
   * other pieces of the same leaf may be cached anywhere: this flushes everything (allowed).
   */
  flushTlbPage(vpn: number): void {
    if (!Number.isInteger(vpn)) throw new RangeError(`bad virtual page number ${vpn}`);
    this.flushTlb();
  }

  private contextId(priv: number, virt: number): number {
    const c = this.csr;
    let key: string;
    if (priv === 3) key = 'M';
    else if (virt === 0) {
      const satp = c[SLOT.SATP] ?? 0;
      key =
        satp >= 0 ? `B${priv}` : `S${priv}:${(c[SLOT.MSTATUS] ?? 0) & (MSTATUS.SUM | MSTATUS.MXR)}:${satp}`;
    } else {
      const ms = (c[SLOT.MSTATUS] ?? 0) & MSTATUS.MXR;
      const vs = (c[SLOT.VSSTATUS] ?? 0) & (MSTATUS.SUM | MSTATUS.MXR);
      key = `V${priv}:${ms}:${vs}:${c[SLOT.VSATP] ?? 0}:${c[SLOT.HGATP] ?? 0}`;
    }
    let id = this.contexts.get(key);
    if (id === undefined) {
      if (this.contexts.size >= CTX_LIMIT) {
        this.contexts.clear();
        this.flushTlb();
      }
      id = this.contexts.size + 1;
      this.contexts.set(key, id);
    }
    return id << 20;
  }

  /** Recompute translation contexts after a change of mode, status bits or an atp register. */
  contextChanged(): void {
    const c = this.csr;
    let p = this.priv;
    let v = this.virt;
    const ms = c[SLOT.MSTATUS] ?? 0;
    if (p === 3 && (ms & MSTATUS.MPRV) !== 0) {
      p = (ms >>> MSTATUS.MPP_SHIFT) & 3;
      v = p !== 3 && ((c[SLOT.MSTATUSH] ?? 0) & MSTATUSH.MPV) !== 0 ? 1 : 0;
    }
    this.dPriv = p;
    this.dVirt = v;
    this.dctx = this.contextId(p, v);
    this.fctx = p === this.priv && v === this.virt ? this.dctx : this.contextId(this.priv, this.virt);
  }

  // ---- interrupts, time and counters ----

  /** Drive a hardware interrupt line into mip (MSIP, MTIP, MEIP, or the external SEIP). */
  setInterruptLine(mipBit: number, level: boolean): void {
    const c = this.csr;
    const old = c[SLOT.MIP_HW] ?? 0;
    c[SLOT.MIP_HW] = level ? old | mipBit : old & ~mipBit;
  }

  /** Board time in timebase ticks; with `guest` and V=1 plus htimedelta. */
  timeValue(guest: boolean): number {
    let t = this.clock.now();
    if (guest && this.virt !== 0) t += this.htimedelta();
    return t;
  }

  private htimedelta(): number {
    const c = this.csr;
    return (c[SLOT.HTIMEDELTAH] ?? 0) * 0x1_0000_0000 + ((c[SLOT.HTIMEDELTA] ?? 0) >>> 0);
  }

  /** The effective mip value, with Sstc comparators and hvip folded in. */
  mip(): number {
    const c = this.csr;
    let v =
      (c[SLOT.MIP_SW] ?? 0) |
      (c[SLOT.MIP_HW] ?? 0) |
      ((c[SLOT.HVIP] ?? 0) & (MIP.VSSIP | MIP.VSTIP | MIP.VSEIP));
    const menvh = c[SLOT.MENVCFGH] ?? 0;
    if ((menvh & ENVCFG.STCE_H) !== 0) {
      const t = this.clock.now();
      v &= ~MIP.STIP;
      if (t >= ((c[SLOT.STIMECMPH] ?? 0) >>> 0) * 0x1_0000_0000 + ((c[SLOT.STIMECMP] ?? 0) >>> 0))
        v |= MIP.STIP;
      if (((c[SLOT.HENVCFGH] ?? 0) & ENVCFG.STCE_H) !== 0) {
        const vt = t + this.htimedelta();
        if (vt >= ((c[SLOT.VSTIMECMPH] ?? 0) >>> 0) * 0x1_0000_0000 + ((c[SLOT.VSTIMECMP] ?? 0) >>> 0))
          v |= MIP.VSTIP;
      }
    }
    return v;
  }

  counterValue(instret: boolean): number {
    const k = this.counters;
    const inhibit = ((this.csr[SLOT.MCOUNTINHIBIT] ?? 0) & (instret ? COUNTER.IR : COUNTER.CY)) !== 0;
    if (inhibit) return k[instret ? COUNTER_SLOT.INSTRET_FROZEN : COUNTER_SLOT.CYCLE_FROZEN] ?? 0;
    return this.retired + (k[instret ? COUNTER_SLOT.INSTRET_DELTA : COUNTER_SLOT.CYCLE_DELTA] ?? 0);
  }

  /**
   * Write half of mcycle/minstret. The writing instruction retires after the write and its own
   * increment must not show (priv 1.12 section 3.3.1), hence the +1.
   */
  writeCounter(instret: boolean, high: boolean, value: number): void {
    const cur = this.counterValue(instret) + 1;
    const lo = cur % 0x1_0000_0000;
    const hi = Math.floor(cur / 0x1_0000_0000);
    const next = high ? (value >>> 0) * 0x1_0000_0000 + lo : hi * 0x1_0000_0000 + (value >>> 0);
    const k = this.counters;
    const inhibit = ((this.csr[SLOT.MCOUNTINHIBIT] ?? 0) & (instret ? COUNTER.IR : COUNTER.CY)) !== 0;
    if (inhibit) k[instret ? COUNTER_SLOT.INSTRET_FROZEN : COUNTER_SLOT.CYCLE_FROZEN] = next - 1;
    else k[instret ? COUNTER_SLOT.INSTRET_DELTA : COUNTER_SLOT.CYCLE_DELTA] = next - 1 - this.retired;
  }

  setCountInhibit(value: number): void {
    const k = this.counters;
    const old = this.csr[SLOT.MCOUNTINHIBIT] ?? 0;
    for (const [bit, frozen, delta] of [
      [COUNTER.CY, COUNTER_SLOT.CYCLE_FROZEN, COUNTER_SLOT.CYCLE_DELTA],
      [COUNTER.IR, COUNTER_SLOT.INSTRET_FROZEN, COUNTER_SLOT.INSTRET_DELTA],
    ] as const) {
      if ((old & bit) === 0 && (value & bit) !== 0) k[frozen] = this.retired + 1 + (k[delta] ?? 0);
      if ((old & bit) !== 0 && (value & bit) === 0) k[delta] = (k[frozen] ?? 0) - this.retired - 1;
    }
    this.csr[SLOT.MCOUNTINHIBIT] = value;
  }

  /** Take the highest-priority enabled interrupt, if any; wakes WFI on any locally enabled one. */
  checkInterrupts(): boolean {
    const pending = this.mip() & (this.csr[SLOT.MIE] ?? 0);
    if (pending === 0) return false;
    this.waiting = false;
    const irq = selectInterrupt(this, pending);
    if (irq < 0) return false;
    takeTrap(this, irq, true, 0, 0, 0, 0);
    return true;
  }

  /** Record a synchronous exception for the current instruction. */
  raise(cause: number, tval: number): void {
    this.excCause = cause;
    this.excTval = tval;
    this.excTval2 = 0;
    this.excTinst = 0;
    this.excGva = 0;
  }

  /** Deliver the recorded exception (h.pc is the faulting instruction). */
  takeException(): void {
    const cause = this.excCause;
    this.excCause = -1;
    takeTrap(this, cause, false, this.excTval, this.excTval2, this.excTinst, this.excGva);
  }

  // ---- the run loop ----

  /**
   * Run up to `budget` steps; returns the steps taken: instructions retired plus exceptions
   * taken (a trapping instruction spends budget without retiring). Interrupts are polled
   * before each block and after every SYSTEM instruction or trap, never inside a block.
   */
  run(budget: number): number {
    let done = 0;
    this.stop = false;
    while (done < budget && !this.stop) {
      this.checkInterrupts();
      if (this.waiting || this.stop) break;
      const n = this.runBlock(budget - done);
      done += n;
      this.retired += n;
      const exit = this.blockExit;
      if (exit === BLOCK_EXIT.SYSTEM) {
        this.excCause = -1;
        execSystem(this, this.sysInsn);
        if (this.excCause >= 0) this.takeException();
        else this.retired++;
        done++;
      } else if (exit === BLOCK_EXIT.EXCEPTION) {
        this.takeException();
        // A trap retires nothing but still spends budget, so a trap loop cannot hang the caller.
        done++;
      }
    }
    return done;
  }

  /** Execute one instruction (debugger single step); returns 1 if it retired, else 0. */
  step(): number {
    return this.run(1);
  }

  /**
   * The interpreter. Executes pre-decoded instructions of the current fetch page until the
   * budget is spent, a SYSTEM instruction is reached (not executed), an exception is recorded,
   * or a device store, a stop request or a code write asks to leave. Returns instructions retired.
   */
  runBlock(budget: number): number {
    const x = this.x;
    const m8 = this.m8;
    const u8 = this.u8;
    const m16 = this.m16;
    const u16 = this.u16;
    const m32 = this.m32;
    const rTag = this.rTag;
    const rOff = this.rOff;
    const wTag = this.wTag;
    const wOff = this.wOff;
    const dctx = this.dctx;
    const cache = this.decoded;
    const bus = this.bus;
    let ops: Int32Array = this.scratch;
    let pc = this.pc | 0;
    let fpage = 1;
    let foff = 0;
    let n = 0;
    let exit = 0;
    this.excCause = -1;
    cache.invalidated = false;
    loop: while (n < budget) {
      const i = (pc & 0xfff) >> 1;
      if ((pc & -4096) !== fpage) {
        const page = fetchPage(this, pc);
        if (page >= 0) {
          ops = cache.page(page);
          fpage = pc & -4096;
          foff = this.fOff;
        } else if (page === -1) {
          ops = this.scratch;
          fpage = 1;
          decodeInto(ops, i, this.fInsn);
        } else {
          exit = 2;
          break;
        }
      }
      let op = ops[i]!;
      if (op === 0) op = decodeInto(ops, i, m32[(pc + foff) >> 2]!);
      n++;
      switch (op & 0xff) {
        case 1: // LUI
          x[(op >> 8) & 63] = ops[i + 1]!;
          break;
        case 2: // AUIPC
          x[(op >> 8) & 63] = (pc + ops[i + 1]!) | 0;
          break;
        case 3: {
          // JAL
          const imm = ops[i + 1]!;
          if ((imm & 3) !== 0) {
            this.raise(0, (pc + imm) | 0);
            this.excGva = this.virt;
            exit = 2;
            n--;
            break loop;
          }
          x[(op >> 8) & 63] = (pc + 4) | 0;
          pc = (pc + imm) | 0;
          continue loop;
        }
        case 4: {
          // JALR
          const t = (x[(op >> 14) & 31]! + ops[i + 1]!) & -2;
          if ((t & 3) !== 0) {
            this.raise(0, t);
            this.excGva = this.virt;
            exit = 2;
            n--;
            break loop;
          }
          x[(op >> 8) & 63] = (pc + 4) | 0;
          pc = t;
          continue loop;
        }
        case 5: // BEQ
          if (x[(op >> 14) & 31] === x[(op >> 19) & 31]) {
            pc = (pc + ops[i + 1]!) | 0;
            continue loop;
          }
          break;
        case 6: // BNE
          if (x[(op >> 14) & 31] !== x[(op >> 19) & 31]) {
            pc = (pc + ops[i + 1]!) | 0;
            continue loop;
          }
          break;
        case 7: // BLT
          if (x[(op >> 14) & 31]! < x[(op >> 19) & 31]!) {
            pc = (pc + ops[i + 1]!) | 0;
            continue loop;
          }
          break;
        case 8: // BGE
          if (x[(op >> 14) & 31]! >= x[(op >> 19) & 31]!) {
            pc = (pc + ops[i + 1]!) | 0;
            continue loop;
          }
          break;
        case 9: // BLTU
          if (x[(op >> 14) & 31]! >>> 0 < x[(op >> 19) & 31]! >>> 0) {
            pc = (pc + ops[i + 1]!) | 0;
            continue loop;
          }
          break;
        case 10: // BGEU
          if (x[(op >> 14) & 31]! >>> 0 >= x[(op >> 19) & 31]! >>> 0) {
            pc = (pc + ops[i + 1]!) | 0;
            continue loop;
          }
          break;
        case 11: // LB
        case 12: // LH
        case 13: // LW
        case 14: // LBU
        case 15: {
          // LHU
          const kind = op & 0xff;
          const va = (x[(op >> 14) & 31]! + ops[i + 1]!) | 0;
          const vpn = va >>> 12;
          const ti = vpn & 255;
          if (rTag[ti] === (vpn | dctx)) {
            const a = (va + rOff[ti]!) | 0;
            if (kind === 13) {
              if ((a & 3) === 0) {
                x[(op >> 8) & 63] = m32[a >> 2]!;
                pc = (pc + 4) | 0;
                continue loop;
              }
            } else if (kind === 11) {
              x[(op >> 8) & 63] = m8[a]!;
              pc = (pc + 4) | 0;
              continue loop;
            } else if (kind === 14) {
              x[(op >> 8) & 63] = u8[a]!;
              pc = (pc + 4) | 0;
              continue loop;
            } else if ((a & 1) === 0) {
              x[(op >> 8) & 63] = kind === 12 ? m16[a >> 1]! : u16[a >> 1]!;
              pc = (pc + 4) | 0;
              continue loop;
            }
          }
          const v = loadSlow(
            this,
            va,
            LOAD_F3[kind - 11]!,
            fpage === 1 ? this.fInsn : m32[(pc + foff) >> 2]!,
          );
          if (this.excCause >= 0) {
            exit = 2;
            n--;
            break loop;
          }
          x[(op >> 8) & 63] = v;
          if (this.stop) {
            pc = (pc + 4) | 0;
            exit = 3;
            break loop;
          }
          break;
        }
        case 16: // SB
        case 17: // SH
        case 18: {
          // SW
          const kind = op & 0xff;
          const va = (x[(op >> 14) & 31]! + ops[i + 1]!) | 0;
          const v = x[(op >> 19) & 31]!;
          const vpn = va >>> 12;
          const ti = vpn & 255;
          if (wTag[ti] === (vpn | dctx)) {
            const a = (va + wOff[ti]!) | 0;
            if (kind === 18) {
              if ((a & 3) === 0) {
                m32[a >> 2] = v;
                pc = (pc + 4) | 0;
                continue loop;
              }
            } else if (kind === 16) {
              u8[a] = v;
              pc = (pc + 4) | 0;
              continue loop;
            } else if ((a & 1) === 0) {
              u16[a >> 1] = v;
              pc = (pc + 4) | 0;
              continue loop;
            }
          }
          storeSlow(this, va, kind - 16, v, fpage === 1 ? this.fInsn : m32[(pc + foff) >> 2]!);
          if (this.excCause >= 0) {
            exit = 2;
            n--;
            break loop;
          }
          if (this.stop || bus.deviceWritten || cache.invalidated) {
            // A device store may raise an interrupt (CLINT msip/mtimecmp) and a code write may
            // invalidate decoded entries: end the block so both take effect before the next
            // instruction. A device store also ends the run: the board re-plans its timers.
            if (bus.deviceWritten) this.stop = true;
            bus.deviceWritten = false;
            pc = (pc + 4) | 0;
            exit = 3;
            break loop;
          }
          break;
        }
        case 19: // ADDI
          x[(op >> 8) & 63] = (x[(op >> 14) & 31]! + ops[i + 1]!) | 0;
          break;
        case 20: // SLTI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! < ops[i + 1]! ? 1 : 0;
          break;
        case 21: // SLTIU
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! >>> 0 < ops[i + 1]! >>> 0 ? 1 : 0;
          break;
        case 22: // XORI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! ^ ops[i + 1]!;
          break;
        case 23: // ORI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! | ops[i + 1]!;
          break;
        case 24: // ANDI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! & ops[i + 1]!;
          break;
        case 25: // SLLI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! << ops[i + 1]!;
          break;
        case 26: // SRLI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! >>> ops[i + 1]!;
          break;
        case 27: // SRAI
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! >> ops[i + 1]!;
          break;
        case 28: // ADD
          x[(op >> 8) & 63] = (x[(op >> 14) & 31]! + x[(op >> 19) & 31]!) | 0;
          break;
        case 29: // SUB
          x[(op >> 8) & 63] = (x[(op >> 14) & 31]! - x[(op >> 19) & 31]!) | 0;
          break;
        case 30: // SLL
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! << x[(op >> 19) & 31]!;
          break;
        case 31: // SLT
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! < x[(op >> 19) & 31]! ? 1 : 0;
          break;
        case 32: // SLTU
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! >>> 0 < x[(op >> 19) & 31]! >>> 0 ? 1 : 0;
          break;
        case 33: // XOR
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! ^ x[(op >> 19) & 31]!;
          break;
        case 34: // SRL
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! >>> x[(op >> 19) & 31]!;
          break;
        case 35: // SRA
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! >> x[(op >> 19) & 31]!;
          break;
        case 36: // OR
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! | x[(op >> 19) & 31]!;
          break;
        case 37: // AND
          x[(op >> 8) & 63] = x[(op >> 14) & 31]! & x[(op >> 19) & 31]!;
          break;
        case 38: // MUL
          x[(op >> 8) & 63] = Math.imul(x[(op >> 14) & 31]!, x[(op >> 19) & 31]!);
          break;
        case 39: // MULH
          x[(op >> 8) & 63] = mulh(x[(op >> 14) & 31]!, x[(op >> 19) & 31]!);
          break;
        case 40: // MULHSU
          x[(op >> 8) & 63] = mulhsu(x[(op >> 14) & 31]!, x[(op >> 19) & 31]!);
          break;
        case 41: // MULHU
          x[(op >> 8) & 63] = mulhu(x[(op >> 14) & 31]!, x[(op >> 19) & 31]!);
          break;
        case 42: {
          // DIV
          const a = x[(op >> 14) & 31]!;
          const b = x[(op >> 19) & 31]!;
          x[(op >> 8) & 63] = b === 0 ? -1 : a === -0x8000_0000 && b === -1 ? a : (a / b) | 0;
          break;
        }
        case 43: {
          // DIVU
          const b = x[(op >> 19) & 31]!;
          x[(op >> 8) & 63] = b === 0 ? -1 : ((x[(op >> 14) & 31]! >>> 0) / (b >>> 0)) | 0;
          break;
        }
        case 44: {
          // REM
          const a = x[(op >> 14) & 31]!;
          const b = x[(op >> 19) & 31]!;
          x[(op >> 8) & 63] = b === 0 ? a : b === -1 ? 0 : (a % b) | 0;
          break;
        }
        case 45: {
          // REMU
          const a = x[(op >> 14) & 31]!;
          const b = x[(op >> 19) & 31]!;
          x[(op >> 8) & 63] = b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
          break;
        }
        case 46: // FENCE (every fm/pred/succ, incl. FENCE.TSO and PAUSE)
          break;
        case 47: // FENCE.I: decoded pages are dropped by every write reaching them (and such a
          // write ends the block), so fetch is already coherent: nothing to flush.
          break;
        case 48: {
          // LR.W SC.W AMO*.W
          amo(this, ops[i + 1]!);
          if (this.excCause >= 0) {
            exit = 2;
            n--;
            break loop;
          }
          if (this.stop || bus.deviceWritten || cache.invalidated) {
            if (bus.deviceWritten) this.stop = true;
            bus.deviceWritten = false;
            pc = (pc + 4) | 0;
            exit = 3;
            break loop;
          }
          break;
        }
        case 49:
          // SYSTEM: executed outside the block so the loop's cached context stays valid.
          n--;
          this.sysInsn = ops[i + 1]!;
          exit = 1;
          break loop;
        case 51:
          // A branch whose target is not 4-byte aligned: traps only when taken.
          if (branchTaken(x, ops[i + 1]!)) {
            this.raise(0, (pc + branchOffset(ops[i + 1]!)) | 0);
            this.excGva = this.virt;
            exit = 2;
            n--;
            break loop;
          }
          break;
        default:
          // ILLEGAL (decoded with the raw bits as its immediate)
          this.raise(2, ops[i + 1]!);
          exit = 2;
          n--;
          break loop;
      }
      pc = (pc + 4) | 0;
    }
    x[32] = 0;
    this.pc = pc;
    this.blockExit = exit;
    return n;
  }

  /** RAM offset of the page the last fetchPage located (RAM index = pc + fOff). */
  fOff = 0;
}
