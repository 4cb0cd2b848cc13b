// Marshalling of the TPM 2.0 structures the quote and the PCR policy use, big-endian as the
// spec prescribes: TPML_PCR_SELECTION (one SHA-256 bank), TPMS_ATTEST with TPMS_QUOTE_INFO,
// the quote's PCR digest and the TPM2_PolicyPCR policy digest. decodeAttest() is strict:
// any wrong tag, size or trailing byte is an error. TPM 2.0 Part 2 sec. 10.6.2, 10.12.8,
// 10.12.12; Part 3 sec. 23.7 (TPM2_PolicyPCR).
import { DIGEST_SIZE, PCR_COUNT, TPM_ALG, TPM_CC, TPM_GENERATED_VALUE, TPM_ST } from './tpm-constants';
import { sha256 } from './pcr-bank';

/** sizeofSelect for 24 PCRs. */
const PCR_SELECT_BYTES = 3;

export interface QuoteAttest {
  readonly qualifiedSigner: Uint8Array;
  readonly extraData: Uint8Array;
  readonly clock: bigint;
  readonly resetCount: number;
  readonly restartCount: number;
  readonly safe: boolean;
  readonly firmwareVersion: bigint;
  readonly pcrSelection: readonly number[];
  readonly pcrDigest: Uint8Array;
}

/** Growable big-endian writer. */
class Writer {
  private parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffff_ffffn)).u32(Number(v & 0xffff_ffffn));
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  sized(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }
  result(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Strict big-endian reader. */
class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  private take(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new Error(`TPMS_ATTEST: truncated at byte ${this.at}`);
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u16(): number {
    const t = this.take(2);
    return (t[0]! << 8) | t[1]!;
  }
  u32(): number {
    const t = this.take(4);
    return ((t[0]! << 24) | (t[1]! << 16) | (t[2]! << 8) | t[3]!) >>> 0;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
  sized(max: number, what: string): Uint8Array {
    const n = this.u16();
    if (n > max) throw new Error(`TPMS_ATTEST: ${what} is ${n} bytes, more than ${max}`);
    return this.take(n).slice();
  }
  end(): void {
    if (this.at !== this.b.length) throw new Error(`TPMS_ATTEST: ${this.b.length - this.at} trailing bytes`);
  }
}

/** Sorted, de-duplicated, range-checked PCR indices. */
export function normalizeSelection(pcrs: readonly number[]): number[] {
  for (const p of pcrs)
    if (!Number.isInteger(p) || p < 0 || p >= PCR_COUNT) throw new Error(`PCR ${p} does not exist (0..23)`);
  return [...new Set(pcrs)].sort((a, b) => a - b);
}

export function marshalPcrSelection(pcrs: readonly number[]): Uint8Array {
  const select = new Uint8Array(PCR_SELECT_BYTES);
  for (const p of normalizeSelection(pcrs)) select[p >> 3]! |= 1 << (p & 7);
  return new Writer().u32(1).u16(TPM_ALG.SHA256).u8(PCR_SELECT_BYTES).bytes(select).result();
}

/** The quote's pcrDigest and PolicyPCR's digestTPM: SHA-256 over the selected values in index order. */
export function pcrCompositeDigest(values: readonly Uint8Array[]): Uint8Array {
  return sha256(...values);
}

/** TPM2_PolicyPCR on a fresh session: SHA-256(0^32 || TPM_CC_PolicyPCR || pcrs || digestTPM). */
export function policyPcrDigest(pcrs: readonly number[], values: readonly Uint8Array[]): Uint8Array {
  const cc = new Writer().u32(TPM_CC.PolicyPCR).result();
  return sha256(new Uint8Array(DIGEST_SIZE), cc, marshalPcrSelection(pcrs), pcrCompositeDigest(values));
}

/** TPM Name of a key: nameAlg || SHA-256(public area); our public area is the 65-byte point. */
export function keyName(publicPoint: Uint8Array): Uint8Array {
  return new Writer().u16(TPM_ALG.SHA256).bytes(sha256(publicPoint)).result();
}

export function marshalQuoteAttest(a: QuoteAttest): Uint8Array {
  return new Writer()
    .u32(TPM_GENERATED_VALUE)
    .u16(TPM_ST.ATTEST_QUOTE)
    .sized(a.qualifiedSigner)
    .sized(a.extraData)
    .u64(a.clock)
    .u32(a.resetCount)
    .u32(a.restartCount)
    .u8(a.safe ? 1 : 0)
    .u64(a.firmwareVersion)
    .bytes(marshalPcrSelection(a.pcrSelection))
    .sized(a.pcrDigest)
    .result();
}

export function decodeQuoteAttest(bytes: Uint8Array): QuoteAttest {
  const r = new Reader(bytes);
  if (r.u32() !== TPM_GENERATED_VALUE) throw new Error('TPMS_ATTEST: magic is not TPM_GENERATED_VALUE');
  if (r.u16() !== TPM_ST.ATTEST_QUOTE) throw new Error('TPMS_ATTEST: type is not TPM_ST_ATTEST_QUOTE');
  const qualifiedSigner = r.sized(2 + DIGEST_SIZE, 'qualifiedSigner');
  const extraData = r.sized(64, 'extraData');
  const clock = r.u64();
  const resetCount = r.u32();
  const restartCount = r.u32();
  const safe = r.u8();
  if (safe > 1) throw new Error('TPMS_ATTEST: clockInfo.safe is not YES or NO');
  const firmwareVersion = r.u64();
  if (r.u32() !== 1) throw new Error('TPMS_ATTEST: the PCR selection must hold exactly one bank');
  if (r.u16() !== TPM_ALG.SHA256 || r.u8() !== PCR_SELECT_BYTES)
    throw new Error('TPMS_ATTEST: the PCR bank must be SHA-256 with a 3-byte selection');
  const pcrSelection: number[] = [];
  for (let byte = 0; byte < PCR_SELECT_BYTES; byte++) {
    const bits = r.u8();
    for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) pcrSelection.push(byte * 8 + bit);
  }
  const pcrDigest = r.sized(DIGEST_SIZE, 'pcrDigest');
  r.end();
  return {
    qualifiedSigner,
    extraData,
    clock,
    resetCount,
    restartCount,
    safe: safe === 1,
    firmwareVersion,
    pcrSelection,
    pcrDigest,
  };
}
