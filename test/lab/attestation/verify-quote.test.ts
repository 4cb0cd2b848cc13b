// The quote verifier end to end against a real TPM model: a good quote passes every check,
// and each attack (replayed nonce, changed PCRs, lying PCR report, tampered quote, foreign CA,
// AK certified by another TPM's EK, garbage certificates) fails exactly its check, with a reason.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManufacturerCa } from '../../../core/hw/tpm/manufacturer-ca';
import { SeededRandom } from '../../../core/hw/seeded-random';
import type { Tpm } from '../../../core/hw/tpm/tpm';
import { type QuoteEvidence, verifyQuote } from '../../../core/lab/attestation/verify-quote';
import { makeTpm } from '../../hw/tpm/tpm-fixture';

const H = (s: string | Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest());
const ZERO = new Uint8Array(32);
const MONITOR = new TextEncoder().encode('cloudvisor monitor');

function launch(tpm: Tpm): void {
  if (!tpm.pcrExtend(0, 0, H('firmware')).ok || !tpm.dynamicLaunch(4, MONITOR).ok)
    throw new Error('setup failed');
}

function evidence(tpm: Tpm, nonce: Uint8Array): QuoteEvidence {
  const q = tpm.quote([0, 17], nonce);
  if (!q.ok) throw new Error(q.message);
  const certs = tpm.certificates();
  return {
    endorsementCertificate: certs.endorsement,
    attestationCertificate: certs.attestation,
    attest: q.attest,
    signature: q.signature,
    pcrValues: q.pcrValues,
  };
}

describe('verifyQuote', () => {
  const { tpm, ca } = makeTpm('verifier');
  launch(tpm);
  const nonce = H('fresh nonce 1');
  const expectedPcrs = new Map([
    [0, H(Buffer.concat([ZERO, H('firmware')]))],
    [17, H(Buffer.concat([ZERO, H(MONITOR)]))],
  ]);
  const expectations = { caCertificate: ca.certificate, nonce, expectedPcrs };
  const good = evidence(tpm, nonce);

  it('accepts a genuine, fresh quote of the expected state', () => {
    const v = verifyQuote(good, expectations);
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
    expect(Object.values(v.checks).every(Boolean)).toBe(true);
    expect(v.attest?.pcrSelection).toEqual([0, 17]);
  });

  it('rejects a replayed quote (wrong nonce)', () => {
    const v = verifyQuote(good, { ...expectations, nonce: H('fresh nonce 2') });
    expect(v.ok).toBe(false);
    expect(v.checks).toMatchObject({ chain: true, signature: true, nonce: false, pcrValues: true });
    expect(v.reasons.join()).toMatch(/stale or replayed/);
  });

  it('rejects a platform whose monitor measurement differs', () => {
    const other = makeTpm('verifier', ca).tpm;
    if (
      !other.pcrExtend(0, 0, H('firmware')).ok ||
      !other.dynamicLaunch(4, new TextEncoder().encode('evil monitor')).ok
    )
      throw new Error('setup');
    const v = verifyQuote(evidence(other, nonce), expectations);
    expect(v.checks).toMatchObject({
      chain: true,
      signature: true,
      nonce: true,
      pcrDigest: true,
      pcrValues: false,
    });
    expect(v.reasons).toEqual([expect.stringMatching(/^PCR 17 is [0-9a-f]{64}, expected [0-9a-f]{64}$/)]);
  });

  it('rejects reported PCR values that do not match the signed digest', () => {
    const lying = { ...good, pcrValues: [good.pcrValues[0]!, H('other')] };
    const v = verifyQuote(lying, expectations);
    expect(v.checks.pcrDigest).toBe(false);
    expect(v.reasons[0]).toMatch(/do not hash to the quoted PCR digest/);
  });

  it('rejects a tampered quote and a quote of other PCRs', () => {
    const attest = good.attest.slice();
    attest[attest.length - 1]! ^= 1;
    const v = verifyQuote({ ...good, attest }, expectations);
    expect(v.checks).toMatchObject({ chain: true, signature: false });
    const fewer = verifyQuote(good, {
      ...expectations,
      expectedPcrs: new Map([[17, expectedPcrs.get(17)!]]),
    });
    expect(fewer.reasons.join()).toMatch(/covers PCRs \[0,17\], the verifier expects \[17\]/);
  });

  it('rejects a TPM from another manufacturer, and an AK certified by another TPM', () => {
    const foreignCa = new ManufacturerCa(SeededRandom.fromSeed('rogue vendor'));
    const v = verifyQuote(good, { ...expectations, caCertificate: foreignCa.certificate });
    expect(v.checks.chain).toBe(false);
    expect(v.reasons.join()).toMatch(/not issued by the trusted CA/);
    const second = makeTpm('second tpm', ca).tpm;
    const mixed = { ...good, attestationCertificate: second.certificates().attestation };
    const w = verifyQuote(mixed, expectations);
    expect(w.checks.chain).toBe(false);
    expect(w.reasons.join()).toMatch(/not issued by the endorsement key/);
  });

  it('never throws on garbage evidence', () => {
    const v = verifyQuote(
      { ...good, endorsementCertificate: Uint8Array.of(1, 2, 3), signature: new Uint8Array(3) },
      expectations,
    );
    expect(v.ok).toBe(false);
    expect(v.reasons.join()).toMatch(/endorsement certificate: lab certificate: bad magic/);
    const w = verifyQuote(
      { ...good, attest: new Uint8Array(0), signature: new Uint8Array(64) },
      expectations,
    );
    expect(w.checks.signature).toBe(false);
  });
});
