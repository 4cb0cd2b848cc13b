// IOMMU against the RISC-V IOMMU spec 1.0 (DDTP modes, device context, cause codes) and the
// priv spec's Sv32x4 format: page tables are built here by hand from the spec's bit layout,
// and every expected physical address is computed from it, not from the walker.
import { beforeEach, describe, expect, it } from 'vitest';
import { isDmaFault } from '../../../core/hw/device';
import { Iommu, IOMMU_CAUSE, IOMMU_MODE, IOMMU_REG, type DmaMemory } from '../../../core/hw/iommu/iommu';

const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 0x40_0000 * 2; // 8 MiB: room for a 4 MiB superpage
const DDT = RAM_BASE + 0x1000;
const ROOT = RAM_BASE + 0x4000; // 16 KiB aligned
const L0 = RAM_BASE + 0x8000;
const V = 1,
  R = 2,
  W = 4,
  U = 16,
  A = 64,
  D = 128;

class Ram implements DmaMemory {
  readonly bytes = new Uint8Array(RAM_SIZE);
  readBytes(pa: number, length: number): Uint8Array {
    if (pa < RAM_BASE || pa + length > RAM_BASE + RAM_SIZE)
      throw new Error(`test RAM: read outside at 0x${pa.toString(16)}`);
    return this.bytes.slice(pa - RAM_BASE, pa - RAM_BASE + length);
  }
  writeBytes(pa: number, data: Uint8Array): void {
    if (pa < RAM_BASE || pa + data.length > RAM_BASE + RAM_SIZE)
      throw new Error(`test RAM: write outside at 0x${pa.toString(16)}`);
    this.bytes.set(data, pa - RAM_BASE);
  }
  w32(pa: number, v: number): void {
    new DataView(this.bytes.buffer).setUint32(pa - RAM_BASE, v >>> 0, true);
  }
  r32(pa: number): number {
    return new DataView(this.bytes.buffer).getUint32(pa - RAM_BASE, true);
  }
}

const pte = (pa: number, flags: number): number => (((pa / 4096) << 10) | flags) >>> 0;

describe('IOMMU', () => {
  let ram: Ram;
  let iommu: Iommu;
  let irq: boolean[];
  let unknown: number[];
  beforeEach(() => {
    ram = new Ram();
    irq = [];
    unknown = [];
    iommu = new Iommu(ram, { base: RAM_BASE, size: RAM_SIZE }, (l) => irq.push(l), {
      unknownAccess: (_d, _k, off) => unknown.push(off),
    });
  });

  /** Device 1: valid context, iohgatp Sv32x4 (mode 8) rooted at ROOT; GVA 0x1000_0000.. mapped by tests. */
  function enableSv32x4(tc = V): void {
    const dc = DDT + 1 * 32;
    ram.w32(dc, tc);
    ram.w32(dc + 8, ROOT / 4096);
    ram.w32(dc + 12, 8 << 28);
    iommu.write(IOMMU_REG.DDTP, 4, ((DDT / 4096) << 10) | IOMMU_MODE.ONE_LEVEL);
    // GPA 0x1000_0000: VPN[1] = 0x40 -> pointer to L0.
    ram.w32(ROOT + 0x40 * 4, pte(L0, V));
  }

  it('is identity in Bare mode at power-on, and refuses DMA outside RAM', () => {
    const port = iommu.port(1);
    expect(port.write(RAM_BASE + 0x10, Uint8Array.of(1, 2, 3))).toBeNull();
    expect(Array.from(ram.bytes.subarray(0x10, 0x13))).toEqual([1, 2, 3]);
    expect(Array.from(port.read(RAM_BASE + 0x10, 3) as Uint8Array)).toEqual([1, 2, 3]);
    const f = port.read(0x1000_0000, 4);
    expect(isDmaFault(f) && f.cause).toBe('bus-error');
    expect(iommu.faultLog()[0]).toMatchObject({
      deviceId: 1,
      iova: 0x1000_0000,
      cause: IOMMU_CAUSE.READ_ACCESS_FAULT,
    });
  });

  it('translates 4 KiB pages and superpages through Sv32x4', () => {
    enableSv32x4();
    ram.w32(L0 + 5 * 4, pte(RAM_BASE + 0x20_0000, V | R | W | U | A | D)); // GPA 0x1000_5000
    // GPA 0x4000_0000: VPN[1] = 0x100, a 4 MiB leaf onto RAM_BASE + 4 MiB.
    ram.w32(ROOT + 0x100 * 4, pte(RAM_BASE + 0x40_0000, V | R | U | A));
    const port = iommu.port(1);
    expect(port.write(0x1000_5010, Uint8Array.of(9, 8))).toBeNull();
    expect(ram.bytes[0x20_0010]).toBe(9);
    ram.bytes[0x40_0000 + 0x12_3456] = 77;
    expect(Array.from(port.read(0x4012_3456, 1) as Uint8Array)).toEqual([77]);
    expect(iommu.faultLog()).toEqual([]);
  });

  it('faults on unmapped pages, missing permissions and U = 0, without touching memory', () => {
    enableSv32x4();
    ram.w32(L0 + 1 * 4, pte(RAM_BASE + 0x30_0000, V | R | U | A | D)); // read-only
    ram.w32(L0 + 2 * 4, pte(RAM_BASE + 0x31_0000, V | R | W | A | D)); // U = 0
    const port = iommu.port(1);
    const ro = port.write(0x1000_1000, Uint8Array.of(1));
    expect(ro).toEqual({ address: 0x1000_1000, cause: 'write-denied' });
    expect(ram.bytes[0x30_0000]).toBe(0);
    expect((port.read(0x1000_2000, 4) as { cause: string }).cause).toBe('read-denied');
    expect((port.read(0x1000_7000, 4) as { cause: string }).cause).toBe('unmapped');
    expect(iommu.faultLog().map((f) => f.cause)).toEqual([
      IOMMU_CAUSE.WRITE_GUEST_PAGE_FAULT,
      IOMMU_CAUSE.READ_GUEST_PAGE_FAULT,
      IOMMU_CAUSE.READ_GUEST_PAGE_FAULT,
    ]);
  });

  it('a write spanning a mapped and an unmapped page writes nothing', () => {
    enableSv32x4();
    ram.w32(L0 + 3 * 4, pte(RAM_BASE + 0x32_0000, V | R | W | U | A | D));
    const f = iommu.port(1).write(0x1000_3ffe, Uint8Array.of(1, 2, 3, 4));
    expect(f).toEqual({ address: 0x1000_4000, cause: 'unmapped' });
    expect(Array.from(ram.bytes.subarray(0x32_0ffe, 0x32_1000))).toEqual([0, 0]);
  });

  it('sets A and D when GADE = 1, faults on A = 0 when GADE = 0', () => {
    enableSv32x4();
    ram.w32(L0 + 6 * 4, pte(RAM_BASE + 0x33_0000, V | R | W | U));
    expect((iommu.port(1).read(0x1000_6000, 1) as { cause: string }).cause).toBe('unmapped');
    enableSv32x4(V | 128); // GADE is tc bit 7
    expect(iommu.port(1).write(0x1000_6000, Uint8Array.of(5))).toBeNull();
    expect(ram.r32(L0 + 6 * 4) & (A | D)).toBe(A | D);
  });

  it('reports Off mode, invalid and misconfigured contexts with their spec cause codes', () => {
    iommu.write(IOMMU_REG.DDTP, 4, IOMMU_MODE.OFF);
    expect(isDmaFault(iommu.port(2).read(RAM_BASE, 4))).toBe(true);
    iommu.write(IOMMU_REG.DDTP, 4, ((DDT / 4096) << 10) | IOMMU_MODE.ONE_LEVEL);
    iommu.port(2).read(RAM_BASE, 4);
    ram.w32(DDT + 2 * 32, V);
    ram.w32(DDT + 2 * 32 + 24, 1);
    iommu.port(2).read(RAM_BASE, 4);
    ram.w32(DDT + 2 * 32 + 24, 0);
    expect(Array.from(iommu.port(2).read(RAM_BASE + 4, 1) as Uint8Array)).toEqual([0]); // iohgatp Bare: identity
    expect(iommu.faultLog().map((f) => f.cause)).toEqual([
      IOMMU_CAUSE.ALL_INBOUND_DISALLOWED,
      IOMMU_CAUSE.DDT_ENTRY_NOT_VALID,
      IOMMU_CAUSE.DDT_ENTRY_MISCONFIGURED,
    ]);
  });

  it('faults with an access fault when a PTE lies outside RAM', () => {
    enableSv32x4();
    ram.w32(ROOT + 0x40 * 4, pte(0x1000_0000, V)); // L0 table in MMIO space
    expect(iommu.port(1).read(0x1000_0000, 4)).toEqual({ address: 0x1000_0000, cause: 'bus-error' });
  });

  it('exposes the fault log through MMIO and raises its interrupt when enabled', () => {
    iommu.port(3).read(0x100, 4);
    expect(irq.at(-1)).toBe(false);
    iommu.write(IOMMU_REG.FAULT_CONTROL, 4, 1);
    expect(irq.at(-1)).toBe(true);
    expect(iommu.read(IOMMU_REG.FAULT_COUNT, 4)).toBe(1);
    expect(iommu.read(IOMMU_REG.FAULT_DEVICE_ID, 4)).toBe(3);
    expect(iommu.read(IOMMU_REG.FAULT_IOVA, 4)).toBe(0x100);
    expect(iommu.read(IOMMU_REG.FAULT_CAUSE, 4)).toBe(5);
    expect(iommu.read(IOMMU_REG.FAULT_TTYP, 4)).toBe(2);
    iommu.write(IOMMU_REG.FAULT_POP, 4, 1);
    expect(iommu.read(IOMMU_REG.FAULT_COUNT, 4)).toBe(0);
    iommu.write(IOMMU_REG.FAULT_STATUS, 4, 1);
    expect(irq.at(-1)).toBe(false);
    expect(iommu.read(IOMMU_REG.CAPABILITIES, 4)).toBe(0x10 | (1 << 16));
    iommu.read(0x44, 4);
    iommu.write(IOMMU_REG.CAPABILITIES, 4, 1);
    iommu.write(IOMMU_REG.DDTP, 4, 7);
    expect(unknown).toEqual([0x44, IOMMU_REG.CAPABILITIES, IOMMU_REG.DDTP]);
    expect(iommu.read(IOMMU_REG.DDTP, 4)).toBe(IOMMU_MODE.BARE);
    expect(() => iommu.port(128)).toThrow(/0\.\.127/);
  });

  it('keeps at most 64 records and counts the dropped ones', () => {
    for (let i = 0; i < 70; i++) iommu.port(0).read(i * 4, 4);
    expect(iommu.faultLog()).toHaveLength(64);
    expect(iommu.read(IOMMU_REG.FAULT_DROPPED, 4)).toBe(6);
  });

  it('round-trips its state and refuses foreign versions', () => {
    enableSv32x4();
    iommu.port(1).read(0x1000_9000, 4);
    const saved = iommu.saveState();
    const other = new Iommu(ram, { base: RAM_BASE, size: RAM_SIZE }, () => undefined, {
      unknownAccess: () => undefined,
    });
    other.loadState(saved);
    expect(other.saveState()).toEqual(saved);
    expect(other.read(IOMMU_REG.DDTP, 4)).toBe(iommu.read(IOMMU_REG.DDTP, 4));
    expect(() => other.loadState({ ...saved, version: 0 })).toThrow(/version 0/);
  });
});
