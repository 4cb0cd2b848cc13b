// The monitor's AES-128-XTS (built on AES-ECB) against IEEE 1619-2018 Annex B test vectors and,
// bit for bit, against OpenSSL's own aes-128-xts in this Node (which Electron's BoringSSL lacks).
import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SECTOR_BYTES, XtsCipher } from '../../core/cloudvisor/xts-cipher';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Deterministic test bytes (no entropy in tests). */
function bytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, n = 0; i < length; n++) {
    const block = createHash('sha256').update(`${label}/${n}`).digest();
    out.set(block.subarray(0, Math.min(32, length - i)), i);
    i += 32;
  }
  return out;
}

function openssl(key: Uint8Array, sector: number, data: Uint8Array, unit = SECTOR_BYTES): Uint8Array {
  const out: Buffer[] = [];
  for (let u = 0; u < data.length / unit; u++) {
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64LE(BigInt(sector + u), 0);
    const c = createCipheriv('aes-128-xts', key, iv);
    out.push(c.update(data.subarray(u * unit, (u + 1) * unit)), c.final());
  }
  return new Uint8Array(Buffer.concat(out));
}

describe('AES-128-XTS on AES-ECB', () => {
  it('matches IEEE 1619 vector 1 (zero keys, tweak 0, 32 zero bytes)', () => {
    const xts = new XtsCipher(new Uint8Array(32));
    const ct = xts.encrypt(0, new Uint8Array(32), 32);
    expect(toHex(ct)).toBe('917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e');
    expect(xts.decrypt(0, ct, 32)).toEqual(new Uint8Array(32));
  });

  it('matches IEEE 1619 vector 2 (keys 11.., 22.., tweak 0x3333333333)', () => {
    const xts = new XtsCipher(hex('11'.repeat(16) + '22'.repeat(16)));
    const pt = hex('44'.repeat(32));
    const ct = xts.encrypt(0x33_3333_3333, pt, 32);
    expect(toHex(ct)).toBe('c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0');
    expect(xts.decrypt(0x33_3333_3333, ct, 32)).toEqual(pt);
  });

  it("equals OpenSSL's aes-128-xts bit for bit over runs of 512-byte sectors", () => {
    for (const [i, sector] of [0, 1, 7, 255, 256, 65_535, 0xffff_ffff, 2 ** 40 + 3].entries()) {
      const key = bytes(`key${i}`, 32);
      const data = bytes(`data${i}`, SECTOR_BYTES * (1 + (i % 8)));
      const xts = new XtsCipher(key);
      const ct = xts.encrypt(sector, data);
      expect(toHex(ct), `sector ${sector}`).toBe(toHex(openssl(key, sector, data)));
      expect(xts.decrypt(sector, ct)).toEqual(data);
    }
  });

  it('gives different ciphertext for the same plaintext at another sector or under another key', () => {
    const data = new Uint8Array(SECTOR_BYTES);
    const a = new XtsCipher(bytes('a', 32));
    expect(toHex(a.encrypt(5, data))).not.toBe(toHex(a.encrypt(6, data)));
    expect(toHex(a.encrypt(5, data))).not.toBe(toHex(new XtsCipher(bytes('b', 32)).encrypt(5, data)));
  });

  it('refuses partial units and bad keys', () => {
    const xts = new XtsCipher(bytes('k', 32));
    expect(() => xts.encrypt(0, new Uint8Array(100))).toThrow(RangeError);
    expect(() => new XtsCipher(new Uint8Array(16))).toThrow(RangeError);
  });
});
