// HMAC_DRBG (SP 800-90A) checked against NIST CAVP HMAC_DRBG.rsp vectors ([SHA-256],
// PredictionResistance = False, no reseed): instantiate, generate 1024 bits (discarded),
// generate 1024 bits = ReturnedBits. Also determinism, forks and state round trips.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/hw/seeded-random';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('SeededRandom (HMAC_DRBG SHA-256)', () => {
  it('matches CAVP COUNT = 0 without additional input', () => {
    const d = new SeededRandom(
      hex('ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488'),
      hex('659ba96c601dc69fc902940805ec0ca8'),
    );
    d.generate(128);
    expect(toHex(d.generate(128))).toBe(
      'e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89d54fbb978a15b5c443c9ec21036d2460' +
        'b6f73ebad0dc2aba6e624abf07745bc107694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668' +
        '961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8',
    );
  });

  it('matches CAVP COUNT = 1 without additional input', () => {
    const d = new SeededRandom(
      hex('79737479ba4e7642a221fcfd1b820b134e9e3540a35bb48ffae29c20f5418ea3'),
      hex('3593259c092bef4129bc2c6c9e19f343'),
    );
    d.generate(128);
    expect(toHex(d.generate(128))).toBe(
      'cf5ad5984f9e43917aa9087380dac46e410ddc8a7731859c84e9d0f31bd43655b924159413e2293b17610f211e09f770' +
        'f172b8fb693a35b85d3b9e5e63b1dc252ac0e115002e9bedfb4b5b6fd43f33b8e0eafb2d072e1a6fee1f159df9b51e6c' +
        '8da737e60d5032dd30544ec51558c6f080bdbdab1de8a939e961e06b5f1aca37',
    );
  });

  it('matches CAVP COUNT = 0 with additional input on both generates', () => {
    const d = new SeededRandom(
      hex('d3cc4d1acf3dde0c4bd2290d262337042dc632948223d3a2eaab87da44295fbd'),
      hex('0109b0e729f457328aa18569a9224921'),
    );
    d.generate(128, hex('3c311848183c9a212a26f27f8c6647e40375e466a0857cc39c4e47575d53f1f6'));
    const out = d.generate(128, hex('fcb9abd19ccfbccef88c9c39bfb3dd7b1c12266c9808992e305bc3cff566e4e4'));
    expect(toHex(out)).toBe(
      '9c7b758b212cd0fcecd5daa489821712e3cdea4467b560ef5ddc24ab47749a1f1ffdbbb118f4e62fcfca3371b8fbfc5b' +
        '0646b83e06bfbbab5fac30ea09ea2bc76f1ea568c9be0444b2cc90517b20ca825f2d0eccd88e7175538b85d90ab39018' +
        '3ca6395535d34473af6b5a5b88f5a59ee7561573337ea819da0dcc3573a22974',
    );
  });

  it('is deterministic per seed and differs across seeds and fork labels', () => {
    const a = SeededRandom.fromSeed('session-1').bytes(64);
    const b = SeededRandom.fromSeed('session-1').bytes(64);
    const c = SeededRandom.fromSeed('session-2').bytes(64);
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(a)).not.toBe(toHex(c));
    const root = SeededRandom.fromSeed('s');
    const tpm = root.fork('tpm').bytes(32);
    const root2 = SeededRandom.fromSeed('s');
    expect(toHex(root2.fork('tpm').bytes(32))).toBe(toHex(tpm));
    expect(toHex(SeededRandom.fromSeed('s').fork('dtb').bytes(32))).not.toBe(toHex(tpm));
  });

  it('serves requests larger than one generate and resumes exactly from a saved state', () => {
    const r = SeededRandom.fromSeed('big');
    expect(r.bytes(70_000).length).toBe(70_000);
    const saved = r.saveState();
    const next = r.bytes(100);
    const restored = SeededRandom.loadState(saved);
    expect(toHex(restored.bytes(100))).toBe(toHex(next));
    expect(r.uint32()).toBe(restored.uint32());
  });

  it('rejects short entropy, bad lengths and foreign state versions', () => {
    expect(() => new SeededRandom(new Uint8Array(16), new Uint8Array(16))).toThrow(/at least 32/);
    expect(() => SeededRandom.fromSeed('')).toThrow(/empty/);
    const r = SeededRandom.fromSeed('x');
    expect(() => r.generate(70_000)).toThrow(/0\.\.65536/);
    expect(() => r.bytes(-1)).toThrow(/invalid length/);
    expect(() => SeededRandom.loadState({ ...r.saveState(), version: 99 })).toThrow(/version 99/);
    expect(() => SeededRandom.loadState({ ...r.saveState(), key: new Uint8Array(3) })).toThrow(/32-byte/);
  });
});
