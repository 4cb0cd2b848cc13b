// P-256 keys and signatures cross-checked with node:crypto: the public point of a derived key
// equals what OpenSSL derives from the JWK private key, our seeded ECDSA signatures verify with
// crypto.verify, OpenSSL's signatures verify with ours, and bad keys are refused clearly.
import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/hw/seeded-random';
import {
  deriveP256Key,
  p256FromScalar,
  p256PublicKey,
  p256Sign,
  p256Verify,
} from '../../../core/hw/tpm/p256-keys';

describe('P-256 keys', () => {
  it('derives keys whose public point matches OpenSSL and signs verifiably', () => {
    const random = SeededRandom.fromSeed('p256');
    for (let i = 0; i < 8; i++) {
      const key = deriveP256Key(random);
      const jwk = createPublicKey(key.privateKey).export({ format: 'jwk' });
      expect(
        Buffer.concat([
          Buffer.of(4),
          Buffer.from(jwk.x!, 'base64url'),
          Buffer.from(jwk.y!, 'base64url'),
        ]).equals(Buffer.from(key.publicPoint)),
      ).toBe(true);
      const msg = random.bytes(100 + i);
      const sig = p256Sign(key, msg, random);
      expect(verify('sha256', msg, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      const theirs = new Uint8Array(sign('sha256', msg, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }));
      expect(p256Verify(p256PublicKey(key.publicPoint), msg, theirs)).toBe(true);
      msg[0]! ^= 1;
      expect(p256Verify(key.publicKey, msg, sig)).toBe(false);
    }
  });

  it('refuses invalid scalars and points', () => {
    expect(() => p256FromScalar(new Uint8Array(32))).toThrow(/\[1, n-1\]/);
    expect(() => p256FromScalar(new Uint8Array(32).fill(0xff))).toThrow(/\[1, n-1\]/);
    expect(() => p256PublicKey(new Uint8Array(65))).toThrow(/uncompressed point/);
    const bad = new Uint8Array(65).fill(1);
    bad[0] = 4;
    expect(() => p256PublicKey(bad)).toThrow(/not a point on P-256/);
    expect(
      p256Verify(deriveP256Key(SeededRandom.fromSeed('q')).publicKey, Uint8Array.of(1), new Uint8Array(10)),
    ).toBe(false);
  });
});
