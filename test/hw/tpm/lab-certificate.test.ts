// Lab certificates: exact encode/decode round trip, signature checks against the issuer's key
// (verified independently with node:crypto), and clear errors for malformed encodings.
import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/hw/seeded-random';
import {
  certificateSignedBy,
  decodeCertificate,
  encodeCertificate,
  encodeCertificateBody,
  issueCertificate,
  LAB_CERT_USAGE,
} from '../../../core/hw/tpm/lab-certificate';
import { ManufacturerCa } from '../../../core/hw/tpm/manufacturer-ca';
import { deriveP256Key } from '../../../core/hw/tpm/p256-keys';

describe('lab certificates', () => {
  const random = SeededRandom.fromSeed('certs');
  const issuer = deriveP256Key(random);
  const subject = deriveP256Key(random);
  const cert = issueCertificate(
    {
      usage: LAB_CERT_USAGE.ENDORSEMENT,
      serial: 7,
      subject: 'TPM EK',
      issuer: 'CA',
      publicKey: subject.publicPoint,
    },
    issuer,
    random,
  );

  it('round-trips and is signed by its issuer', () => {
    const bytes = encodeCertificate(cert);
    const back = decodeCertificate(bytes);
    expect(back).toEqual(cert);
    expect(
      verify(
        'sha256',
        encodeCertificateBody(back),
        { key: issuer.publicKey, dsaEncoding: 'ieee-p1363' },
        back.signature,
      ),
    ).toBe(true);
    expect(certificateSignedBy(back, issuer.publicPoint)).toBe(true);
    expect(certificateSignedBy(back, subject.publicPoint)).toBe(false);
    expect(certificateSignedBy({ ...back, serial: 8 }, issuer.publicPoint)).toBe(false);
  });

  it('has a self-signed manufacturer root', () => {
    const ca = decodeCertificate(new ManufacturerCa(SeededRandom.fromSeed('ca')).certificate);
    expect(ca.usage).toBe(LAB_CERT_USAGE.CA);
    expect(ca.subject).toBe(ca.issuer);
    expect(certificateSignedBy(ca, ca.publicKey)).toBe(true);
  });

  it('refuses malformed encodings with a reason', () => {
    const bytes = encodeCertificate(cert);
    expect(() => decodeCertificate(bytes.subarray(0, 8))).toThrow(/bad magic/);
    expect(() => decodeCertificate(Uint8Array.of(...bytes, 0))).toThrow(/does not match its fields/);
    const v = bytes.slice();
    v[4] = 2;
    expect(() => decodeCertificate(v)).toThrow(/version 2/);
    const u = bytes.slice();
    u[5] = 9;
    expect(() => decodeCertificate(u)).toThrow(/unknown usage 9/);
    expect(() => decodeCertificate(bytes.subarray(0, 60))).toThrow(/lab certificate/);
    expect(() => encodeCertificateBody({ ...cert, subject: '' })).toThrow(/1\.\.255/);
  });
});
