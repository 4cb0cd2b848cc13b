// The board's IOMMU: every device DMA goes through a DmaPort it hands out, translated by the
// device's context (a 32-byte entry in a one-level device directory table in RAM) and its
// Sv32x4 G-stage table; faults are logged with device, address and cause, never thrown.
// Invariants: Bare mode (power-on) is identity; a faulting write changes no byte of memory;
// DMA never reaches outside RAM. Modelled on the RISC-V IOMMU spec 1.0 (DDTP, DC, iohgatp,
// cause codes); simplified: no IOTLB or DC cache (nothing to invalidate), no first stage,
// no command queue, and an MMIO fault window instead of an in-memory fault queue (docs/hw/iommu.md).
import type { AccessWidth, DeviceLog, DmaFault, DmaPort, IrqLine, MmioDevice } from '../device';
import { type DeviceRegister, DeviceRegisters } from '../device-registers';
import { type PageTableMemory, SV32X4, walkSv32x4, type WalkAccess } from './sv32x4-walk';

export const IOMMU_REG = {
  CAPABILITIES: 0x00,
  DDTP: 0x10,
  FAULT_CONTROL: 0x18,
  FAULT_STATUS: 0x1c,
  FAULT_COUNT: 0x20,
  FAULT_POP: 0x24,
  FAULT_CAUSE: 0x28,
  FAULT_DEVICE_ID: 0x2c,
  FAULT_IOVA: 0x30,
  FAULT_TTYP: 0x34,
  FAULT_DROPPED: 0x38,
} as const;

/** DDTP.iommu_mode (IOMMU spec table 3); 1LVL only: the device ID indexes one 4 KiB page of DCs. */
export const IOMMU_MODE = { OFF: 0, BARE: 1, ONE_LEVEL: 2 } as const;
/** Cause codes of the RISC-V IOMMU spec 1.0, table 11. */
export const IOMMU_CAUSE = {
  READ_ACCESS_FAULT: 5,
  WRITE_ACCESS_FAULT: 7,
  READ_GUEST_PAGE_FAULT: 21,
  WRITE_GUEST_PAGE_FAULT: 23,
  ALL_INBOUND_DISALLOWED: 256,
  DDT_ENTRY_LOAD_ACCESS_FAULT: 257,
  DDT_ENTRY_NOT_VALID: 258,
  DDT_ENTRY_MISCONFIGURED: 259,
} as const;
/** Transaction types (IOMMU spec table 12): untranslated read and write. */
export const IOMMU_TTYP = { UNTRANSLATED_READ: 2, UNTRANSLATED_WRITE: 3 } as const;
export const IOMMU_DC = {
  SIZE: 32,
  TC_V: 1 << 0,
  TC_GADE: 1 << 7,
  IOHGATP_MODE_BARE: 0,
  IOHGATP_MODE_SV32X4: 8,
  MAX_DEVICES: 128,
} as const;
/** CAPABILITIES: version 1.0 (0x10) and Sv32x4 (bit 16). */
const CAPABILITIES_VALUE = 0x10 | (1 << 16);
const FAULT_LOG_LIMIT = 64;
export const IOMMU_STATE_VERSION = 1;

export interface IommuFault {
  readonly deviceId: number;
  readonly iova: number;
  readonly cause: number;
  readonly ttyp: number;
  readonly dmaCause: DmaFault['cause'];
  readonly reason: string;
}

/** Physical memory for DMA and table reads; `ram` bounds what DMA may touch. */
export interface DmaMemory {
  readBytes(pa: number, length: number): Uint8Array;
  writeBytes(pa: number, bytes: Uint8Array): void;
}

export interface IommuState {
  readonly version: number;
  readonly ddtp: number;
  readonly faultControl: number;
  readonly faultStatus: number;
  readonly dropped: number;
  readonly faults: readonly IommuFault[];
}

type Translation = { ok: true; pa: number } | { ok: false; fault: IommuFault };

export class Iommu implements MmioDevice {
  readonly name = 'iommu';
  readonly size = 0x1000;
  private ddtp: number = IOMMU_MODE.BARE;
  private faultControl = 0;
  private faultStatus = 0;
  private dropped = 0;
  private faults: IommuFault[] = [];
  private readonly registers: DeviceRegisters<keyof typeof IOMMU_REG>;
  private readonly tables: PageTableMemory;

  constructor(
    private readonly memory: DmaMemory,
    private readonly ram: { readonly base: number; readonly size: number },
    private readonly irq: IrqLine,
    private readonly log: DeviceLog,
  ) {
    this.tables = {
      read32: (pa) => {
        const b = this.memory.readBytes(pa, 4);
        return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
      },
      write32: (pa, v) => {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, v >>> 0, true);
        this.memory.writeBytes(pa, b);
      },
      inRam: (pa, len) => this.inRam(pa, len),
    };
    const oldest = (): IommuFault | undefined => this.faults[0];
    const table: readonly DeviceRegister<keyof typeof IOMMU_REG>[] = [
      { offset: IOMMU_REG.CAPABILITIES, name: 'CAPABILITIES', read: () => CAPABILITIES_VALUE },
      { offset: IOMMU_REG.DDTP, name: 'DDTP', read: () => this.ddtp, write: (v) => this.setDdtp(v) },
      {
        offset: IOMMU_REG.FAULT_CONTROL,
        name: 'FAULT_CONTROL',
        read: () => this.faultControl,
        write: (v) => {
          this.faultControl = v & 1;
          this.updateIrq();
        },
      },
      {
        offset: IOMMU_REG.FAULT_STATUS,
        name: 'FAULT_STATUS',
        read: () => this.faultStatus,
        write: (v) => {
          this.faultStatus &= ~v;
          this.updateIrq();
        },
      },
      { offset: IOMMU_REG.FAULT_COUNT, name: 'FAULT_COUNT', read: () => this.faults.length },
      {
        offset: IOMMU_REG.FAULT_POP,
        name: 'FAULT_POP',
        read: () => 0,
        write: () => {
          this.faults.shift();
        },
      },
      { offset: IOMMU_REG.FAULT_CAUSE, name: 'FAULT_CAUSE', read: () => oldest()?.cause ?? 0 },
      { offset: IOMMU_REG.FAULT_DEVICE_ID, name: 'FAULT_DEVICE_ID', read: () => oldest()?.deviceId ?? 0 },
      { offset: IOMMU_REG.FAULT_IOVA, name: 'FAULT_IOVA', read: () => oldest()?.iova ?? 0 },
      { offset: IOMMU_REG.FAULT_TTYP, name: 'FAULT_TTYP', read: () => oldest()?.ttyp ?? 0 },
      { offset: IOMMU_REG.FAULT_DROPPED, name: 'FAULT_DROPPED', read: () => this.dropped },
    ];
    this.registers = new DeviceRegisters(this.name, table, log);
  }

  read(offset: number, width: AccessWidth): number {
    return this.registers.read(offset, width);
  }

  write(offset: number, width: AccessWidth, value: number): void {
    this.registers.write(offset, width, value);
  }

  reset(): void {
    this.ddtp = IOMMU_MODE.BARE;
    this.faultControl = 0;
    this.faultStatus = 0;
    this.dropped = 0;
    this.faults = [];
    this.updateIrq();
  }

  /** DDTP: mode in bits 3:0, PPN of the directory page in bits 31:10. Unknown modes are WARL: ignored. */
  private setDdtp(value: number): void {
    const mode = value & 0xf;
    if (mode > IOMMU_MODE.ONE_LEVEL) {
      this.log.unknownAccess(this.name, 'write', IOMMU_REG.DDTP, 4, value);
      return;
    }
    this.ddtp = (value & 0xffff_fc00) | mode;
  }

  /** The DMA view of one device (its IOMMU device ID). */
  port(deviceId: number): DmaPort {
    if (!Number.isInteger(deviceId) || deviceId < 0 || deviceId >= IOMMU_DC.MAX_DEVICES)
      throw new Error(`iommu: device ID ${deviceId} is not 0..127`);
    return {
      read: (address, length) => this.dmaRead(deviceId, address, length),
      write: (address, bytes) => this.dmaWrite(deviceId, address, bytes),
    };
  }

  /** Faults not yet popped, oldest first (the monitor and the lab read this). */
  faultLog(): readonly IommuFault[] {
    return [...this.faults];
  }

  private inRam(pa: number, length: number): boolean {
    return pa >= this.ram.base && pa + length <= this.ram.base + this.ram.size;
  }

  private dmaRead(deviceId: number, address: number, length: number): Uint8Array | DmaFault {
    const pieces = this.translateRange(deviceId, address, length, 'read');
    if (!Array.isArray(pieces)) return pieces;
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of pieces) {
      out.set(this.memory.readBytes(p.pa, p.length), at);
      at += p.length;
    }
    return out;
  }

  private dmaWrite(deviceId: number, address: number, bytes: Uint8Array): DmaFault | null {
    // Translate every page first: a fault anywhere leaves memory untouched.
    const pieces = this.translateRange(deviceId, address, bytes.length, 'write');
    if (!Array.isArray(pieces)) return pieces;
    let at = 0;
    for (const p of pieces) {
      this.memory.writeBytes(p.pa, bytes.subarray(at, at + p.length));
      at += p.length;
    }
    return null;
  }

  private translateRange(
    deviceId: number,
    address: number,
    length: number,
    access: WalkAccess,
  ): Array<{ pa: number; length: number }> | DmaFault {
    const pieces: Array<{ pa: number; length: number }> = [];
    if (
      !Number.isInteger(address) ||
      address < 0 ||
      !Number.isInteger(length) ||
      length < 0 ||
      address + length > 2 ** 32
    ) {
      return this.record({
        deviceId,
        iova: address >>> 0,
        cause: access === 'read' ? IOMMU_CAUSE.READ_ACCESS_FAULT : IOMMU_CAUSE.WRITE_ACCESS_FAULT,
        ttyp: ttypOf(access),
        dmaCause: 'bus-error',
        reason: `range 0x${address.toString(16)}+${length} is outside the 32-bit bus`,
      });
    }
    for (let iova = address; iova < address + length;) {
      const chunk = Math.min(SV32X4.PAGE_SIZE - (iova % SV32X4.PAGE_SIZE), address + length - iova);
      const t = this.translate(deviceId, iova, access);
      if (!t.ok) return this.record(t.fault);
      if (!this.inRam(t.pa, chunk)) {
        const cause = access === 'read' ? IOMMU_CAUSE.READ_ACCESS_FAULT : IOMMU_CAUSE.WRITE_ACCESS_FAULT;
        return this.record({
          deviceId,
          iova,
          cause,
          ttyp: ttypOf(access),
          dmaCause: 'bus-error',
          reason: `physical 0x${t.pa.toString(16)} is outside RAM`,
        });
      }
      pieces.push({ pa: t.pa, length: chunk });
      iova += chunk;
    }
    return pieces;
  }

  private translate(deviceId: number, iova: number, access: WalkAccess): Translation {
    const fault = (cause: number, dmaCause: DmaFault['cause'], reason: string): Translation => ({
      ok: false,
      fault: { deviceId, iova, cause, ttyp: ttypOf(access), dmaCause, reason },
    });
    const mode = this.ddtp & 0xf;
    if (mode === IOMMU_MODE.BARE) return { ok: true, pa: iova };
    if (mode === IOMMU_MODE.OFF)
      return fault(IOMMU_CAUSE.ALL_INBOUND_DISALLOWED, 'unmapped', 'IOMMU is Off: all DMA is disallowed');
    const dcAddr = (this.ddtp >>> 10) * SV32X4.PAGE_SIZE + deviceId * IOMMU_DC.SIZE;
    if (!this.inRam(dcAddr, IOMMU_DC.SIZE))
      return fault(
        IOMMU_CAUSE.DDT_ENTRY_LOAD_ACCESS_FAULT,
        'bus-error',
        `device context at 0x${dcAddr.toString(16)} is outside RAM`,
      );
    const dcBytes = this.memory.readBytes(dcAddr, IOMMU_DC.SIZE);
    const dc = new DataView(dcBytes.buffer, dcBytes.byteOffset, IOMMU_DC.SIZE);
    const tc = dc.getUint32(0, true);
    if ((tc & IOMMU_DC.TC_V) === 0)
      return fault(IOMMU_CAUSE.DDT_ENTRY_NOT_VALID, 'unmapped', `device ${deviceId} has no valid context`);
    const gatpLo = dc.getUint32(8, true);
    const gatpMode = dc.getUint32(12, true) >>> 28;
    if (dc.getUint32(24, true) !== 0 || dc.getUint32(28, true) !== 0)
      return fault(
        IOMMU_CAUSE.DDT_ENTRY_MISCONFIGURED,
        'unmapped',
        'first-stage (fsc) translation is not supported',
      );
    if (gatpMode === IOMMU_DC.IOHGATP_MODE_BARE) return { ok: true, pa: iova };
    if (gatpMode !== IOMMU_DC.IOHGATP_MODE_SV32X4)
      return fault(
        IOMMU_CAUSE.DDT_ENTRY_MISCONFIGURED,
        'unmapped',
        `iohgatp mode ${gatpMode} is not Bare or Sv32x4`,
      );
    const root = (gatpLo & 0x3f_ffff) * SV32X4.PAGE_SIZE;
    const w = walkSv32x4(this.tables, root, iova, access, (tc & IOMMU_DC.TC_GADE) !== 0);
    if (w.ok) return w;
    if (w.fault === 'access-fault')
      return fault(
        access === 'read' ? IOMMU_CAUSE.READ_ACCESS_FAULT : IOMMU_CAUSE.WRITE_ACCESS_FAULT,
        'bus-error',
        w.reason,
      );
    const cause = access === 'read' ? IOMMU_CAUSE.READ_GUEST_PAGE_FAULT : IOMMU_CAUSE.WRITE_GUEST_PAGE_FAULT;
    return fault(
      cause,
      w.denied ? (access === 'read' ? 'read-denied' : 'write-denied') : 'unmapped',
      w.reason,
    );
  }

  private record(fault: IommuFault): DmaFault {
    if (this.faults.length >= FAULT_LOG_LIMIT) this.dropped++;
    else this.faults.push(fault);
    this.faultStatus |= 1;
    this.updateIrq();
    return { address: fault.iova, cause: fault.dmaCause };
  }

  private updateIrq(): void {
    this.irq((this.faultControl & 1) === 1 && (this.faultStatus & 1) === 1);
  }

  saveState(): IommuState {
    return {
      version: IOMMU_STATE_VERSION,
      ddtp: this.ddtp,
      faultControl: this.faultControl,
      faultStatus: this.faultStatus,
      dropped: this.dropped,
      faults: this.faults.map((f) => ({ ...f })),
    };
  }

  loadState(state: IommuState): void {
    if (state.version !== IOMMU_STATE_VERSION)
      throw new Error(`iommu: state version ${String(state.version)} is not ${IOMMU_STATE_VERSION}`);
    if (!Array.isArray(state.faults) || state.faults.length > FAULT_LOG_LIMIT)
      throw new Error('iommu: state fault log is not an array of at most 64 records');
    this.ddtp = state.ddtp >>> 0;
    this.faultControl = state.faultControl & 1;
    this.faultStatus = state.faultStatus & 1;
    this.dropped = state.dropped >>> 0;
    this.faults = state.faults.map((f) => ({ ...f }));
    this.updateIrq();
  }
}

function ttypOf(access: WalkAccess): number {
  return access === 'read' ? IOMMU_TTYP.UNTRANSLATED_READ : IOMMU_TTYP.UNTRANSLATED_WRITE;
}
