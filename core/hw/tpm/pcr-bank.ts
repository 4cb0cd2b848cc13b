// The SHA-256 PCR bank: 24 registers with the PC Client locality rules for extend and reset,
// and the dynamic launch that alone zeroes PCRs 17-22.
// Invariants: a PCR changes only by extend (new = SHA-256(old || digest)), by an allowed
// reset, by a dynamic launch from locality 4, or by power-on (zeros, all ones for 17-22).
// TPM 2.0 Part 1 sec. 17 (PCR operations), PTP "PCR Attributes" and "_TPM_Hash_Start/End".
import { createHash } from 'node:crypto';
import {
  DIGEST_SIZE,
  LOCALITY_DRTM,
  LOCALITY_MAX,
  PCR_COUNT,
  PCR_DRTM,
  PCR_DYNAMIC_FIRST,
  PCR_DYNAMIC_LAST,
  pcrAttributes,
  type TpmRcName,
} from './tpm-constants';

export type PcrResult =
  { readonly ok: true } | { readonly ok: false; readonly rc: TpmRcName; readonly message: string };

const OK: PcrResult = { ok: true };

function refuse(rc: TpmRcName, message: string): PcrResult {
  return { ok: false, rc, message };
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export class PcrBank {
  private readonly values: Uint8Array[] = Array.from(
    { length: PCR_COUNT },
    () => new Uint8Array(DIGEST_SIZE),
  );

  constructor() {
    this.powerOn();
  }

  /** TPM Reset (TPM2_Startup(CLEAR) after power-on): zeros, and all ones in 17-22. */
  powerOn(): void {
    this.values.forEach((v, i) => v.fill(pcrAttributes(i).initialOnes ? 0xff : 0x00));
  }

  static checkIndex(index: number): PcrResult {
    return Number.isInteger(index) && index >= 0 && index < PCR_COUNT
      ? OK
      : refuse('VALUE', `PCR ${index} does not exist (0..23)`);
  }

  static checkLocality(locality: number): PcrResult {
    return Number.isInteger(locality) && locality >= 0 && locality <= LOCALITY_MAX
      ? OK
      : refuse('LOCALITY', `locality ${locality} does not exist (0..4)`);
  }

  read(index: number): Uint8Array {
    const v = this.values[index];
    if (v === undefined) throw new Error(`PcrBank.read: PCR ${index} does not exist`);
    return v.slice();
  }

  extend(locality: number, index: number, digest: Uint8Array): PcrResult {
    const checked = this.checkAccess(locality, index, 'extend');
    if (!checked.ok) return checked;
    if (digest.length !== DIGEST_SIZE)
      return refuse('SIZE', `an extend digest is 32 bytes (SHA-256), not ${digest.length}`);
    this.values[index] = sha256(this.values[index]!, digest);
    return OK;
  }

  /** TPM2_PCR_Reset: only PCRs 16, 23 (any locality) and 20-22 (locality 2) may be reset this way. */
  reset(locality: number, index: number): PcrResult {
    const checked = this.checkAccess(locality, index, 'reset');
    if (!checked.ok) return checked;
    this.values[index]!.fill(0);
    return OK;
  }

  /**
   * The dynamic launch (_TPM_Hash_Start, _TPM_Hash_Data, _TPM_Hash_End), legal only from
   * locality 4: PCRs 17-22 become zero, then PCR 17 = SHA-256(0^32 || SHA-256(launch code)).
   */
  dynamicLaunch(locality: number, launchCode: Uint8Array): PcrResult {
    if (locality !== LOCALITY_DRTM)
      return refuse('LOCALITY', `a dynamic launch must come from locality 4, not ${locality}`);
    for (let i = PCR_DYNAMIC_FIRST; i <= PCR_DYNAMIC_LAST; i++) this.values[i]!.fill(0);
    this.values[PCR_DRTM] = sha256(this.values[PCR_DRTM]!, sha256(launchCode));
    return OK;
  }

  private checkAccess(locality: number, index: number, op: 'extend' | 'reset'): PcrResult {
    const idx = PcrBank.checkIndex(index);
    if (!idx.ok) return idx;
    const loc = PcrBank.checkLocality(locality);
    if (!loc.ok) return loc;
    const allowed = pcrAttributes(index)[op];
    if (!allowed.includes(locality)) {
      const who = allowed.length === 0 ? 'no locality' : `localities ${allowed.join(',')} only`;
      return refuse(
        'LOCALITY',
        `PCR ${index} may be ${op === 'extend' ? 'extended' : 'reset'} by ${who}, not locality ${locality}`,
      );
    }
    return OK;
  }

  saveValues(): Uint8Array[] {
    return this.values.map((v) => v.slice());
  }

  loadValues(values: readonly Uint8Array[]): void {
    if (
      values.length !== PCR_COUNT ||
      values.some((v) => !(v instanceof Uint8Array) || v.length !== DIGEST_SIZE)
    ) {
      throw new Error('tpm: state must hold 24 PCR values of 32 bytes');
    }
    values.forEach((v, i) => (this.values[i] = v.slice()));
  }
}
