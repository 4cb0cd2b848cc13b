// The lab's TPM "manufacturer": a root CA whose P-256 key comes from the seeded source and
// which certifies TPM endorsement keys, as a TPM vendor's EK certificate does. The verifier
// trusts only its self-signed certificate. TPM 2.0 Part 1 sec. 9.4 (EK credentials), simplified.
import type { RandomSource } from '../seeded-random';
import { decodeCertificate, encodeCertificate, issueCertificate, LAB_CERT_USAGE } from './lab-certificate';
import { deriveP256Key, type P256KeyPair } from './p256-keys';

export const MANUFACTURER_CA_SUBJECT = 'CloudVisor Lab TPM Manufacturer CA';

export class ManufacturerCa {
  private readonly key: P256KeyPair;
  private nextSerial = 2;
  /** The encoded self-signed root certificate (serial 1): the verifier's trust anchor. */
  readonly certificate: Uint8Array;

  constructor(private readonly random: RandomSource) {
    this.key = deriveP256Key(random);
    const body = {
      usage: LAB_CERT_USAGE.CA,
      serial: 1,
      subject: MANUFACTURER_CA_SUBJECT,
      issuer: MANUFACTURER_CA_SUBJECT,
      publicKey: this.key.publicPoint,
    };
    this.certificate = encodeCertificate(issueCertificate(body, this.key, random));
  }

  /** Certifies a TPM's endorsement key. */
  certifyEndorsementKey(subject: string, publicPoint: Uint8Array): Uint8Array {
    const body = {
      usage: LAB_CERT_USAGE.ENDORSEMENT,
      serial: this.nextSerial++,
      subject,
      issuer: decodeCertificate(this.certificate).subject,
      publicKey: publicPoint,
    };
    return encodeCertificate(issueCertificate(body, this.key, this.random));
  }
}
