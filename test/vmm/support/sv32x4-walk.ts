// An independent G-stage walker for the tests, written from the privileged spec (1.12, 8.5.1
// and the Sv32 algorithm of 4.3.2) and not from the VMM's code: root of 16 KiB with VPN[1] =
// GPA bits 33:22, 4 KiB leaf tables, superpage leaves, U required on every leaf.
export type WalkResult = { pa: number; pte: number } | { fault: string };

export function walkSv32x4(read32: (pa: number) => number, hgatp: number, gpa: number, access: 'load' | 'store' | 'fetch'): WalkResult {
  if (hgatp >>> 31 !== 1) return { fault: 'hgatp.MODE is not Sv32x4' };
  let a = (hgatp & 0x3f_ffff) * 4096;
  const vpn = [Math.floor(gpa / 4096) % 1024, Math.floor(gpa / 0x40_0000)];
  for (let level = 1; level >= 0; level--) {
    const pte = read32(a + (vpn[level] ?? 0) * 4) >>> 0;
    const v = pte & 1, r = (pte >> 1) & 1, w = (pte >> 2) & 1, x = (pte >> 3) & 1;
    if (v === 0 || (r === 0 && w === 1)) return { fault: `invalid PTE at level ${level}` };
    const ppn = Math.floor(pte / 1024);
    if (r === 0 && x === 0) {
      if ((pte & 0xd0) !== 0) return { fault: 'non-leaf PTE with U/A/D set' };
      a = ppn * 4096;
      continue;
    }
    if (((pte >> 4) & 1) === 0) return { fault: 'G-stage leaf without U' };
    if ((access === 'load' && r === 0) || (access === 'store' && w === 0) || (access === 'fetch' && x === 0)) return { fault: 'permission' };
    if ((pte & 0x40) === 0 || (access === 'store' && (pte & 0x80) === 0)) return { fault: 'A/D not set' };
    if (level === 1) {
      if (ppn % 1024 !== 0) return { fault: 'misaligned superpage' };
      return { pa: ppn * 4096 + (gpa % 0x40_0000), pte };
    }
    return { pa: ppn * 4096 + (gpa % 4096), pte };
  }
  return { fault: 'no leaf' };
}
