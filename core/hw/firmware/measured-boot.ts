// Measured boot of the platform firmware model (TCG PC Client PFP conventions): PCR 0 gets a
// digest naming the firmware model and its version, PCR 4 the SHA-256 of the next stage's image
// (the S-mode payload or the modelled HS layer), both extended at locality 0 before hand-off.
// A verifier recomputes both from firmwareDigest() and the image it expects.
import { sha256 } from '../tpm/pcr-bank';
import type { Tpm } from '../tpm/tpm';

export const FIRMWARE_MODEL_NAME = 'CloudVisor Lab platform firmware model (M-mode, SBI v2.0)';
export const FIRMWARE_MODEL_VERSION = '1.0.0';
export const MEASURED_PCR = { FIRMWARE: 0, NEXT_STAGE: 4 } as const;
const LOCALITY = 0;

/** What the firmware extends into PCR 0: SHA-256 of "<name> <version>" in UTF-8. */
export function firmwareDigest(): Uint8Array {
  return sha256(new TextEncoder().encode(`${FIRMWARE_MODEL_NAME} ${FIRMWARE_MODEL_VERSION}`));
}

/** Extends PCR 0 (firmware) and PCR 4 (next stage); throws when the TPM refuses. */
export function measureBoot(tpm: Tpm, nextStageImage: Uint8Array): void {
  const steps = [
    { pcr: MEASURED_PCR.FIRMWARE, digest: firmwareDigest() },
    { pcr: MEASURED_PCR.NEXT_STAGE, digest: sha256(nextStageImage) },
  ];
  for (const { pcr, digest } of steps) {
    const r = tpm.execute({ command: 'PCR_Extend', locality: LOCALITY, pcr, digest });
    if (!r.ok) throw new Error(`firmware: measuring into PCR ${pcr} failed: ${r.rc} ${r.message}`);
  }
}
