// A minimal machine shaped like QEMU 7.2 `virt` (hw/riscv/virt.c): RAM at 0x80000000, the
// SiFive test finisher at 0x100000, the CLINT/ACLINT at 0x2000000, an NS16550A at 0x10000000,
// plus HTIF tohost/fromhost when the loaded ELF has those symbols. Harts run interleaved in
// fixed quanta; virtual time advances with retired instructions (instructionsPerTick), and
// when every hart waits in WFI time jumps to the next timer deadline. Deterministic.
import type { Clock, DeviceLog } from './device';
import { Hart } from './cpu/hart';
import { MIP } from '../spec/riscv-priv';
import { SLOT } from './cpu/csr-slots';
import { Aclint } from './devices/aclint';
import { Htif } from './devices/htif';
import { TestFinisher, type FinisherEvent } from './devices/test-finisher';
import { UartNs16550a } from './devices/uart-ns16550a';
import type { ElfImage } from './elf';
import { PhysicalBus } from './memory/physical-bus';
import { Ram } from './memory/ram';

export const VIRT_BOARD_MAP = {
  TEST: 0x0010_0000,
  CLINT: 0x0200_0000,
  UART0: 0x1000_0000,
  DRAM: 0x8000_0000,
} as const;

/** menvcfgh/henvcfgh.STCE (Sstc enable, bit 63 of the 64-bit register). */
const STCE = 1 << 31;

/** Longest run of a lone hart between interrupt polls when no timer deadline is nearer. */
const SINGLE_HART_CHUNK = 100_000;

/** Where QEMU's reset ROM leaves a2 (the fw_dynamic_info it builds at 0x1000 + 40). */
const QEMU_FW_DYN_INFO = 0x1028;

export interface VirtBoardOptions {
  harts?: number;
  ramSize?: number;
  onOutput?: (bytes: Uint8Array) => void;
  log?: DeviceLog;
  /** Retired instructions per timebase tick (10 MHz timebase; default 100, a nominal 1 GHz hart). */
  instructionsPerTick?: number;
  /** Instructions each hart runs before the next one gets its turn (several harts). */
  quantum?: number;
}

export type BoardExitReason = 'finisher' | 'tohost';

export interface BoardExit {
  readonly reason: BoardExitReason;
  readonly code: number;
}

/** Unknown device accesses, kept (bounded) for the caller to report. */
export class CollectingLog implements DeviceLog {
  readonly entries: string[] = [];
  dropped = 0;
  unknownAccess(device: string, kind: 'read' | 'write', offset: number, width: number, value?: number): void {
    if (this.entries.length >= 100) {
      this.dropped++;
      return;
    }
    const v = value === undefined ? '' : ` value 0x${(value >>> 0).toString(16)}`;
    this.entries.push(`${device}: unknown ${width}-byte ${kind} at offset 0x${offset.toString(16)}${v}`);
  }
}

export class VirtBoard {
  readonly ram: Ram;
  readonly bus: PhysicalBus;
  readonly harts: Hart[] = [];
  readonly uart: UartNs16550a;
  readonly aclint: Aclint;
  readonly finisher: TestFinisher;
  readonly log: DeviceLog;
  htif: Htif | null = null;
  /** The hart whose debugger stopped the last run() at a breakpoint, or null. */
  breakpointHart: Hart | null = null;
  exit: BoardExit | null = null;
  /** Instructions retired by all harts. */
  instructions = 0;
  /** Elapsed virtual time in instructions (drives the clock). */
  private elapsed = 0;
  private readonly ipt: number;
  private readonly quantum: number;
  private image: ElfImage | null = null;
  private dirty = false;
  /** The hart inside run() and its retired count when it started (for the clock). */
  private running: Hart | null = null;
  private runningFrom = 0;
  private resetPending = false;
  private dtbAddress = 0;
  private dtb: Uint8Array | null = null;
  readonly clock: Clock;

  constructor(options: VirtBoardOptions = {}) {
    const harts = options.harts ?? 1;
    if (!Number.isInteger(harts) || harts < 1 || harts > 8)
      throw new RangeError(`harts must be 1..8, got ${harts}`);
    this.ipt = options.instructionsPerTick ?? 100;
    this.quantum = options.quantum ?? 1000;
    if (!(this.ipt > 0) || !Number.isInteger(this.quantum) || this.quantum < 1)
      throw new RangeError('instructionsPerTick and quantum must be positive');
    this.log = options.log ?? new CollectingLog();
    this.ram = new Ram(VIRT_BOARD_MAP.DRAM, options.ramSize ?? 128 * 1024 * 1024);
    this.bus = new PhysicalBus(this.ram);
    // Time includes the running hart's progress in its current chunk, so it reads exactly.
    this.clock = {
      now: () =>
        Math.floor(
          (this.elapsed + (this.running === null ? 0 : this.running.retired - this.runningFrom)) / this.ipt,
        ),
    };
    // The harts' time CSR is the CLINT's mtime (as QEMU's rdtime), so writing mtime moves it too.
    const mtime: Clock = { now: () => this.aclint.mtime() };
    for (let i = 0; i < harts; i++) this.harts.push(new Hart(i, this.bus, mtime));
    const output = options.onOutput ?? (() => undefined);
    this.uart = new UartNs16550a((b) => output(Uint8Array.of(b)), this.log);
    const lines = this.harts.map((h) => ({
      setSoftware: (level: boolean) => h.setInterruptLine(MIP.MSIP, level),
      setTimer: (level: boolean) => h.setInterruptLine(MIP.MTIP, level),
    }));
    this.aclint = new Aclint(this.clock, lines, this.log);
    this.finisher = new TestFinisher((e) => this.onFinisher(e), this.log);
    this.bus.addDevice(VIRT_BOARD_MAP.TEST, this.finisher);
    this.bus.addDevice(VIRT_BOARD_MAP.CLINT, this.aclint);
    this.bus.addDevice(VIRT_BOARD_MAP.UART0, this.uart);
    this.outputSink = output;
  }

  private readonly outputSink: (bytes: Uint8Array) => void;

  private stopAll(): void {
    for (const h of this.harts) h.stop = true;
  }

  private onFinisher(e: FinisherEvent): void {
    if (e.kind === 'exit') {
      this.exit = { reason: 'finisher', code: e.code };
      this.stopAll();
    } else {
      // Reset between hart runs: the hart executing the store still has to finish its block.
      this.resetPending = true;
      this.stopAll();
    }
  }

  /**
   * Load an ELF image (and optionally a DTB) and reset every hart to its entry, as QEMU's reset
   * vector leaves them: M-mode, a0 = mhartid, a1 = DTB address (0 without one), a2 = 0x1028.
   */
  load(image: ElfImage, dtb?: Uint8Array): void {
    if (this.image !== null) throw new Error('this board already holds a program');
    const r = this.ram;
    for (const s of image.segments) {
      if (s.memsz === 0) continue;
      if (!r.contains(s.paddr, s.memsz)) {
        throw new RangeError(
          `segment at 0x${s.paddr.toString(16)} (+0x${s.memsz.toString(16)}) is outside RAM 0x${r.base.toString(16)}..0x${(r.base + r.size).toString(16)}`,
        );
      }
    }
    if (dtb !== undefined) {
      if (dtb.length === 0 || dtb.length > r.size / 2)
        throw new RangeError(`DTB of ${dtb.length} bytes does not fit`);
      // QEMU 7.2 riscv_load_fdt: 2 MiB aligned, below min(RAM end, 3 GiB).
      const top = Math.min(r.base + r.size, 0xc000_0000);
      this.dtbAddress = Math.floor((top - dtb.length) / 0x20_0000) * 0x20_0000;
      for (const s of image.segments) {
        if (s.paddr < this.dtbAddress + dtb.length && this.dtbAddress < s.paddr + s.memsz)
          throw new RangeError('the program overlaps where the DTB goes');
      }
      this.dtb = dtb;
    }
    this.attachHtif(image);
    this.image = image;
    this.resetMachine();
  }

  private attachHtif(image: ElfImage): void {
    const to = image.symbols.get('tohost');
    if (to === undefined) return;
    const from = image.symbols.get('fromhost');
    if (to % 8 !== 0 || !this.ram.contains(to, 8))
      throw new RangeError(`tohost at 0x${to.toString(16)} must be an 8-byte aligned RAM address`);
    const host = {
      exit: (code: number) => {
        this.exit = { reason: 'tohost', code };
        this.stopAll();
      },
      output: (bytes: Uint8Array) => this.outputSink(bytes),
      readPhysical: (pa: number, length: number) => this.bus.readBytes(pa, length),
      writePhysical: (pa: number, bytes: Uint8Array) => this.bus.writeBytes(pa, bytes),
    };
    this.htif = new Htif(host, this.log);
    this.bus.addDevice(to, this.htif.tohost);
    if (from !== undefined && from % 8 === 0 && this.ram.contains(from, 8))
      this.bus.addDevice(from, this.htif.fromhost);
  }

  private resetMachine(): void {
    const image = this.image;
    if (image === null) return;
    const r = this.ram;
    // A fresh ArrayBuffer is already zero; only a reset after running needs the (costly) clear.
    if (this.dirty) r.u8.fill(0);
    this.dirty = true;
    for (const s of image.segments) r.u8.set(s.data, s.paddr - r.base);
    if (this.dtb !== null) r.u8.set(this.dtb, this.dtbAddress - r.base);
    this.bus.codeWritten(0, r.size);
    this.uart.reset();
    this.aclint.reset();
    this.htif?.tohost.reset();
    this.htif?.fromhost.reset();
    for (const h of this.harts) {
      h.reset(image.entry);
      h.x[10] = h.id;
      h.x[11] = this.dtb === null ? 0 : this.dtbAddress;
      h.x[12] = QEMU_FW_DYN_INFO;
      h.x[5] = image.entry;
    }
  }

  /** Address the DTB was placed at (0 when none). */
  get dtbAddr(): number {
    return this.dtb === null ? 0 : this.dtbAddress;
  }

  /**
   * Run until a program exit or until `maxInstructions` more instructions have retired.
   * Returns the instructions retired by this call. A hart with an active debugger is stepped.
   */
  run(maxInstructions: number): number {
    const start = this.instructions;
    this.breakpointHart = null;
    const limit = start + maxInstructions;
    while (this.exit === null && this.instructions < limit) {
      this.aclint.update();
      let progressed = 0;
      let allWaiting = true;
      for (const h of this.harts) {
        if (this.exit !== null) break;
        const budget = Math.min(
          this.harts.length === 1 ? this.untilDeadline() : this.quantum,
          limit - this.instructions,
        );
        if (budget <= 0) break;
        this.running = h;
        this.runningFrom = h.retired;
        let n: number;
        if (h.debug !== null && h.debug.active) {
          const stop = h.debug.continue(budget);
          n = stop.retired;
          if (stop.reason === 'breakpoint') this.breakpointHart = h;
        } else n = h.run(budget);
        this.running = null;
        this.instructions += n;
        progressed = Math.max(progressed, n);
        if (!h.waiting) allWaiting = false;
        h.resValid = false;
        if (this.breakpointHart !== null) break;
        if (this.resetPending) {
          this.resetPending = false;
          this.resetMachine();
          break;
        }
      }
      if (progressed > 0) this.elapsed += progressed;
      if (this.breakpointHart !== null) break;
      else if (allWaiting && !this.skipIdle()) break;
    }
    return this.instructions - start;
  }

  /**
   * Earliest future timer deadline (CLINT mtimecmp, Sstc stimecmp and vstimecmp) in board
   * ticks, or Infinity. Deadlines already passed are pending interrupts, not future events.
   */
  private nextDeadline(): number {
    const now = Math.floor(this.elapsed / this.ipt);
    let deadline = Infinity;
    const consider = (t: number): void => {
      if (t > now && t < deadline) deadline = t;
    };
    for (let i = 0; i < this.harts.length; i++) consider(this.aclint.deadline(i));
    // Sstc compares against mtime, which is the board clock plus the CLINT's offset.
    const offset = this.aclint.mtime() - this.clock.now();
    for (const h of this.harts) {
      const c = h.csr;
      if (((c[SLOT.MENVCFGH] ?? 0) & STCE) === 0) continue;
      consider(((c[SLOT.STIMECMPH] ?? 0) >>> 0) * 0x1_0000_0000 + ((c[SLOT.STIMECMP] ?? 0) >>> 0) - offset);
      if (((c[SLOT.HENVCFGH] ?? 0) & STCE) !== 0) {
        // vstimecmp compares against time + htimedelta: its deadline in board time is shifted back.
        const delta = (c[SLOT.HTIMEDELTAH] ?? 0) * 0x1_0000_0000 + ((c[SLOT.HTIMEDELTA] ?? 0) >>> 0);
        consider(
          ((c[SLOT.VSTIMECMPH] ?? 0) >>> 0) * 0x1_0000_0000 +
            ((c[SLOT.VSTIMECMP] ?? 0) >>> 0) -
            delta -
            offset,
        );
      }
    }
    return deadline;
  }

  /**
   * A single hart runs up to the next timer deadline (capped), so timer interrupts are taken
   * at the exact instruction without polling.
   */
  private untilDeadline(): number {
    const remaining = Math.ceil(this.nextDeadline() * this.ipt - this.elapsed);
    return remaining >= 1 && remaining < SINGLE_HART_CHUNK ? remaining : SINGLE_HART_CHUNK;
  }

  /** All harts wait: advance time to the next deadline. False when nothing can ever wake them. */
  private skipIdle(): boolean {
    const deadline = this.nextDeadline();
    if (!Number.isFinite(deadline) || deadline >= 2 ** 52) return false;
    const target = Math.max(deadline * this.ipt, this.elapsed + this.ipt);
    this.elapsed = Math.ceil(target);
    return true;
  }
}
