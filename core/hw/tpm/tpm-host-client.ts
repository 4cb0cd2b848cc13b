// The TPM as host software at one locality uses it: simple calls that throw a TpmCommandError on
// a refusal instead of returning a result record. The shape matches the hypervisor interface's
// TpmClient (core/sandbox/hyp.ts), so the bare host and the monitor can hand it to the VMM as is.
import { createHash } from 'node:crypto';
import type { Tpm, TpmResult } from './tpm';

export class TpmCommandError extends Error {
  override readonly name = 'TpmCommandError';
}

export interface TpmHostQuote {
  readonly pcrMask: number;
  readonly nonce: Uint8Array;
  readonly pcrDigest: Uint8Array;
  readonly signature: Uint8Array;
  readonly attest: Uint8Array;
  readonly pcrValues: readonly Uint8Array[];
}

function unwrap<T>(result: TpmResult<T>): T {
  if (!result.ok) throw new TpmCommandError(`${result.rc}: ${result.message}`);
  return result;
}

export function tpmHostClient(tpm: Tpm, locality: number) {
  return {
    pcrRead(index: number): Uint8Array {
      return unwrap(tpm.pcrRead([index])).values[0] ?? new Uint8Array(32);
    },
    pcrExtend(index: number, digest: Uint8Array): void {
      unwrap(tpm.pcrExtend(locality, index, digest));
    },
    quote(pcrMask: number, nonce: Uint8Array): TpmHostQuote {
      const pcrs: number[] = [];
      for (let i = 0; i < 24; i++) if ((pcrMask >>> i) & 1) pcrs.push(i);
      const quote = unwrap(tpm.quote(pcrs, nonce));
      const digest = createHash('sha256');
      for (const value of quote.pcrValues) digest.update(value);
      return {
        pcrMask: pcrMask >>> 0,
        nonce: nonce.slice(),
        pcrDigest: new Uint8Array(digest.digest()),
        signature: quote.signature,
        attest: quote.attest,
        pcrValues: quote.pcrValues,
      };
    },
    random(length: number): Uint8Array {
      const out = new Uint8Array(length);
      for (let at = 0; at < length; ) {
        const chunk = unwrap(tpm.getRandom(Math.min(32, length - at))).bytes;
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
    counterRead(index: number): number {
      return unwrap(tpm.nvRead(index)).value;
    },
    counterIncrement(index: number): number {
      const first = tpm.nvIncrement(index);
      if (first.ok) return first.value;
      // A counter comes into being on first use, as the VMM's metadata agent expects.
      unwrap(tpm.nvDefineCounter(index));
      return unwrap(tpm.nvIncrement(index)).value;
    },
  };
}

export type TpmHostClient = ReturnType<typeof tpmHostClient>;
