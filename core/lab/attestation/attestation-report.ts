// What the attestation panel shows for one host: its TPM's PCRs next to the values a verifier
// expects from the published firmware and VMM image, a fresh quote over them with the caller's
// nonce, and that quote checked by verifyQuote against the manufacturer CA the lab trusts. The
// quote is the TPM's own signed answer; nothing here is computed on the TPM's behalf.
import { firmwareDigest, MEASURED_PCR } from '../../hw/firmware/measured-boot';
import { sha256 } from '../../hw/tpm/pcr-bank';
import { decodeCertificate } from '../../hw/tpm/lab-certificate';
import type { VmmHost } from '../host/vmm-host';
import { loadVmmBundle } from '../host/vmm-bundle';
import { LabError, type AttestationReport, type HostMode, type PcrReport } from '../protocol';
import { verifyQuote } from './verify-quote';

/** PCR 17: where a dynamic (late) launch measures the code it starts (TCG D-RTM). */
const DRTM_PCR = 17;
const PCRS = [MEASURED_PCR.FIRMWARE, MEASURED_PCR.NEXT_STAGE, DRTM_PCR] as const;
const MEANING: Readonly<Record<number, string>> = {
  [MEASURED_PCR.FIRMWARE]: 'platform firmware (measured at reset)',
  [MEASURED_PCR.NEXT_STAGE]: 'next stage: the hypervisor layer the firmware handed HS-mode to',
  [DRTM_PCR]: 'dynamic launch (the monitor, when launched late)',
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const extendFromZero = (digest: Uint8Array): Uint8Array => sha256(new Uint8Array(32), digest);

export function parseNonce(text: unknown): Uint8Array {
  if (typeof text !== 'string' || !/^([0-9a-f]{2}){16,64}$/i.test(text)) {
    throw new LabError('bad-request', 'the nonce is 16 to 64 bytes of hex');
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function expected(index: number): Uint8Array | null {
  if (index === MEASURED_PCR.FIRMWARE) return extendFromZero(firmwareDigest());
  // The firmware measures the VMM bundle as the next stage (bare-hardware.ts); under CloudVisor
  // too, since this lab's monitor is not yet measured on its own.
  if (index === MEASURED_PCR.NEXT_STAGE) return extendFromZero(sha256(loadVmmBundle().bytes));
  return null;
}

export function attestationReport(mode: HostMode, host: VmmHost, nonce: Uint8Array): AttestationReport {
  const tpm = host.board.tpm;
  const quote = tpm.quote([...PCRS], nonce);
  if (!quote.ok) throw new LabError('host-failed', `the TPM refused the quote: ${quote.rc} ${quote.message}`);
  const certs = tpm.certificates();
  const pcrs: PcrReport[] = PCRS.map((index, i) => {
    const want = expected(index);
    return { index, meaning: MEANING[index] ?? '', value: hex(quote.pcrValues[i] ?? new Uint8Array(32)), expected: want ? hex(want) : null };
  });
  const notes: string[] = [];
  if (mode === 'protected') notes.push('The monitor is not measured into its own PCR yet: PCR 17 stays at its reset value and PCR 4 names the VMM image.');
  let verdict: AttestationReport['verdict'];
  if (host.manufacturer === null) {
    verdict = { ok: false, checks: {}, reasons: ['the lab does not know the CA this host board was made with, so the quote cannot be checked'] };
  } else {
    const expectedPcrs = new Map<number, Uint8Array>();
    PCRS.forEach((index, i) => expectedPcrs.set(index, expected(index) ?? quote.pcrValues[i] ?? new Uint8Array(32)));
    if (!expected(DRTM_PCR)) notes.push('PCR 17 is checked against the value the quote reports: no late launch is expected on this platform.');
    const v = verifyQuote(
      { endorsementCertificate: certs.endorsement, attestationCertificate: certs.attestation, attest: quote.attest, signature: quote.signature, pcrValues: quote.pcrValues },
      { caCertificate: host.manufacturer.certificate, nonce, expectedPcrs },
    );
    verdict = { ok: v.ok, checks: { ...v.checks }, reasons: [...v.reasons] };
  }
  const subject = (bytes: Uint8Array): string => {
    try {
      return decodeCertificate(bytes).subject;
    } catch (error) {
      return `unreadable certificate: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  return {
    host: mode,
    pcrs,
    nonce: hex(nonce),
    quote: { attest: hex(quote.attest), signature: hex(quote.signature), pcrDigest: hex(sha256(...quote.pcrValues)), selection: [...PCRS] },
    certificates: {
      ca: host.manufacturer ? subject(host.manufacturer.certificate) : 'unknown',
      endorsement: subject(certs.endorsement),
      attestation: subject(certs.attestation),
    },
    verdict,
    notes,
  };
}
