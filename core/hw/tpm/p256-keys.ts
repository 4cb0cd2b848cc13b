// ECDSA P-256 keys made deterministically from the board's random source, and the sign and
// verify operations the TPM, the lab CA and the quote verifier share. Private scalars come from
// rejection sampling in [1, n-1] (FIPS 186-5 A.2.2 style); the public point is computed by
// OpenSSL (createECDH), and keys are imported through JWK. Signatures are IEEE P1363 r || s.
// Signing draws the ECDSA nonce from the seeded source too (FIPS 186-5 sec. 6.4.1), so quotes
// are reproducible bit for bit; verification is always node:crypto's.
import {
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  verify,
} from 'node:crypto';
import type { RandomSource } from '../seeded-random';

/** Order n of the P-256 base point (SEC 2, secp256r1). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const P256_PUBLIC_SIZE = 65;
export const P256_SIGNATURE_SIZE = 64;

export interface P256KeyPair {
  readonly scalar: Uint8Array;
  /** Uncompressed SEC 1 point: 0x04 || X || Y. */
  readonly publicPoint: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

/** Draws 32-byte candidates until one lies in [1, n-1]. */
export function deriveP256Key(random: RandomSource): P256KeyPair {
  for (;;) {
    const candidate = random.bytes(32);
    const k = toBigInt(candidate);
    if (k >= 1n && k < P256_N) return p256FromScalar(candidate);
  }
}

export function p256FromScalar(scalar: Uint8Array): P256KeyPair {
  const k = toBigInt(scalar);
  if (scalar.length !== 32 || k < 1n || k >= P256_N)
    throw new Error('p256: the private scalar must be 32 bytes in [1, n-1]');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(scalar));
  const publicPoint = new Uint8Array(ecdh.getPublicKey());
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: b64url(publicPoint.subarray(1, 33)),
    y: b64url(publicPoint.subarray(33, 65)),
  };
  return {
    scalar: scalar.slice(),
    publicPoint,
    privateKey: createPrivateKey({ key: { ...jwk, d: b64url(scalar) }, format: 'jwk' }),
    publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
  };
}

/** Imports an uncompressed point; throws with a clear message if it is not on the curve. */
export function p256PublicKey(point: Uint8Array): KeyObject {
  if (point.length !== P256_PUBLIC_SIZE || point[0] !== 0x04)
    throw new Error('p256: a public key is a 65-byte uncompressed point');
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
      format: 'jwk',
    });
  } catch {
    throw new Error('p256: the public key is not a point on P-256');
  }
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

function toBytes32(v: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

/**
 * ECDSA signature generation (FIPS 186-5 sec. 6.4.1) with SHA-256. node:crypto's sign() takes
 * its nonce from OpenSSL's own entropy, which would make every quote differ between runs; here
 * the per-message secret k comes from the seeded source, R = kG is computed by OpenSSL
 * (createECDH), and only s = k^-1 (e + r d) mod n is BigInt arithmetic.
 */
export function p256Sign(key: P256KeyPair, message: Uint8Array, random: RandomSource): Uint8Array {
  const e = toBigInt(new Uint8Array(createHash('sha256').update(message).digest()));
  const d = toBigInt(key.scalar);
  for (;;) {
    const kBytes = random.bytes(32);
    const k = toBigInt(kBytes);
    if (k < 1n || k >= P256_N) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(kBytes));
    const r = toBigInt(new Uint8Array(ecdh.getPublicKey()).subarray(1, 33)) % P256_N;
    if (r === 0n) continue;
    const s = (modPow(k, P256_N - 2n, P256_N) * ((e + r * d) % P256_N)) % P256_N;
    if (s === 0n) continue;
    const out = new Uint8Array(P256_SIGNATURE_SIZE);
    out.set(toBytes32(r), 0);
    out.set(toBytes32(s), 32);
    return out;
  }
}

export function p256Verify(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== P256_SIGNATURE_SIZE) return false;
  return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}
