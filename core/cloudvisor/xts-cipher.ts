// AES-128-XTS (IEEE 1619-2018) for the monitor's disk protection (CLOUDVISOR.md section 4). Built on
// AES-ECB because Electron's BoringSSL has no aes-xts (PLATFORM-FACTS.md): the tweak arithmetic is
// done here, the block cipher is node:crypto's. One ECB call covers every block of a run of
// sectors, which is where the speed comes from (per-call overhead dominates at 512 bytes).
// Invariants: data units are whole 512-byte sectors (no ciphertext stealing is ever needed; units
// of other multiples of 16 bytes exist for the standard's test vectors); the tweak of a sector is
// its number as a 128-bit little-endian integer.
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

export const SECTOR_BYTES = 512;
const BLOCK = 16;

export class XtsCipher {
  // ECB without padding carries no state from one update to the next, so one long-lived context
  // per direction serves every call (creating contexts cost more than the AES itself at 4 KiB).
  private readonly encryptor: Cipher;
  private readonly decryptor: Decipher;
  private readonly tweaker: Cipher;
  // Scratch space reused across calls: fresh typed arrays cost as much as the AES at 4 KiB.
  private scratch = new Uint32Array(0);
  private tweakWords = new Uint32Array(0);

  /** `key` is the 32-byte XTS-AES-128 key: the data key, then the tweak key. */
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`XTS-AES-128 takes a 32-byte key, not ${key.length}`);
    const dataKey = Buffer.from(key.subarray(0, 16));
    this.encryptor = createCipheriv('aes-128-ecb', dataKey, null).setAutoPadding(false);
    this.decryptor = createDecipheriv('aes-128-ecb', dataKey, null).setAutoPadding(false);
    this.tweaker = createCipheriv('aes-128-ecb', Buffer.from(key.subarray(16, 32)), null).setAutoPadding(false);
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
    // Whitening in 32-bit words over an aligned copy (4x fewer operations than bytes).
    const words = data.length / 4;
    if (this.scratch.length < words) this.scratch = new Uint32Array(words);
    const w = this.scratch;
    const whitened = new Uint8Array(w.buffer, 0, data.length);
    whitened.set(data);
    for (let i = 0; i < words; i++) w[i] = (w[i] as number) ^ (tweaks[i] as number);
    const body = (encrypt ? this.encryptor : this.decryptor).update(whitened);
    if (body.length !== data.length) throw new Error('AES-ECB returned a short block run');
    const out = new Uint8Array(body.buffer, body.byteOffset, body.length);
    if (out.byteOffset % 4 === 0) {
      const o = new Uint32Array(out.buffer, out.byteOffset, words);
      for (let i = 0; i < words; i++) o[i] = (o[i] as number) ^ (tweaks[i] as number);
    } else {
      const t = new Uint8Array(tweaks.buffer, 0, data.length);
      for (let i = 0; i < data.length; i++) out[i] = (out[i] as number) ^ (t[i] as number);
    }
    return out;
  }

  /**
   * Every block's tweak as 32-bit words (this platform's byte order, little-endian as IEEE 1619's):
   * T0 = AES(key2, sector), then T(j+1) = T(j) times alpha in GF(2^128).
   */
  private tweaks(first: number, sectors: number, unitBytes: number): Uint32Array {
    const seeds = Buffer.alloc(sectors * BLOCK);
    for (let s = 0; s < sectors; s++) {
      const n = first + s;
      seeds.writeUInt32LE(n % 0x1_0000_0000, s * BLOCK);
      seeds.writeUInt32LE(Math.floor(n / 0x1_0000_0000), s * BLOCK + 4);
    }
    const t0 = this.tweaker.update(seeds);
    if (this.tweakWords.length < (sectors * unitBytes) / 4) this.tweakWords = new Uint32Array((sectors * unitBytes) / 4);
    const out = this.tweakWords;
    let at = 0;
    for (let s = 0; s < sectors; s++) {
      let a = t0.readUInt32LE(s * BLOCK);
      let b = t0.readUInt32LE(s * BLOCK + 4);
      let c = t0.readUInt32LE(s * BLOCK + 8);
      let d = t0.readUInt32LE(s * BLOCK + 12);
      for (let j = 0; j < unitBytes / BLOCK; j++) {
        out[at++] = a;
        out[at++] = b;
        out[at++] = c;
        out[at++] = d;
        // Multiplication by x: shift the 128-bit little-endian value left, reduce by 0x87.
        const carry = d >>> 31;
        d = ((d << 1) | (c >>> 31)) >>> 0;
        c = ((c << 1) | (b >>> 31)) >>> 0;
        b = ((b << 1) | (a >>> 31)) >>> 0;
        a = ((a << 1) ^ (carry * 0x87)) >>> 0;
      }
    }
    return out;
  }
}

