// The board's TPM, with TPM 2.0 semantics behind a typed command interface: a SHA-256 PCR
// bank with PC Client locality rules, quotes (a real TPMS_ATTEST signed by a certified
// attestation key), seal/unseal to a PolicyPCR digest, NV monotonic counters, GetRandom.
// Invariants: every refusal is a TpmFailure with a TPM_RC name and changes nothing; counters
// never go back, across undefine, power cycles and save/load; all keys and nonces come from the
// seeded source. TPM 2.0 Library Parts 1-3 (rev 1.59); simplifications in docs/hw/tpm.md.
import type { Clock } from '../device';
import type { RandomSource } from '../seeded-random';
import { encodeCertificate, issueCertificate, LAB_CERT_USAGE, decodeCertificate } from './lab-certificate';
import type { ManufacturerCa } from './manufacturer-ca';
import { deriveP256Key, type P256KeyPair, p256FromScalar, p256Sign } from './p256-keys';
import { PcrBank } from './pcr-bank';
import { openSealedBlob, readSealedHeader, sealBlob } from './sealed-blob';
import { DIGEST_SIZE, TPM_RC, type TpmRcName } from './tpm-constants';
import {
  keyName,
  marshalQuoteAttest,
  normalizeSelection,
  pcrCompositeDigest,
  policyPcrDigest,
} from './tpm-marshal';

export type TpmFailure = {
  readonly ok: false;
  readonly rc: TpmRcName;
  readonly code: number;
  readonly message: string;
};
export type TpmResult<T> = ({ readonly ok: true } & T) | TpmFailure;

/** Every command the TPM accepts; `locality` is the interface window the command arrived on. */
export type TpmCommand =
  | { readonly command: 'PCR_Read'; readonly locality: number; readonly pcrs: readonly number[] }
  | {
      readonly command: 'PCR_Extend';
      readonly locality: number;
      readonly pcr: number;
      readonly digest: Uint8Array;
    }
  | { readonly command: 'PCR_Reset'; readonly locality: number; readonly pcr: number }
  | { readonly command: 'DynamicLaunch'; readonly locality: number; readonly launchCode: Uint8Array }
  | {
      readonly command: 'Quote';
      readonly locality: number;
      readonly pcrs: readonly number[];
      readonly qualifyingData: Uint8Array;
    }
  | {
      readonly command: 'Seal';
      readonly locality: number;
      readonly data: Uint8Array;
      readonly pcrs: readonly number[];
      readonly expectedValues?: readonly Uint8Array[];
    }
  | { readonly command: 'Unseal'; readonly locality: number; readonly blob: Uint8Array }
  | { readonly command: 'NV_DefineCounter'; readonly locality: number; readonly index: number }
  | { readonly command: 'NV_UndefineCounter'; readonly locality: number; readonly index: number }
  | { readonly command: 'NV_Increment'; readonly locality: number; readonly index: number }
  | { readonly command: 'NV_Read'; readonly locality: number; readonly index: number }
  | { readonly command: 'GetRandom'; readonly locality: number; readonly bytes: number };

export type TpmCommandName = TpmCommand['command'];
export type TpmCommandOf<K extends TpmCommandName> = Extract<TpmCommand, { readonly command: K }>;

/** What each command returns on success. */
export interface TpmResults {
  readonly PCR_Read: { readonly values: Uint8Array[] };
  readonly PCR_Extend: object;
  readonly PCR_Reset: object;
  readonly DynamicLaunch: object;
  readonly Quote: Quote;
  readonly Seal: { readonly blob: Uint8Array };
  readonly Unseal: { readonly data: Uint8Array };
  readonly NV_DefineCounter: object;
  readonly NV_UndefineCounter: object;
  readonly NV_Increment: { readonly value: number };
  readonly NV_Read: { readonly value: number };
  readonly GetRandom: { readonly bytes: Uint8Array };
}

type TpmHandler<K extends TpmCommandName> = (cmd: TpmCommandOf<K>) => TpmResult<TpmResults[K]>;

export interface Quote {
  readonly attest: Uint8Array;
  /** ECDSA P-256 over SHA-256(attest), IEEE P1363 r || s. */
  readonly signature: Uint8Array;
  /** The quoted PCR values in index order (the verifier recomputes pcrDigest from them). */
  readonly pcrValues: readonly Uint8Array[];
}

export const TPM_STATE_VERSION = 1;
export const TPM_FIRMWARE_VERSION = 0x2026_0001n;
/** TPM2B_SENSITIVE_DATA limit (MAX_SYM_DATA). */
export const TPM_MAX_SEAL_BYTES = 128;
/** TPM2_GetRandom returns at most one digest's worth (SHA-256 only here). */
export const TPM_MAX_RANDOM_BYTES = 32;
export const TPM_NV_INDEX = { FIRST: 0x0100_0000, LAST: 0x01ff_ffff, MAX_COUNTERS: 16 } as const;
const TIMEBASE_TICKS_PER_MS = 10_000;

export interface TpmState {
  readonly version: number;
  readonly endorsementScalar: Uint8Array;
  readonly attestationScalar: Uint8Array;
  readonly storageKey: Uint8Array;
  readonly endorsementCertificate: Uint8Array;
  readonly attestationCertificate: Uint8Array;
  readonly pcrs: readonly Uint8Array[];
  /** NV counters: null = defined, not yet incremented (TPM_RC_NV_UNINITIALIZED). */
  readonly counters: ReadonlyArray<readonly [number, number | null]>;
  readonly counterHighWater: number;
  readonly resetCount: number;
  readonly clockMs: number;
}

function fail(rc: TpmRcName, message: string): TpmFailure {
  return { ok: false, rc, code: TPM_RC[rc], message };
}

interface TpmKeys {
  readonly endorsement: P256KeyPair;
  readonly attestation: P256KeyPair;
  readonly storageKey: Uint8Array;
  readonly endorsementCertificate: Uint8Array;
  readonly attestationCertificate: Uint8Array;
}

export class Tpm {
  private readonly pcrs = new PcrBank();
  private counters = new Map<number, number | null>();
  private counterHighWater = 0;
  private resetCount = 0;
  private clockMs = 0;

  private constructor(
    private keys: TpmKeys,
    private readonly random: RandomSource,
    private readonly clock: Clock,
  ) {}

  /**
   * A new TPM: endorsement key, attestation key and storage key from `random`, the EK certified
   * by the lab manufacturer CA, the AK certified by the EK (see docs/hw/tpm.md on why).
   */
  static manufacture(
    random: RandomSource,
    ca: ManufacturerCa,
    clock: Clock,
    name = 'CloudVisor Lab TPM',
  ): Tpm {
    const endorsement = deriveP256Key(random);
    const attestation = deriveP256Key(random);
    const storageKey = random.bytes(32);
    const endorsementCertificate = ca.certifyEndorsementKey(`${name} EK`, endorsement.publicPoint);
    const akBody = {
      usage: LAB_CERT_USAGE.ATTESTATION,
      serial: 1,
      subject: `${name} AK`,
      issuer: `${name} EK`,
      publicKey: attestation.publicPoint,
    };
    const attestationCertificate = encodeCertificate(issueCertificate(akBody, endorsement, random));
    return new Tpm(
      { endorsement, attestation, storageKey, endorsementCertificate, attestationCertificate },
      random,
      clock,
    );
  }

  /** The EK certificate (signed by the manufacturer CA) and the AK certificate (signed by the EK). */
  certificates(): { readonly endorsement: Uint8Array; readonly attestation: Uint8Array } {
    return {
      endorsement: this.keys.endorsementCertificate.slice(),
      attestation: this.keys.attestationCertificate.slice(),
    };
  }

  /** TPM Reset (power cycle + TPM2_Startup(CLEAR)): PCRs to power-on values, resetCount + 1. NV and keys persist. */
  powerCycle(): void {
    this.pcrs.powerOn();
    this.resetCount++;
  }

  /** Runs one command; the result type follows the command (TpmResults). */
  execute<K extends TpmCommandName>(cmd: TpmCommandOf<K>): TpmResult<TpmResults[K]> {
    const loc = PcrBank.checkLocality(cmd.locality);
    if (!loc.ok) return fail(loc.rc, loc.message);
    return (this.handlers[cmd.command] as TpmHandler<K>)(cmd);
  }

  private readonly handlers: { readonly [K in TpmCommandName]: TpmHandler<K> } = {
    PCR_Read: (c) => this.pcrRead(c.pcrs),
    PCR_Extend: (c) => this.pcrExtend(c.locality, c.pcr, c.digest),
    PCR_Reset: (c) => this.pcrReset(c.locality, c.pcr),
    DynamicLaunch: (c) => this.dynamicLaunch(c.locality, c.launchCode),
    Quote: (c) => this.quote(c.pcrs, c.qualifyingData),
    Seal: (c) => this.seal(c.data, c.pcrs, c.expectedValues),
    Unseal: (c) => this.unseal(c.blob),
    NV_DefineCounter: (c) => this.nvDefineCounter(c.index),
    NV_UndefineCounter: (c) => this.nvUndefineCounter(c.index),
    NV_Increment: (c) => this.nvIncrement(c.index),
    NV_Read: (c) => this.nvRead(c.index),
    GetRandom: (c) => this.getRandom(c.bytes),
  };

  pcrRead(pcrs: readonly number[]): TpmResult<{ readonly values: Uint8Array[] }> {
    const sel = this.selection(pcrs);
    if (!Array.isArray(sel)) return sel;
    return { ok: true, values: sel.map((i) => this.pcrs.read(i)) };
  }

  pcrExtend(locality: number, pcr: number, digest: Uint8Array): TpmResult<object> {
    const r = this.pcrs.extend(locality, pcr, digest);
    return r.ok ? { ok: true } : fail(r.rc, r.message);
  }

  pcrReset(locality: number, pcr: number): TpmResult<object> {
    const r = this.pcrs.reset(locality, pcr);
    return r.ok ? { ok: true } : fail(r.rc, r.message);
  }

  dynamicLaunch(locality: number, launchCode: Uint8Array): TpmResult<object> {
    const r = this.pcrs.dynamicLaunch(locality, launchCode);
    return r.ok ? { ok: true } : fail(r.rc, r.message);
  }

  /** TPM2_Quote with the AK: TPMS_ATTEST over the selected PCRs and the caller's nonce. */
  quote(pcrs: readonly number[], qualifyingData: Uint8Array): TpmResult<Quote> {
    const sel = this.selection(pcrs);
    if (!Array.isArray(sel)) return sel;
    if (sel.length === 0) return fail('VALUE', 'a quote needs at least one PCR');
    if (qualifyingData.length > 64)
      return fail('SIZE', `qualifyingData is ${qualifyingData.length} bytes, at most 64`);
    const pcrValues = sel.map((i) => this.pcrs.read(i));
    const attest = marshalQuoteAttest({
      qualifiedSigner: keyName(this.keys.attestation.publicPoint),
      extraData: qualifyingData.slice(),
      clock: BigInt(this.tick()),
      resetCount: this.resetCount,
      restartCount: 0,
      safe: true,
      firmwareVersion: TPM_FIRMWARE_VERSION,
      pcrSelection: sel,
      pcrDigest: pcrCompositeDigest(pcrValues),
    });
    return { ok: true, attest, signature: p256Sign(this.keys.attestation, attest, this.random), pcrValues };
  }

  /**
   * TPM2_Create of a sealed data object whose authPolicy is TPM2_PolicyPCR over `pcrs`, either at
   * their current values or at `expectedValues` (sealing to a future state, as tpm2_createpolicy does).
   */
  seal(
    data: Uint8Array,
    pcrs: readonly number[],
    expectedValues?: readonly Uint8Array[],
  ): TpmResult<{ readonly blob: Uint8Array }> {
    const sel = this.selection(pcrs);
    if (!Array.isArray(sel)) return sel;
    if (data.length > TPM_MAX_SEAL_BYTES)
      return fail('SIZE', `sealed data is ${data.length} bytes, at most ${TPM_MAX_SEAL_BYTES}`);
    const values = expectedValues ?? sel.map((i) => this.pcrs.read(i));
    if (values.length !== sel.length || values.some((v) => v.length !== DIGEST_SIZE))
      return fail('SIZE', 'expected PCR values must be one 32-byte digest per selected PCR');
    const blob = sealBlob(
      this.keys.storageKey,
      this.random.bytes(12),
      sel,
      policyPcrDigest(sel, values),
      data,
    );
    return { ok: true, blob };
  }

  /** TPM2_Unseal after a PolicyPCR session: refused unless the PCRs now match the sealed policy. */
  unseal(blob: Uint8Array): TpmResult<{ readonly data: Uint8Array }> {
    const header = readSealedHeader(blob);
    if (typeof header === 'string') return fail('SIZE', header);
    const current = policyPcrDigest(
      header.pcrs,
      header.pcrs.map((i) => this.pcrs.read(i)),
    );
    if (!Buffer.from(current).equals(Buffer.from(header.policy))) {
      return fail(
        'POLICY_FAIL',
        `PCRs ${header.pcrs.join(',')} do not have the values the data was sealed to`,
      );
    }
    const data = openSealedBlob(this.keys.storageKey, blob);
    if (data === null)
      return fail('INTEGRITY', 'sealed blob failed its integrity check (tampered, or sealed by another TPM)');
    return { ok: true, data };
  }

  nvDefineCounter(index: number): TpmResult<object> {
    const bad = this.checkNvIndex(index);
    if (bad !== undefined) return bad;
    if (this.counters.has(index))
      return fail('NV_DEFINED', `NV index 0x${index.toString(16)} is already defined`);
    if (this.counters.size >= TPM_NV_INDEX.MAX_COUNTERS)
      return fail('NV_DEFINED', `no NV space: at most ${TPM_NV_INDEX.MAX_COUNTERS} counters`);
    this.counters.set(index, null);
    return { ok: true };
  }

  nvUndefineCounter(index: number): TpmResult<object> {
    const bad = this.checkNvIndex(index);
    if (bad !== undefined) return bad;
    if (!this.counters.delete(index))
      return fail('HANDLE', `NV index 0x${index.toString(16)} is not defined`);
    return { ok: true };
  }

  /**
   * TPM2_NV_Increment. The first increment starts from the highest value any counter ever had
   * (Part 1 sec. 37.2.2), so undefining and redefining a counter cannot roll it back.
   */
  nvIncrement(index: number): TpmResult<{ readonly value: number }> {
    const bad = this.checkNvIndex(index);
    if (bad !== undefined) return bad;
    if (!this.counters.has(index)) return fail('HANDLE', `NV index 0x${index.toString(16)} is not defined`);
    const value = (this.counters.get(index) ?? this.counterHighWater) + 1;
    this.counters.set(index, value);
    this.counterHighWater = Math.max(this.counterHighWater, value);
    return { ok: true, value };
  }

  nvRead(index: number): TpmResult<{ readonly value: number }> {
    const bad = this.checkNvIndex(index);
    if (bad !== undefined) return bad;
    if (!this.counters.has(index)) return fail('HANDLE', `NV index 0x${index.toString(16)} is not defined`);
    const value = this.counters.get(index);
    if (value === null || value === undefined)
      return fail('NV_UNINITIALIZED', `NV counter 0x${index.toString(16)} has never been incremented`);
    return { ok: true, value };
  }

  /** TPM2_GetRandom: at most 32 bytes per call (a real TPM returns fewer than asked, too). */
  getRandom(bytes: number): TpmResult<{ readonly bytes: Uint8Array }> {
    if (!Number.isInteger(bytes) || bytes < 0) return fail('VALUE', `cannot return ${bytes} random bytes`);
    return { ok: true, bytes: this.random.bytes(Math.min(bytes, TPM_MAX_RANDOM_BYTES)) };
  }

  private checkNvIndex(index: number): TpmFailure | undefined {
    if (!Number.isInteger(index) || index < TPM_NV_INDEX.FIRST || index > TPM_NV_INDEX.LAST) {
      return fail(
        'HANDLE',
        `0x${Number(index).toString(16)} is not an NV index handle (0x01000000..0x01ffffff)`,
      );
    }
    return undefined;
  }

  private selection(pcrs: readonly number[]): number[] | TpmFailure {
    try {
      return normalizeSelection(pcrs);
    } catch (e) {
      return fail('VALUE', (e as Error).message);
    }
  }

  /** TPM clock in milliseconds from the board's virtual clock (10 MHz timebase); never goes back. */
  private tick(): number {
    this.clockMs = Math.max(this.clockMs, Math.floor(this.clock.now() / TIMEBASE_TICKS_PER_MS));
    return this.clockMs;
  }

  saveState(): TpmState {
    return {
      version: TPM_STATE_VERSION,
      endorsementScalar: this.keys.endorsement.scalar.slice(),
      attestationScalar: this.keys.attestation.scalar.slice(),
      storageKey: this.keys.storageKey.slice(),
      endorsementCertificate: this.keys.endorsementCertificate.slice(),
      attestationCertificate: this.keys.attestationCertificate.slice(),
      pcrs: this.pcrs.saveValues(),
      counters: [...this.counters.entries()],
      counterHighWater: this.counterHighWater,
      resetCount: this.resetCount,
      clockMs: this.clockMs,
    };
  }

  /** Restores a saved TPM (the random source and clock stay this instance's: the board restores those). */
  loadState(state: TpmState): void {
    if (state.version !== TPM_STATE_VERSION)
      throw new Error(`tpm: state version ${String(state.version)} is not ${TPM_STATE_VERSION}`);
    if (state.storageKey.length !== 32) throw new Error('tpm: state storage key must be 32 bytes');
    for (const [name, v] of [
      ['resetCount', state.resetCount],
      ['clockMs', state.clockMs],
      ['counterHighWater', state.counterHighWater],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new Error(`tpm: state ${name} must be a non-negative integer, got ${String(v)}`);
    }
    const ek = decodeCertificate(state.endorsementCertificate);
    const ak = decodeCertificate(state.attestationCertificate);
    const endorsement = p256FromScalar(state.endorsementScalar);
    const attestation = p256FromScalar(state.attestationScalar);
    if (
      !Buffer.from(ek.publicKey).equals(Buffer.from(endorsement.publicPoint)) ||
      !Buffer.from(ak.publicKey).equals(Buffer.from(attestation.publicPoint))
    ) {
      throw new Error('tpm: state certificates do not match its keys');
    }
    if (
      state.counters.some(
        ([i, v]) =>
          this.checkNvIndex(i) !== undefined ||
          (v !== null && (!Number.isInteger(v) || v > state.counterHighWater)),
      )
    ) {
      throw new Error('tpm: state NV counters are invalid or above the high-water mark');
    }
    this.pcrs.loadValues(state.pcrs);
    this.keys = {
      endorsement,
      attestation,
      storageKey: state.storageKey.slice(),
      endorsementCertificate: state.endorsementCertificate.slice(),
      attestationCertificate: state.attestationCertificate.slice(),
    };
    this.counters = new Map(state.counters);
    this.counterHighWater = state.counterHighWater;
    this.resetCount = state.resetCount;
    this.clockMs = state.clockMs;
  }
}
