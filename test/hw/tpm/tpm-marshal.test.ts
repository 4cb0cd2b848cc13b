// TPM marshalling against published values: the TPM2_PolicyPCR digest of tpm2-tools' own test
// suite (test_tpm2_createpolicy: SHA-256 bank, PCR 0 = 0x00..03), the TPML_PCR_SELECTION byte
// layout of TPM 2.0 Part 2 10.6.2, and strict TPMS_ATTEST decoding.
import { describe, expect, it } from 'vitest';
import {
  decodeQuoteAttest,
  marshalPcrSelection,
  marshalQuoteAttest,
  policyPcrDigest,
} from '../../../core/hw/tpm/tpm-marshal';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TPM marshalling', () => {
  it('computes the PolicyPCR digest published in tpm2-tools test_tpm2_createpolicy', () => {
    const pcr0 = new Uint8Array(32);
    pcr0[31] = 0x03;
    expect(hex(policyPcrDigest([0], [pcr0]))).toBe(
      '33e36e786c878632494217c3f490e74ca0a3a122a8a4f3c5302500df3b32b3b8',
    );
  });

  it('lays out TPML_PCR_SELECTION as count, hash, sizeofSelect, bitmap', () => {
    expect(hex(marshalPcrSelection([17, 0, 7, 7]))).toBe('00000001' + '000b' + '03' + '810002');
    expect(() => marshalPcrSelection([24])).toThrow(/PCR 24 does not exist/);
  });

  it('decodes what it encodes and refuses malformed TPMS_ATTEST', () => {
    const a = {
      qualifiedSigner: new Uint8Array(34).fill(1),
      extraData: Uint8Array.of(9, 9),
      clock: 5n,
      resetCount: 2,
      restartCount: 0,
      safe: true,
      firmwareVersion: 7n,
      pcrSelection: [1, 23],
      pcrDigest: new Uint8Array(32).fill(4),
    };
    const bytes = marshalQuoteAttest(a);
    expect(decodeQuoteAttest(bytes)).toEqual(a);
    expect(() => decodeQuoteAttest(Uint8Array.of(...bytes, 0))).toThrow(/trailing/);
    expect(() => decodeQuoteAttest(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    const wrongType = bytes.slice();
    wrongType[5] = 0x17;
    expect(() => decodeQuoteAttest(wrongType)).toThrow(/TPM_ST_ATTEST_QUOTE/);
    expect(() => decodeQuoteAttest(new Uint8Array(4))).toThrow(/TPM_GENERATED_VALUE/);
  });
});
