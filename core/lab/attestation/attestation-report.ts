// What the attestation panel shows for one host: its TPM's PCRs next to the values a verifier
// expects (the published firmware and VMM image; on a protected host the CloudVisor image with
// every defense on and fail-stop, so a weakened monitor fails the quote; on a bare host no late
// launch), a fresh quote over them with the caller's nonce, and that quote checked by verifyQuote
// against the manufacturer CA the lab trusts. The quote is the TPM's own signed answer.
import { ALL_DEFENSES } from '../../cloudvisor/monitor-events';
import { expectedLaunchPcr, monitorImage } from '../../cloudvisor/monitor-image';
import { MONITOR_BYTES } from '../../cloudvisor/monitor-launch';
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
  [DRTM_PCR]: 'dynamic launch: the monitor image and its configuration',
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const extendFromZero = (digest: Uint8Array): Uint8Array => sha256(new Uint8Array(32), digest);

export function parseNonce(text: unknown): Uint8Array {
  if (typeof text !== 'string' || !/^([0-9a-f]{2}){16,64}$/i.test(text)) {
    throw new LabError('bad-request', 'the nonce is 16 to 64 bytes of hex');
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function expected(mode: HostMode, index: number): Uint8Array | null {
  if (index === MEASURED_PCR.FIRMWARE) return extendFromZero(firmwareDigest());
  // The firmware measures the VMM bundle as the next stage (bare-hardware.ts), in both modes:
  // the monitor comes later, by the dynamic launch.
  if (index === MEASURED_PCR.NEXT_STAGE) return extendFromZero(sha256(loadVmmBundle().bytes));
  if (index === DRTM_PCR) {
    if (mode === 'bare') return new Uint8Array(32).fill(0xff); // never launched: its power-on value
    return expectedLaunchPcr(monitorImage({ defenses: ALL_DEFENSES, policy: 'fail-stop', monitorBytes: MONITOR_BYTES }));
  }
  return null;
}

export function attestationReport(mode: HostMode, host: VmmHost, nonce: Uint8Array): AttestationReport {
  const tpm = host.board.tpm;
  const quote = tpm.quote([...PCRS], nonce);
  if (!quote.ok) throw new LabError('host-failed', `the TPM refused the quote: ${quote.rc} ${quote.message}`);
  const certs = tpm.certificates();
  const pcrs: PcrReport[] = PCRS.map((index, i) => {
    const want = expected(mode, index);
    return { index, meaning: MEANING[index] ?? '', value: hex(quote.pcrValues[i] ?? new Uint8Array(32)), expected: want ? hex(want) : null };
  });
  const notes: string[] = [];
  if (mode === 'protected') notes.push('PCR 17 is expected to hold CloudVisor with every defense on and fail-stop: a monitor launched with a defense off, or not launched, fails the PCR check.');
  else notes.push('A bare host never launches a monitor: PCR 17 keeps its power-on value (all ones), and a verifier that requires CloudVisor refuses this quote.');
  let verdict: AttestationReport['verdict'];
  if (host.manufacturer === null) {
    verdict = { ok: false, checks: {}, reasons: ['the lab does not know the CA this host board was made with, so the quote cannot be checked'] };
  } else {
    const expectedPcrs = new Map<number, Uint8Array>();
    for (const index of PCRS) expectedPcrs.set(index, expected(mode, index) ?? new Uint8Array(32));
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
