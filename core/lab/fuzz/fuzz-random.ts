// The fuzzer's seeded random source: a string seed gives the same operation sequence on every
// machine (sfc32 over a SHA-256 of the seed). Not for secrets: the lab's keys use the board's
// HMAC-DRBG; this only chooses what a malicious VMM tries next.
import { createHash } from 'node:crypto';

export class FuzzRandom {
  private readonly s = new Uint32Array(4);

  constructor(seed: string) {
    const digest = createHash('sha256').update(`cloudvisor-fuzz:${seed}`).digest();
    for (let i = 0; i < 4; i++) this.s[i] = digest.readUInt32LE(i * 4);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform unsigned 32-bit number. */
  next(): number {
    const s = this.s;
    const t = (((s[0] as number) + (s[1] as number)) >>> 0) + (s[3] as number);
    s[3] = ((s[3] as number) + 1) >>> 0;
    s[0] = (s[1] as number) ^ ((s[1] as number) >>> 9);
    s[1] = ((s[2] as number) + ((s[2] as number) << 3)) >>> 0;
    s[2] = (((s[2] as number) << 21) | ((s[2] as number) >>> 11)) >>> 0;
    s[2] = ((s[2] as number) + (t >>> 0)) >>> 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.below(items.length)] as T;
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    const total = table.reduce((sum, [w]) => sum + w, 0);
    let r = this.below(total);
    for (const [w, value] of table) {
      if (r < w) return value;
      r -= w;
    }
    return (table[table.length - 1] as readonly [number, T])[1];
  }

  chance(percent: number): boolean {
    return this.below(100) < percent;
  }
}
