// The lab's certificate format (not X.509): who holds which P-256 key, for what use, signed
// by the issuer. Chain: manufacturer CA (self-signed) -> TPM endorsement key -> attestation key.
// Invariants: encode() and decode() are exact inverses; decode() rejects any malformed or
// trailing byte with a clear error. Layout (big-endian), documented in docs/hw/tpm.md:
// "CVLC" | version u8 | usage u8 | serial u32 | subject u16+utf8 | issuer u16+utf8 | key 65 | sig 64.
import type { RandomSource } from '../seeded-random';
import {
  type P256KeyPair,
  P256_PUBLIC_SIZE,
  P256_SIGNATURE_SIZE,
  p256PublicKey,
  p256Sign,
  p256Verify,
} from './p256-keys';

export const LAB_CERT_MAGIC = 'CVLC';
export const LAB_CERT_VERSION = 1;
export const LAB_CERT_USAGE = { CA: 1, ENDORSEMENT: 2, ATTESTATION: 3 } as const;
export type LabCertUsage = (typeof LAB_CERT_USAGE)[keyof typeof LAB_CERT_USAGE];

export interface LabCertificateBody {
  readonly usage: LabCertUsage;
  readonly serial: number;
  readonly subject: string;
  readonly issuer: string;
  readonly publicKey: Uint8Array;
}

export interface LabCertificate extends LabCertificateBody {
  readonly signature: Uint8Array;
}

function nameBytes(name: string, what: string): Uint8Array {
  const b = new TextEncoder().encode(name);
  if (b.length === 0 || b.length > 255) throw new Error(`lab certificate: ${what} must be 1..255 bytes`);
  return b;
}

/** The signed part of a certificate. */
export function encodeCertificateBody(body: LabCertificateBody): Uint8Array {
  const subject = nameBytes(body.subject, 'subject');
  const issuer = nameBytes(body.issuer, 'issuer');
  if (body.publicKey.length !== P256_PUBLIC_SIZE)
    throw new Error('lab certificate: the public key is a 65-byte P-256 point');
  const out = new Uint8Array(4 + 1 + 1 + 4 + 2 + subject.length + 2 + issuer.length + P256_PUBLIC_SIZE);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode(LAB_CERT_MAGIC), 0);
  v.setUint8(4, LAB_CERT_VERSION);
  v.setUint8(5, body.usage);
  v.setUint32(6, body.serial >>> 0);
  let at = 10;
  for (const name of [subject, issuer]) {
    v.setUint16(at, name.length);
    out.set(name, at + 2);
    at += 2 + name.length;
  }
  out.set(body.publicKey, at);
  return out;
}

export function encodeCertificate(cert: LabCertificate): Uint8Array {
  const body = encodeCertificateBody(cert);
  const out = new Uint8Array(body.length + P256_SIGNATURE_SIZE);
  out.set(body);
  out.set(cert.signature, body.length);
  return out;
}

export function issueCertificate(
  body: LabCertificateBody,
  issuerKey: P256KeyPair,
  random: RandomSource,
): LabCertificate {
  return {
    ...body,
    publicKey: body.publicKey.slice(),
    signature: p256Sign(issuerKey, encodeCertificateBody(body), random),
  };
}

export function decodeCertificate(bytes: Uint8Array): LabCertificate {
  const fail = (why: string): never => {
    throw new Error(`lab certificate: ${why}`);
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== LAB_CERT_MAGIC)
    fail('bad magic (not a CVLC certificate)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint8(4) !== LAB_CERT_VERSION) fail(`version ${v.getUint8(4)} is not ${LAB_CERT_VERSION}`);
  const usage = v.getUint8(5);
  if (
    usage !== LAB_CERT_USAGE.CA &&
    usage !== LAB_CERT_USAGE.ENDORSEMENT &&
    usage !== LAB_CERT_USAGE.ATTESTATION
  )
    fail(`unknown usage ${usage}`);
  const serial = v.getUint32(6);
  let at = 10;
  const names: string[] = [];
  for (let i = 0; i < 2; i++) {
    if (at + 2 > bytes.length) fail('truncated name');
    const len = v.getUint16(at);
    if (len === 0 || at + 2 + len > bytes.length) fail('truncated or empty name');
    names.push(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  if (bytes.length !== at + P256_PUBLIC_SIZE + P256_SIGNATURE_SIZE)
    fail(`length ${bytes.length} does not match its fields`);
  return {
    usage: usage as LabCertUsage,
    serial,
    subject: names[0]!,
    issuer: names[1]!,
    publicKey: bytes.slice(at, at + P256_PUBLIC_SIZE),
    signature: bytes.slice(at + P256_PUBLIC_SIZE),
  };
}

/** True if `cert` carries a valid signature by the holder of `issuerPublicKey`. */
export function certificateSignedBy(cert: LabCertificate, issuerPublicKey: Uint8Array): boolean {
  try {
    return p256Verify(p256PublicKey(issuerPublicKey), encodeCertificateBody(cert), cert.signature);
  } catch {
    return false;
  }
}
