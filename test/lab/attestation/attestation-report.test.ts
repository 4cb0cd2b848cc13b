// The attestation panel's report on real hosts: a protected host's quote verifies against the CA
// the lab made its board with, PCR 17 holding CloudVisor with every defense on; the same monitor
// launched with a defense off fails the PCR check (a weakened monitor shows in the quote); a bare
// host's PCR 17 keeps its power-on value; a host whose CA the lab does not know cannot be checked.
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/hw/seeded-random';
import { ManufacturerCa } from '../../../core/hw/tpm/manufacturer-ca';
import { attestationReport } from '../../../core/lab/attestation/attestation-report';
import { VmmHost, type VmmHostOptions } from '../../../core/lab/host/vmm-host';

const NONCE = new Uint8Array(32).fill(7);
const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

async function host(options: Partial<VmmHostOptions>, withCa = true): Promise<VmmHost> {
  const manufacturer = new ManufacturerCa(SeededRandom.fromSeed('attestation-report', 'ca'));
  const h = await VmmHost.create({ seed: 'attestation-report', ...(withCa ? { manufacturer } : {}), ...options });
  hosts.push(h);
  return h;
}

describe('attestation report', () => {
  it('verifies a protected host with the expected monitor in PCR 17', async () => {
    const report = attestationReport('protected', await host({ mode: 'protected' }), NONCE);
    expect(report.verdict.reasons).toEqual([]);
    expect(report.verdict.ok).toBe(true);
    for (const pcr of report.pcrs) expect(pcr.value).toBe(pcr.expected);
    expect(report.nonce).toBe('07'.repeat(32));
  }, 60_000);

  it('fails the PCR check of a monitor launched with a defense off', async () => {
    const report = attestationReport('protected', await host({ mode: 'protected', monitor: { defenses: { eptx: false } } }), NONCE);
    expect(report.verdict.ok).toBe(false);
    expect(report.verdict.checks).toMatchObject({ chain: true, signature: true, nonce: true, pcrValues: false });
    const drtm = report.pcrs.find((p) => p.index === 17);
    expect(drtm?.value).not.toBe(drtm?.expected);
  }, 60_000);

  it('shows a bare host never launched a monitor', async () => {
    const report = attestationReport('bare', await host({}), NONCE);
    expect(report.verdict.ok).toBe(true);
    expect(report.pcrs.find((p) => p.index === 17)?.value).toBe('ff'.repeat(32));
  }, 60_000);

  it('says so when the lab does not know the board CA', async () => {
    const report = attestationReport('bare', await host({}, false), NONCE);
    expect(report.verdict.ok).toBe(false);
    expect(report.verdict.reasons.join()).toMatch(/does not know the CA/);
  }, 60_000);
});
