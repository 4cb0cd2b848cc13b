// Our TPM's quotes checked by tpm2-tools 5.4 (Debian `tpm2-tools`), the TCG software stack's
// own utilities: tpm2_print decodes our TPMS_ATTEST field by field, and tpm2_checkquote verifies
// the signature with the AK public key, the nonce, and the PCR digest against the PCR values;
// a wrong nonce or a changed PCR value must make it fail. Needs: apt-get install tpm2-tools.
import { createHash, createPublicKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../../core/hw/tpm/lab-certificate';
import { makeTpm } from './tpm-fixture';

const dir = mkdtempSync(join(tmpdir(), 'cvl-tpm2-'));
const H = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const NONCE = '00112233445566778899aabbccddeeff';

function tool(name: string, args: string[]) {
  const r = spawnSync(name, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined)
    throw new Error(`${name} is not runnable (${r.error.message}); install Debian package tpm2-tools`);
  return r;
}

/** TPMT_SIGNATURE for ECDSA: sigAlg TPM_ALG_ECDSA, hash TPM_ALG_SHA256, TPM2B r, TPM2B s (Part 2 11.3.4). */
function tpmtSignature(rs: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from('0018000b0020', 'hex'),
    rs.subarray(0, 32),
    Buffer.from('0020', 'hex'),
    rs.subarray(32),
  ]);
}

function setup() {
  const { tpm, clock } = makeTpm('tpm2-tools');
  if (!tpm.pcrExtend(0, 0, H('firmware')).ok || !tpm.dynamicLaunch(4, H('monitor')).ok)
    throw new Error('setup');
  tpm.powerCycle();
  if (!tpm.pcrExtend(0, 0, H('firmware')).ok) throw new Error('setup');
  clock.ticks = 98_760_000;
  const q = tpm.quote([0, 7, 17], Buffer.from(NONCE, 'hex'));
  if (!q.ok) throw new Error(q.message);
  const pt = decodeCertificate(tpm.certificates().attestation).publicKey;
  const ak = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(pt.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(pt.subarray(33)).toString('base64url'),
    },
    format: 'jwk',
  });
  writeFileSync(join(dir, 'attest.bin'), q.attest);
  writeFileSync(join(dir, 'sig.bin'), tpmtSignature(q.signature));
  writeFileSync(join(dir, 'ak.pem'), ak.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'pcrs.bin'), Buffer.concat(q.pcrValues.map((v) => Buffer.from(v))));
  return { q, pt };
}

describe('TPM quotes checked by tpm2-tools', () => {
  const { q, pt } = setup();
  const check = (nonce: string, pcrFile: string) =>
    tool('tpm2_checkquote', [
      '-u',
      join(dir, 'ak.pem'),
      '-m',
      join(dir, 'attest.bin'),
      '-s',
      join(dir, 'sig.bin'),
      '-g',
      'sha256',
      '-q',
      nonce,
      '-f',
      join(dir, pcrFile),
      '-l',
      'sha256:0,7,17',
    ]);

  it('tpm2_print decodes our TPMS_ATTEST', () => {
    const r = tool('tpm2_print', ['-t', 'TPMS_ATTEST', join(dir, 'attest.bin')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('magic: ff544347');
    expect(r.stdout).toContain('type: 8018');
    expect(r.stdout).toContain(`qualifiedSigner: 000b${createHash('sha256').update(pt).digest('hex')}`);
    expect(r.stdout).toContain(`extraData: ${NONCE}`);
    expect(r.stdout).toMatch(/clock: 9876\n\s+resetCount: 1\n\s+restartCount: 0\n\s+safe: 1/);
    expect(r.stdout).toContain('pcrSelect: 810002');
    const digest = createHash('sha256')
      .update(Buffer.concat(q.pcrValues.map((v) => Buffer.from(v))))
      .digest('hex');
    expect(r.stdout).toContain(`pcrDigest: ${digest}`);
  });

  it('tpm2_checkquote accepts the signature, nonce and PCR values', () => {
    const r = check(NONCE, 'pcrs.bin');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.toUpperCase()).toContain(`17: 0X${'FF'.repeat(32)}`);
  });

  it('tpm2_checkquote rejects another nonce and a changed PCR value', () => {
    expect(check('ffeeddccbbaa99887766554433221100', 'pcrs.bin').status).not.toBe(0);
    const bad = Buffer.concat(q.pcrValues.map((v) => Buffer.from(v)));
    bad[40]! ^= 1;
    writeFileSync(join(dir, 'bad-pcrs.bin'), bad);
    expect(check(NONCE, 'bad-pcrs.bin').status).not.toBe(0);
  });
});
