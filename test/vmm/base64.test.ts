import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../../core/vmm/base64';

describe('base64 at the engine boundary', () => {
  it('matches Node\'s encoder for every length and round-trips', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 89 + n) & 0xff);
      const text = bytesToBase64(b);
      expect(text).toBe(Buffer.from(b).toString('base64'));
      expect(base64ToBytes(text)).toEqual(b);
    }
  });

  it('rejects malformed input', () => {
    expect(() => base64ToBytes('abc')).toThrow(/multiple of 4/);
    expect(() => base64ToBytes('ab!d')).toThrow(/invalid base64 character near 0/);
    expect(() => base64ToBytes('a=bc')).toThrow(/invalid base64/);
    expect(() => base64ToBytes('ab\u0241d')).toThrow(/invalid base64/);
    expect(() => base64ToBytes('AAAAa\u0100==')).toThrow(/invalid base64 character near 4/);
  });
});
