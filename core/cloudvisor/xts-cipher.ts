// AES-128-XTS (IEEE 1619-2018) for the monitor's disk protection (CLOUDVISOR.md section 4). Built on
// AES-ECB because Electron's BoringSSL has no aes-xts (PLATFORM-FACTS.md): the tweak arithmetic is
// done here, the block cipher is node:crypto's. One ECB call covers every block of a run of
// sectors, which is where the speed comes from (per-call overhead dominates at 512 bytes).
// Invariants: data units are whole 512-byte sectors (no ciphertext stealing is ever needed; units
// of other multiples of 16 bytes exist for the standard's test vectors); the tweak of a sector is
// its number as a 128-bit little-endian integer.
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const SECTOR_BYTES = 512;
const BLOCK = 16;

export class XtsCipher {
  private readonly dataKey: Buffer;
  private readonly tweakKey: Buffer;

  /** `key` is the 32-byte XTS-AES-128 key: the data key, then the tweak key. */
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`XTS-AES-128 takes a 32-byte key, not ${key.length}`);
    this.dataKey = Buffer.from(key.subarray(0, 16));
    this.tweakKey = Buffer.from(key.subarray(16, 32));
  }

  /** Encrypts `data` (whole data units, sectors by default), the first unit being number `sector`. */
  encrypt(sector: number, data: Uint8Array, unitBytes = SECTOR_BYTES): Uint8Array {
    return this.run(sector, data, true, unitBytes);
  }

  decrypt(sector: number, data: Uint8Array, unitBytes = SECTOR_BYTES): Uint8Array {
    return this.run(sector, data, false, unitBytes);
  }

  private run(sector: number, data: Uint8Array, encrypt: boolean, unitBytes: number): Uint8Array {
    if (unitBytes <= 0 || unitBytes % BLOCK !== 0) throw new RangeError(`an XTS data unit here is a multiple of ${BLOCK} bytes`);
    if (data.length % unitBytes !== 0) throw new RangeError(`XTS data here is whole ${unitBytes}-byte units`);
    if (!Number.isSafeInteger(sector) || sector < 0) throw new RangeError(`bad sector number ${sector}`);
    const tweaks = this.tweaks(sector, data.length / unitBytes, unitBytes);
    const whitened = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) whitened[i] = (data[i] ?? 0) ^ (tweaks[i] ?? 0);
    const cipher = encrypt ? createCipheriv('aes-128-ecb', this.dataKey, null) : createDecipheriv('aes-128-ecb', this.dataKey, null);
    cipher.setAutoPadding(false);
    const out = new Uint8Array(Buffer.concat([cipher.update(whitened), cipher.final()]));
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) ^ (tweaks[i] ?? 0);
    return out;
  }

  /** Every block's tweak: T0 = AES(key2, sector), then T(j+1) = T(j) times alpha in GF(2^128). */
  private tweaks(first: number, sectors: number, unitBytes: number): Uint8Array {
    const seeds = Buffer.alloc(sectors * BLOCK);
    for (let s = 0; s < sectors; s++) {
      let n = first + s;
      for (let b = 0; b < 8 && n > 0; b++) {
        seeds[s * BLOCK + b] = n % 256;
        n = Math.floor(n / 256);
      }
    }
    const cipher = createCipheriv('aes-128-ecb', this.tweakKey, null);
    cipher.setAutoPadding(false);
    const t0 = Buffer.concat([cipher.update(seeds), cipher.final()]);
    const out = new Uint8Array(sectors * unitBytes);
    const t = new Uint8Array(BLOCK);
    for (let s = 0; s < sectors; s++) {
      t.set(t0.subarray(s * BLOCK, (s + 1) * BLOCK));
      for (let j = 0; j < unitBytes / BLOCK; j++) {
        out.set(t, s * unitBytes + j * BLOCK);
        timesAlpha(t);
      }
    }
    return out;
  }
}

/** Multiplication by x in GF(2^128) with the 1619 byte order (little-endian, reduce by 0x87). */
function timesAlpha(t: Uint8Array): void {
  let carry = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = t[i] ?? 0;
    t[i] = ((b << 1) | carry) & 0xff;
    carry = b >>> 7;
  }
  if (carry) t[0] = (t[0] ?? 0) ^ 0x87;
}
