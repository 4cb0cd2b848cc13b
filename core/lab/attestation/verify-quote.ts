// The remote verifier's side of attestation: checks a TPM quote end to end against the
// manufacturer CA certificate the verifier trusts (CA -> EK -> AK chain, AK signature over the
// TPMS_ATTEST, the verifier's nonce, the PCR digest and the PCR values it expects) and returns
// a structured verdict with a reason for every failed check. It never throws on bad input.
// TPM 2.0 Part 1 sec. 18 (attestation) with the lab certificate format of docs/hw/tpm.md.
import { createHash } from 'node:crypto';
import {
  certificateSignedBy,
  decodeCertificate,
  LAB_CERT_USAGE,
  type LabCertificate,
} from '../../hw/tpm/lab-certificate';
import { p256PublicKey, p256Verify } from '../../hw/tpm/p256-keys';
import { decodeQuoteAttest, keyName, type QuoteAttest } from '../../hw/tpm/tpm-marshal';

export interface QuoteEvidence {
  readonly endorsementCertificate: Uint8Array;
  readonly attestationCertificate: Uint8Array;
  readonly attest: Uint8Array;
  readonly signature: Uint8Array;
  /** The PCR values the attester reports, in the quote's selection order. */
  readonly pcrValues: readonly Uint8Array[];
}

export interface QuoteExpectations {
  /** The manufacturer CA certificate the verifier trusts (its trust anchor). */
  readonly caCertificate: Uint8Array;
  /** The nonce the verifier sent as qualifyingData. */
  readonly nonce: Uint8Array;
  /** PCR index -> the value the verifier accepts; the quote must select exactly these PCRs. */
  readonly expectedPcrs: ReadonlyMap<number, Uint8Array>;
}

export type QuoteCheck = 'chain' | 'signature' | 'structure' | 'nonce' | 'pcrDigest' | 'pcrValues';

export interface QuoteVerdict {
  readonly ok: boolean;
  /** Pass or fail per check; a check that could not run because an earlier one failed is false. */
  readonly checks: Readonly<Record<QuoteCheck, boolean>>;
  /** One human-readable reason per failure, in check order. */
  readonly reasons: readonly string[];
  /** The decoded quote, when its signature verified and it parsed. */
  readonly attest?: QuoteAttest;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

function parseCert(bytes: Uint8Array, what: string, reasons: string[]): LabCertificate | undefined {
  try {
    return decodeCertificate(bytes);
  } catch (e) {
    reasons.push(`${what} certificate: ${(e as Error).message}`);
    return undefined;
  }
}

/** CA (self-signed, usage CA) -> EK (issued by the CA, usage endorsement) -> AK (issued by the EK, usage attestation). */
function checkChain(ev: QuoteEvidence, ex: QuoteExpectations, reasons: string[]): LabCertificate | undefined {
  const ca = parseCert(ex.caCertificate, 'CA', reasons);
  const ek = parseCert(ev.endorsementCertificate, 'endorsement', reasons);
  const ak = parseCert(ev.attestationCertificate, 'attestation', reasons);
  if (ca === undefined || ek === undefined || ak === undefined) return undefined;
  const before = reasons.length;
  if (ca.usage !== LAB_CERT_USAGE.CA || !certificateSignedBy(ca, ca.publicKey))
    reasons.push('CA certificate is not a valid self-signed CA certificate');
  if (ek.usage !== LAB_CERT_USAGE.ENDORSEMENT)
    reasons.push('endorsement certificate does not certify an endorsement key');
  if (ek.issuer !== ca.subject || !certificateSignedBy(ek, ca.publicKey))
    reasons.push(`endorsement certificate "${ek.subject}" was not issued by the trusted CA "${ca.subject}"`);
  if (ak.usage !== LAB_CERT_USAGE.ATTESTATION)
    reasons.push('attestation certificate does not certify an attestation key');
  if (ak.issuer !== ek.subject || !certificateSignedBy(ak, ek.publicKey))
    reasons.push(
      `attestation certificate "${ak.subject}" was not issued by the endorsement key "${ek.subject}"`,
    );
  return reasons.length === before ? ak : undefined;
}

function checkSignature(ak: LabCertificate, ev: QuoteEvidence, reasons: string[]): boolean {
  try {
    if (p256Verify(p256PublicKey(ak.publicKey), ev.attest, ev.signature)) return true;
  } catch {
    // An unusable key is reported as a failed signature below.
  }
  reasons.push('quote signature does not verify with the certified attestation key');
  return false;
}

function checkPcrs(
  attest: QuoteAttest,
  ev: QuoteEvidence,
  ex: QuoteExpectations,
  reasons: string[],
): { digest: boolean; values: boolean } {
  const digest = createHash('sha256');
  for (const v of ev.pcrValues) digest.update(v);
  const digestOk =
    ev.pcrValues.length === attest.pcrSelection.length &&
    same(new Uint8Array(digest.digest()), attest.pcrDigest);
  if (!digestOk) reasons.push('reported PCR values do not hash to the quoted PCR digest');
  const wanted = [...ex.expectedPcrs.keys()].sort((a, b) => a - b);
  let valuesOk = digestOk;
  if (wanted.join(',') !== attest.pcrSelection.join(',')) {
    reasons.push(
      `quote covers PCRs [${attest.pcrSelection.join(',')}], the verifier expects [${wanted.join(',')}]`,
    );
    valuesOk = false;
  } else if (digestOk) {
    attest.pcrSelection.forEach((pcr, i) => {
      const want = ex.expectedPcrs.get(pcr)!;
      if (!same(ev.pcrValues[i]!, want)) {
        reasons.push(`PCR ${pcr} is ${hex(ev.pcrValues[i]!)}, expected ${hex(want)}`);
        valuesOk = false;
      }
    });
  }
  return { digest: digestOk, values: valuesOk };
}

export function verifyQuote(evidence: QuoteEvidence, expectations: QuoteExpectations): QuoteVerdict {
  const reasons: string[] = [];
  const checks: Record<QuoteCheck, boolean> = {
    chain: false,
    signature: false,
    structure: false,
    nonce: false,
    pcrDigest: false,
    pcrValues: false,
  };
  const ak = checkChain(evidence, expectations, reasons);
  checks.chain = ak !== undefined;
  if (ak === undefined) return { ok: false, checks, reasons };
  checks.signature = checkSignature(ak, evidence, reasons);
  if (!checks.signature) return { ok: false, checks, reasons };
  let attest: QuoteAttest;
  try {
    attest = decodeQuoteAttest(evidence.attest);
  } catch (e) {
    reasons.push((e as Error).message);
    return { ok: false, checks, reasons };
  }
  checks.structure = same(attest.qualifiedSigner, keyName(ak.publicKey));
  if (!checks.structure)
    reasons.push('quote was signed for another key (qualifiedSigner is not the AK name)');
  checks.nonce = same(attest.extraData, expectations.nonce);
  if (!checks.nonce)
    reasons.push("quote nonce (qualifyingData) is not the verifier's nonce: stale or replayed quote");
  const pcr = checkPcrs(attest, evidence, expectations, reasons);
  checks.pcrDigest = pcr.digest;
  checks.pcrValues = pcr.values;
  return { ok: reasons.length === 0, checks, reasons, attest };
}
