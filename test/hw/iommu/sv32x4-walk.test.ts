// The IOMMU's Sv32x4 walker: hand-built cases from the priv spec (sec. 8.5.1, 4.3.2), and a
// differential run against the hart's own G-stage walk (core/hw/cpu/mmu.ts, itself checked
// against QEMU) on seeded random tables: same result, same fault kind, same A/D write-backs.
import { describe, expect, it } from 'vitest';
import { Hart } from '../../../core/hw/cpu/hart';
import { gStage } from '../../../core/hw/cpu/mmu';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import { ACCESS } from '../../../core/hw/cpu/riscv-bits';
import { PhysicalBus } from '../../../core/hw/memory/physical-bus';
import { Ram } from '../../../core/hw/memory/ram';
import { SeededRandom } from '../../../core/hw/seeded-random';
import { type PageTableMemory, walkSv32x4 } from '../../../core/hw/iommu/sv32x4-walk';

const BASE = 0x8000_0000;
const SIZE = 0x80_0000;
const ROOT = BASE + 0x1_0000;
const V = 1,
  R = 2,
  W = 4,
  X = 8,
  U = 16,
  A = 64,
  D = 128;

function memory(bytes: Uint8Array): PageTableMemory {
  const view = new DataView(bytes.buffer);
  return {
    read32: (pa) => view.getUint32(pa - BASE, true),
    write32: (pa, v) => view.setUint32(pa - BASE, v >>> 0, true),
    inRam: (pa, len) => pa >= BASE && pa + len <= BASE + SIZE,
  };
}
const pte = (pa: number, flags: number) => ((Math.floor(pa / 4096) * 1024) | flags) >>> 0;

describe('walkSv32x4', () => {
  it('translates a 4 KiB leaf and a 4 MiB superpage, and refuses the spec-reserved cases', () => {
    const bytes = new Uint8Array(SIZE);
    const m = memory(bytes);
    m.write32(ROOT + 4 * 0x040, pte(BASE + 0x2_0000, V));
    m.write32(BASE + 0x2_0000 + 4 * 3, pte(BASE + 0x5_5000, V | R | U | A));
    expect(walkSv32x4(m, ROOT, 0x1000_3abc, 'read', false)).toEqual({ ok: true, pa: BASE + 0x5_5abc });
    m.write32(ROOT + 4 * 0x100, pte(BASE + 0x40_0000, V | R | W | U | A | D));
    expect(walkSv32x4(m, ROOT, 0x4012_3456, 'write', false)).toEqual({ ok: true, pa: BASE + 0x52_3456 });
    m.write32(ROOT + 4 * 0x101, pte(BASE + 0x40_1000, V | R | U | A)); // misaligned superpage
    expect(walkSv32x4(m, ROOT, 0x4040_0000, 'read', false)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/misaligned/),
    });
    m.write32(ROOT + 4 * 0x102, pte(BASE, V | W | U)); // W without R
    expect(walkSv32x4(m, ROOT, 0x4080_0000, 'read', false)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/reserved/),
    });
    expect(walkSv32x4(m, ROOT + 0x1000, 0, 'read', false)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/16 KiB/),
    });
    expect(walkSv32x4(m, ROOT, 0x4012_3456, 'read', false).ok).toBe(true);
    m.write32(BASE + 0x2_0000 + 4 * 3, pte(BASE + 0x5_5000, V | X | U | A)); // execute-only: no read
    expect(walkSv32x4(m, ROOT, 0x1000_3000, 'read', false)).toMatchObject({ ok: false, denied: true });
  });

  it('agrees with the hart G-stage walk on seeded random tables', () => {
    const pool = new DataView(SeededRandom.fromSeed('sv32x4 differential').bytes(4 * 60_000).buffer);
    let drawn = 0;
    const random32 = () => pool.getUint32(4 * drawn++);
    const rnd = (n: number) => random32() % n;
    const ram = new Ram(BASE, SIZE);
    const hart = new Hart(0, new PhysicalBus(ram), { now: () => 0 });
    hart.pmp.writeAddr(0, 0xffff_ffff); // NAPOT over everything, RWX: PTE reads pass PMP
    hart.pmp.writeCfg(0, 0x1f);
    hart.csr[SLOT.HGATP] = 0x8000_0000 | ((ROOT / 4096) & 0x3f_ffff) | 0;
    const mine = new Uint8Array(SIZE);
    const m = memory(mine);
    const flags = () =>
      [V, V | R, V | R | W, V | W, V | X, V | R | X, V | R | W | X, 0][rnd(8)]! |
      (rnd(4) ? U : 0) |
      (rnd(2) ? A : 0) |
      (rnd(2) ? D : 0);
    const target = () => (rnd(10) === 0 ? 0x1000_0000 : BASE + 0x20_0000 + rnd(0x100) * 0x1000);
    const vpn1s = [0x040, 0x041, 0x100, 0x200, 0x3ff, 0x000, 0x155, 0x2aa];
    vpn1s.forEach((vpn1, i) => {
      // Root entries: pointers to level-0 tables, superpages (aligned or not), a random entry, a pointer outside RAM.
      const kind = ['ptr', 'ptr', 'ptr', 'super', 'super', 'ptr', 'random', 'outside'][i]!;
      const l0 = BASE + 0x2_0000 + i * 0x1000;
      const superpage = pte(BASE + (rnd(2) ? 0x40_0000 : 0x40_3000), flags());
      const entry =
        kind === 'ptr'
          ? pte(l0, V)
          : kind === 'super'
            ? superpage
            : kind === 'outside'
              ? pte(0x2000_0000, V)
              : (random32() | 0) >>> 0;
      m.write32(ROOT + vpn1 * 4, entry);
      for (let j = 0; j < 1024; j++) m.write32(l0 + j * 4, rnd(3) ? pte(target(), flags()) : 0);
    });
    ram.u8.set(mine);
    const outcomes = { ok: 0, guest: 0, access: 0 };
    for (let n = 0; n < 4000; n++) {
      const gpa = (vpn1s[rnd(vpn1s.length)]! * 2 ** 22 + rnd(1024) * 4096 + rnd(4096)) >>> 0;
      const store = rnd(2) === 1;
      hart.excCause = -1;
      const ppn = gStage(
        hart,
        Math.floor(gpa / 4096),
        gpa % 4096,
        store ? ACCESS.STORE : ACCESS.LOAD,
        false,
        gpa,
        store ? 2 : 1,
        0,
      );
      const ours = walkSv32x4(m, ROOT, gpa, store ? 'write' : 'read', true);
      if (ppn >= 0) {
        expect(ours, `gpa 0x${gpa.toString(16)}`).toEqual({ ok: true, pa: ppn * 4096 + (gpa % 4096) });
        outcomes.ok++;
      } else {
        expect(ours.ok, `gpa 0x${gpa.toString(16)}`).toBe(false);
        const kind = !ours.ok && ours.fault === 'access-fault' ? (store ? 7 : 5) : store ? 23 : 21;
        expect(kind, `gpa 0x${gpa.toString(16)}`).toBe(hart.excCause);
        outcomes[kind === 5 || kind === 7 ? 'access' : 'guest']++;
      }
    }
    // The random tables must exercise every outcome, or the comparison proves little.
    expect(outcomes.ok).toBeGreaterThan(400);
    expect(outcomes.guest).toBeGreaterThan(400);
    expect(outcomes.access).toBeGreaterThan(100);
    expect(Buffer.from(ram.u8).equals(Buffer.from(mine))).toBe(true);
  });
});
