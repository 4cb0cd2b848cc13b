// The board's deterministic random source: HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1,
// section 10.1.2), built on node:crypto's HMAC. Every key, IV, nonce and rng-seed of the
// board comes from here, so one session seed gives the same run bit for bit.
// Invariants: key and V are always 32 bytes; the state (key, V, reseed counter) is the whole
// generator, so saveState()/loadState() resume the exact same stream.
import { createHmac } from 'node:crypto';

/** What consumers of randomness need; the TPM and the DTB builder take this, not the class. */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}

/** Parameters of the SHA-256 instantiation (SP 800-90A table 2, HMAC_DRBG). */
export const HMAC_DRBG_SHA256 = {
  OUTLEN: 32,
  SECURITY_STRENGTH: 32,
  /** max_number_of_bits_per_request = 2^19 bits. */
  MAX_BYTES_PER_REQUEST: 1 << 16,
  /** reseed_interval = 2^48 requests. */
  RESEED_INTERVAL: 2 ** 48,
} as const;

export const SEEDED_RANDOM_STATE_VERSION = 1;

export interface SeededRandomState {
  readonly version: number;
  readonly key: Uint8Array;
  readonly v: Uint8Array;
  readonly reseedCounter: number;
}

const EMPTY = new Uint8Array(0);

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export class SeededRandom implements RandomSource {
  private key: Uint8Array = new Uint8Array(HMAC_DRBG_SHA256.OUTLEN);
  private v: Uint8Array = new Uint8Array(HMAC_DRBG_SHA256.OUTLEN);
  private reseedCounter = 1;

  /**
   * HMAC_DRBG_Instantiate_algorithm (10.1.2.3). The entropy input must carry at least the
   * security strength (32 bytes); the nonce at least half of it (SP 800-90A 8.6.7).
   */
  constructor(entropy: Uint8Array, nonce: Uint8Array, personalization: Uint8Array = EMPTY) {
    if (entropy.length < HMAC_DRBG_SHA256.SECURITY_STRENGTH) {
      throw new Error(`SeededRandom: entropy input is ${entropy.length} bytes, at least 32 are required`);
    }
    if (nonce.length < HMAC_DRBG_SHA256.SECURITY_STRENGTH / 2) {
      throw new Error(`SeededRandom: nonce is ${nonce.length} bytes, at least 16 are required`);
    }
    this.key.fill(0x00);
    this.v.fill(0x01);
    this.update(concat(entropy, nonce, personalization));
    this.reseedCounter = 1;
  }

  /**
   * The board's usual entry point: a session seed (text or bytes) expanded into entropy
   * input and nonce by SHA-256-based HMAC, with a label as personalization string, so
   * different holders of the same session seed get independent streams.
   */
  static fromSeed(seed: string | Uint8Array, label = 'cloudvisor-lab'): SeededRandom {
    const seedBytes = typeof seed === 'string' ? utf8(seed) : seed;
    if (seedBytes.length === 0) throw new Error('SeededRandom: the session seed is empty');
    const entropy = hmac(utf8('cloudvisor-lab seed: entropy'), seedBytes);
    const nonce = hmac(utf8('cloudvisor-lab seed: nonce'), seedBytes).subarray(0, 16);
    return new SeededRandom(entropy, nonce, utf8(label));
  }

  /** HMAC_DRBG_Update (10.1.2.2). */
  private update(provided: Uint8Array): void {
    this.key = hmac(this.key, this.v, Uint8Array.of(0x00), provided);
    this.v = hmac(this.key, this.v);
    if (provided.length === 0) return;
    this.key = hmac(this.key, this.v, Uint8Array.of(0x01), provided);
    this.v = hmac(this.key, this.v);
  }

  /** HMAC_DRBG_Reseed_algorithm (10.1.2.4). */
  reseed(entropy: Uint8Array, additional: Uint8Array = EMPTY): void {
    if (entropy.length < HMAC_DRBG_SHA256.SECURITY_STRENGTH) {
      throw new Error(`SeededRandom: reseed entropy is ${entropy.length} bytes, at least 32 are required`);
    }
    this.update(concat(entropy, additional));
    this.reseedCounter = 1;
  }

  /** HMAC_DRBG_Generate_algorithm (10.1.2.5) for one request of at most 2^16 bytes. */
  generate(length: number, additional: Uint8Array = EMPTY): Uint8Array {
    if (!Number.isInteger(length) || length < 0 || length > HMAC_DRBG_SHA256.MAX_BYTES_PER_REQUEST) {
      throw new Error(`SeededRandom: a request is 0..65536 bytes, not ${length}`);
    }
    if (this.reseedCounter > HMAC_DRBG_SHA256.RESEED_INTERVAL) {
      throw new Error('SeededRandom: reseed required (reseed_counter exceeded 2^48)');
    }
    if (additional.length > 0) this.update(additional);
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; filled += HMAC_DRBG_SHA256.OUTLEN) {
      this.v = hmac(this.key, this.v);
      out.set(this.v.subarray(0, Math.min(HMAC_DRBG_SHA256.OUTLEN, length - filled)), filled);
    }
    this.update(additional);
    this.reseedCounter += 1;
    return out;
  }

  /** Any number of bytes: requests above the per-request limit are split into several generates. */
  bytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new Error(`SeededRandom: invalid length ${length}`);
    if (length <= HMAC_DRBG_SHA256.MAX_BYTES_PER_REQUEST) return this.generate(length);
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += HMAC_DRBG_SHA256.MAX_BYTES_PER_REQUEST) {
      out.set(this.generate(Math.min(HMAC_DRBG_SHA256.MAX_BYTES_PER_REQUEST, length - at)), at);
    }
    return out;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const b = this.generate(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /**
   * An independent child generator for one holder (e.g. "tpm"): its entropy is drawn from
   * this stream with the label as additional input, and the label is its personalization.
   */
  fork(label: string): SeededRandom {
    const material = this.generate(48, utf8(`fork:${label}`));
    return new SeededRandom(material.subarray(0, 32), material.subarray(32), utf8(label));
  }

  saveState(): SeededRandomState {
    return {
      version: SEEDED_RANDOM_STATE_VERSION,
      key: this.key.slice(),
      v: this.v.slice(),
      reseedCounter: this.reseedCounter,
    };
  }

  static loadState(state: SeededRandomState): SeededRandom {
    if (state.version !== SEEDED_RANDOM_STATE_VERSION) {
      throw new Error(
        `SeededRandom: state version ${String(state.version)} is not ${SEEDED_RANDOM_STATE_VERSION}`,
      );
    }
    if (
      !(state.key instanceof Uint8Array) ||
      state.key.length !== 32 ||
      !(state.v instanceof Uint8Array) ||
      state.v.length !== 32
    ) {
      throw new Error('SeededRandom: state key and V must be 32-byte Uint8Arrays');
    }
    if (!Number.isInteger(state.reseedCounter) || state.reseedCounter < 1) {
      throw new Error(`SeededRandom: invalid reseed counter ${String(state.reseedCounter)}`);
    }
    const r = new SeededRandom(new Uint8Array(32), new Uint8Array(16));
    r.key = state.key.slice();
    r.v = state.v.slice();
    r.reseedCounter = state.reseedCounter;
    return r;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
