// TPM against TPM 2.0 semantics, with every expected value computed independently here with
// node:crypto (createHash for extends, digests and PolicyPCR; verify() and JWK keys for
// signatures): PCR power-on values, locality rules, dynamic launch, quotes, seal/unseal,
// NV counter monotonicity, GetRandom, refusals that change nothing, and state round trips.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../../core/hw/tpm/lab-certificate';
import { decodeQuoteAttest } from '../../../core/hw/tpm/tpm-marshal';
import { Tpm, type TpmResult } from '../../../core/hw/tpm/tpm';
import { makeTpm } from './tpm-fixture';

const H = (...parts: (Uint8Array | string)[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ZERO = new Uint8Array(32);
const ONES = new Uint8Array(32).fill(0xff);

function ok<T>(r: TpmResult<T>): T {
  if (!r.ok) throw new Error(`TPM refused: ${r.rc} ${r.message}`);
  return r;
}
function pcr(tpm: Tpm, i: number): string {
  return hex(ok(tpm.pcrRead([i])).values[0]!);
}
function nodeKey(point: Uint8Array) {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(point.subarray(33)).toString('base64url'),
    },
    format: 'jwk',
  });
}

describe('TPM PCR bank', () => {
  it('powers on with zeros, and all ones in the dynamic PCRs 17-22', () => {
    const { tpm } = makeTpm();
    const values = ok(tpm.pcrRead(Array.from({ length: 24 }, (_, i) => i))).values.map(hex);
    values.forEach((v, i) => expect(v, `PCR ${i}`).toBe(hex(i >= 17 && i <= 22 ? ONES : ZERO)));
  });

  it('extends as SHA-256(old || digest)', () => {
    const { tpm } = makeTpm();
    const d1 = H('firmware');
    const d2 = H('monitor');
    ok(tpm.pcrExtend(0, 0, d1));
    ok(tpm.pcrExtend(3, 0, d2));
    expect(pcr(tpm, 0)).toBe(hex(H(H(ZERO, d1), d2)));
    ok(tpm.pcrExtend(0, 23, d1));
    expect(pcr(tpm, 23)).toBe(hex(H(ZERO, d1)));
  });

  it('enforces the PC Client locality rules and changes nothing on a refusal', () => {
    const { tpm } = makeTpm();
    const d = H('x');
    const refused = (r: TpmResult<object>, rc: string) => expect(r.ok ? 'ok' : r.rc).toBe(rc);
    refused(tpm.pcrExtend(0, 17, d), 'LOCALITY');
    refused(tpm.pcrExtend(1, 18, d), 'LOCALITY');
    refused(tpm.pcrExtend(3, 21, d), 'LOCALITY');
    refused(tpm.pcrExtend(4, 20, d), 'LOCALITY');
    expect(pcr(tpm, 17)).toBe(hex(ONES));
    ok(tpm.pcrExtend(2, 21, d));
    ok(tpm.pcrExtend(1, 20, d));
    refused(tpm.pcrReset(4, 0), 'LOCALITY');
    refused(tpm.pcrReset(0, 17), 'LOCALITY');
    refused(tpm.pcrReset(0, 20), 'LOCALITY');
    expect(pcr(tpm, 20)).toBe(hex(H(ONES, d)));
    ok(tpm.pcrReset(2, 20));
    expect(pcr(tpm, 20)).toBe(hex(ZERO));
    ok(tpm.pcrExtend(0, 16, d));
    ok(tpm.pcrReset(0, 16));
    expect(pcr(tpm, 16)).toBe(hex(ZERO));
    refused(tpm.execute({ command: 'PCR_Extend', locality: 5, pcr: 0, digest: d }), 'LOCALITY');
    refused(tpm.pcrExtend(0, 24, d), 'VALUE');
    refused(tpm.pcrExtend(0, 0, d.subarray(0, 20)), 'SIZE');
    expect(pcr(tpm, 0)).toBe(hex(ZERO));
  });

  it('zeroes 17-22 only by a dynamic launch from locality 4, measuring the launch code into 17', () => {
    const { tpm } = makeTpm();
    const code = new TextEncoder().encode('cloudvisor monitor image');
    expect(tpm.dynamicLaunch(3, code).ok).toBe(false);
    expect(pcr(tpm, 17)).toBe(hex(ONES));
    ok(tpm.execute({ command: 'DynamicLaunch', locality: 4, launchCode: code }));
    expect(pcr(tpm, 17)).toBe(hex(H(ZERO, H(code))));
    for (let i = 18; i <= 22; i++) expect(pcr(tpm, i)).toBe(hex(ZERO));
    ok(tpm.pcrExtend(2, 18, H('monitor config')));
    tpm.powerCycle();
    expect(pcr(tpm, 17)).toBe(hex(ONES));
    expect(pcr(tpm, 18)).toBe(hex(ONES));
  });
});

describe('TPM quote', () => {
  it('signs a TPMS_ATTEST with the nonce, clock and PCR digest, verifiable by node:crypto', () => {
    const { tpm, clock } = makeTpm();
    ok(tpm.pcrExtend(0, 0, H('fw')));
    tpm.powerCycle();
    ok(tpm.pcrExtend(0, 0, H('fw')));
    clock.ticks = 12_345_678; // 10 MHz timebase: 1234 ms
    const nonce = H('verifier nonce');
    const q = ok(tpm.quote([7, 0], nonce));
    const akPoint = decodeCertificate(tpm.certificates().attestation).publicKey;
    expect(
      verify('sha256', q.attest, { key: nodeKey(akPoint), dsaEncoding: 'ieee-p1363' }, q.signature),
    ).toBe(true);
    const a = decodeQuoteAttest(q.attest);
    expect(hex(a.extraData)).toBe(hex(nonce));
    expect(a.pcrSelection).toEqual([0, 7]);
    expect(hex(a.pcrDigest)).toBe(hex(H(H(ZERO, H('fw')), ZERO)));
    expect(a.clock).toBe(1234n);
    expect(a.resetCount).toBe(1);
    expect(hex(a.qualifiedSigner)).toBe('000b' + hex(H(akPoint)));
    expect(Buffer.from(q.attest.subarray(0, 6)).toString('hex')).toBe('ff5443478018');
    const tampered = q.attest.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(
      verify('sha256', tampered, { key: nodeKey(akPoint), dsaEncoding: 'ieee-p1363' }, q.signature),
    ).toBe(false);
  });

  it('is reproducible bit for bit from the same seed, and refuses bad requests', () => {
    const a = makeTpm('same').tpm;
    const b = makeTpm('same').tpm;
    expect(hex(ok(a.quote([0], ZERO)).signature)).toBe(hex(ok(b.quote([0], ZERO)).signature));
    expect(hex(ok(makeTpm('other').tpm.quote([0], ZERO)).signature)).not.toBe(
      hex(ok(makeTpm('same').tpm.quote([0], ZERO)).signature),
    );
    expect(a.quote([], ZERO).ok).toBe(false);
    expect(a.quote([0], new Uint8Array(65)).ok).toBe(false);
    expect(a.quote([30], ZERO).ok).toBe(false);
  });
});

describe('TPM seal/unseal', () => {
  const secret = new TextEncoder().encode('VM key 0123456789abcdef');

  it('binds data to a PolicyPCR digest computed as in TPM2_PolicyPCR', () => {
    const { tpm } = makeTpm();
    ok(tpm.pcrExtend(0, 7, H('boot config')));
    const blob = ok(tpm.seal(secret, [7, 0])).blob;
    // pcrs = TPML_PCR_SELECTION{count 1, SHA256, 3, bitmap 0x81 0x00 0x00}; digestTPM = H(PCR0 || PCR7).
    const selection = Uint8Array.of(0, 0, 0, 1, 0x00, 0x0b, 3, 0x81, 0, 0);
    const policy = H(ZERO, Uint8Array.of(0, 0, 1, 0x7f), selection, H(ZERO, H(ZERO, H('boot config'))));
    expect(hex(blob.subarray(9, 41))).toBe(hex(policy));
    expect(new TextDecoder().decode(ok(tpm.unseal(blob)).data)).toBe('VM key 0123456789abcdef');
  });

  it('refuses to unseal after a PCR change, and unseals again once the same state is measured', () => {
    const { tpm } = makeTpm();
    ok(tpm.pcrExtend(0, 7, H('boot config')));
    const blob = ok(tpm.seal(secret, [7])).blob;
    ok(tpm.pcrExtend(0, 7, H('evil')));
    const r = tpm.unseal(blob);
    expect(r.ok ? 'ok' : r.rc).toBe('POLICY_FAIL');
    tpm.powerCycle();
    expect(tpm.unseal(blob).ok).toBe(false);
    ok(tpm.pcrExtend(0, 7, H('boot config')));
    expect(hex(ok(tpm.unseal(blob)).data)).toBe(hex(secret));
  });

  it('seals to future values (after a dynamic launch) and rejects tampered or foreign blobs', () => {
    const { tpm } = makeTpm();
    const code = new TextEncoder().encode('monitor');
    const blob = ok(tpm.seal(secret, [17], [H(ZERO, H(code))])).blob;
    expect(tpm.unseal(blob).ok).toBe(false);
    ok(tpm.dynamicLaunch(4, code));
    expect(hex(ok(tpm.unseal(blob)).data)).toBe(hex(secret));
    const flipped = blob.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect((tpm.unseal(flipped) as { rc: string }).rc).toBe('INTEGRITY');
    const other = makeTpm('another tpm').tpm;
    ok(other.dynamicLaunch(4, code));
    expect((other.unseal(blob) as { rc: string }).rc).toBe('INTEGRITY');
    expect((tpm.unseal(blob.subarray(0, 20)) as { rc: string }).rc).toBe('SIZE');
    expect(tpm.seal(new Uint8Array(129), [0]).ok).toBe(false);
    expect(tpm.seal(secret, [0, 1], [ZERO]).ok).toBe(false);
  });
});

describe('TPM NV counters and GetRandom', () => {
  const IDX = 0x0150_0001;

  it('never goes back: across increments, undefine/redefine, power cycles and save/load', () => {
    const { tpm } = makeTpm();
    ok(tpm.nvDefineCounter(IDX));
    expect((tpm.nvRead(IDX) as { rc: string }).rc).toBe('NV_UNINITIALIZED');
    expect([1, 2, 3].map(() => ok(tpm.nvIncrement(IDX)).value)).toEqual([1, 2, 3]);
    expect((tpm.nvDefineCounter(IDX) as { rc: string }).rc).toBe('NV_DEFINED');
    ok(tpm.nvUndefineCounter(IDX));
    ok(tpm.nvDefineCounter(IDX));
    expect(ok(tpm.nvIncrement(IDX)).value).toBe(4);
    ok(tpm.nvDefineCounter(IDX + 1));
    expect(ok(tpm.nvIncrement(IDX + 1)).value).toBe(5);
    tpm.powerCycle();
    expect(ok(tpm.nvRead(IDX)).value).toBe(4);
    const restored = makeTpm('a different seed').tpm;
    restored.loadState(tpm.saveState());
    expect(ok(restored.nvRead(IDX)).value).toBe(4);
    expect(ok(restored.nvIncrement(IDX)).value).toBe(5);
    expect((tpm.nvIncrement(0x0200_0000) as { rc: string }).rc).toBe('HANDLE');
    expect((tpm.nvRead(IDX + 9) as { rc: string }).rc).toBe('HANDLE');
  });

  it('returns at most 32 deterministic random bytes per call', () => {
    const a = ok(makeTpm('r').tpm.getRandom(100)).bytes;
    expect(a.length).toBe(32);
    expect(hex(ok(makeTpm('r').tpm.getRandom(100)).bytes)).toBe(hex(a));
    expect(makeTpm('r').tpm.getRandom(-1).ok).toBe(false);
  });
});

describe('TPM command interface', () => {
  it('dispatches every command through execute() with typed results', () => {
    const { tpm } = makeTpm();
    const IDX = 0x0100_0010;
    ok(tpm.execute({ command: 'PCR_Extend', locality: 0, pcr: 5, digest: H('a') }));
    expect(hex(ok(tpm.execute({ command: 'PCR_Read', locality: 0, pcrs: [5] })).values[0]!)).toBe(
      hex(H(ZERO, H('a'))),
    );
    ok(tpm.execute({ command: 'PCR_Reset', locality: 0, pcr: 16 }));
    const q = ok(tpm.execute({ command: 'Quote', locality: 0, pcrs: [5], qualifyingData: ZERO }));
    expect(decodeQuoteAttest(q.attest).pcrSelection).toEqual([5]);
    const blob = ok(tpm.execute({ command: 'Seal', locality: 0, data: Uint8Array.of(7), pcrs: [5] })).blob;
    expect(Array.from(ok(tpm.execute({ command: 'Unseal', locality: 0, blob })).data)).toEqual([7]);
    ok(tpm.execute({ command: 'NV_DefineCounter', locality: 0, index: IDX }));
    expect(ok(tpm.execute({ command: 'NV_Increment', locality: 0, index: IDX })).value).toBe(1);
    expect(ok(tpm.execute({ command: 'NV_Read', locality: 0, index: IDX })).value).toBe(1);
    ok(tpm.execute({ command: 'NV_UndefineCounter', locality: 0, index: IDX }));
    expect(ok(tpm.execute({ command: 'GetRandom', locality: 1, bytes: 8 })).bytes.length).toBe(8);
    expect(tpm.execute({ command: 'DynamicLaunch', locality: 0, launchCode: ZERO }).ok).toBe(false);
    expect(tpm.execute({ command: 'GetRandom', locality: -1, bytes: 8 }).ok).toBe(false);
  });
});

describe('TPM state', () => {
  it('round-trips keys, certificates, PCRs and counters, and refuses foreign or inconsistent state', () => {
    const { tpm } = makeTpm();
    ok(tpm.pcrExtend(0, 4, H('k')));
    const blob = ok(tpm.seal(Uint8Array.of(1, 2, 3), [4])).blob;
    const saved = tpm.saveState();
    const other = makeTpm('elsewhere').tpm;
    other.loadState(saved);
    expect(other.saveState()).toEqual(saved);
    expect(hex(other.certificates().attestation)).toBe(hex(tpm.certificates().attestation));
    expect(Array.from(ok(other.unseal(blob)).data)).toEqual([1, 2, 3]);
    expect(() => other.loadState({ ...saved, version: 9 })).toThrow(/version 9/);
    expect(() => other.loadState({ ...saved, attestationScalar: saved.endorsementScalar })).toThrow(
      /do not match/,
    );
    expect(() => other.loadState({ ...saved, pcrs: saved.pcrs.slice(1) })).toThrow(/24 PCR values/);
    expect(() => other.loadState({ ...saved, resetCount: -1 })).toThrow(/resetCount/);
    expect(() =>
      other.loadState({ ...saved, counters: [[0x0100_0000, saved.counterHighWater + 1]] }),
    ).toThrow(/high-water/);
    expect(other.saveState()).toEqual(saved);
  });
});
