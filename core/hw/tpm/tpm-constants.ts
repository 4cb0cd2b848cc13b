// Names and numbers of the TPM 2.0 library specification (Part 2, Structures) that this
// model uses, plus the PC Client platform's PCR attribute table. Values are the spec's, so
// structures we marshal (TPMS_ATTEST, TPML_PCR_SELECTION, policy digests) are the real ones.
// Sources: TPM 2.0 Library Part 2 rev 1.59 tables 7, 12, 16, 19; TCG PC Client Platform TPM
// Profile (PTP) for TPM 2.0, table "PCR Attributes".

export const TPM_GENERATED_VALUE = 0xff54_4347;
export const TPM_ST = { ATTEST_QUOTE: 0x8018 } as const;
export const TPM_ALG = { SHA256: 0x000b } as const;
export const TPM_CC = { PolicyPCR: 0x0000_017f } as const;

/** Response codes (Part 2 table 16). */
export const TPM_RC = {
  SUCCESS: 0x000,
  VALUE: 0x084,
  HANDLE: 0x08b,
  RANGE: 0x08d,
  SIZE: 0x095,
  POLICY_FAIL: 0x09d,
  INTEGRITY: 0x09f,
  NV_UNINITIALIZED: 0x14a,
  NV_DEFINED: 0x14c,
  LOCALITY: 0x907,
} as const;
export type TpmRcName = keyof typeof TPM_RC;

export const PCR_COUNT = 24;
export const DIGEST_SIZE = 32;
export const LOCALITY_MAX = 4;
/** First and last PCR of the dynamic (DRTM) range: all ones at power-on, zeroed by a dynamic launch. */
export const PCR_DYNAMIC_FIRST = 17;
export const PCR_DYNAMIC_LAST = 22;
/** The PCR a dynamic launch extends with the measured launch code (PTP: _TPM_Hash_End). */
export const PCR_DRTM = 17;
/** The locality of the dynamic launch (the CPU's DRTM sequence). */
export const LOCALITY_DRTM = 4;

export interface PcrAttributes {
  /** Localities allowed to extend (TPM2_PCR_Extend). */
  readonly extend: readonly number[];
  /** Localities allowed to reset with TPM2_PCR_Reset (empty: never). */
  readonly reset: readonly number[];
  /** Power-on value: all zeros, or all ones for the dynamic PCRs. */
  readonly initialOnes: boolean;
}

const ALL = [0, 1, 2, 3, 4] as const;

/** PC Client PTP PCR attributes: 0-15 static, 16 debug, 17-22 dynamic, 23 application. */
export function pcrAttributes(index: number): PcrAttributes {
  if (index <= 15) return { extend: ALL, reset: [], initialOnes: false };
  if (index === 16 || index === 23) return { extend: ALL, reset: ALL, initialOnes: false };
  if (index <= 19) return { extend: [2, 3, 4], reset: [], initialOnes: true };
  if (index === 20) return { extend: [1, 2, 3], reset: [2], initialOnes: true };
  return { extend: [2], reset: [2], initialOnes: true };
}
