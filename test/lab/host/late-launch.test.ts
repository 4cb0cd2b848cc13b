// The measured late launch: CloudVisor starts under a VMM that is already running a guest. The
// launch is measured into the TPM's dynamic PCR (a verifier can recompute it from the image);
// the guest created before runs on, unprotected, and the lab says so; a guest created after is
// protected from the same, unmodified VMM and the same patch.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedLaunchPcr } from '../../../core/cloudvisor/monitor-image';
import { PCR_DRTM } from '../../../core/hw/tpm/tpm-constants';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { applyPatch } from '../../../core/lab/host/patch-loader';
import { VmmHost } from '../../../core/lab/host/vmm-host';

const STEAL = readFileSync(new URL('../../../assets/patches/steal-secret.ts', import.meta.url), 'utf8');
const BUDGET = 400_000_000;
const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

function drtmPcr(host: VmmHost): Uint8Array {
  const read = host.board.tpm.pcrRead([PCR_DRTM]);
  if (!read.ok) throw new Error(read.message);
  return read.values[0] ?? new Uint8Array();
}

describe('late launch', () => {
  it('measures the monitor, leaves the earlier guest unprotected and protects the later one', async () => {
    const host = await VmmHost.create({ seed: 'late-launch', harts: 2, lateLaunch: true });
    hosts.push(host);
    const session = new GuestSession(host);
    expect(applyPatch(host, 'steal-secret.ts', STEAL).outcome).toEqual({ ok: true });
    const early = session.createGuest('early', 'labos', 32);
    expect(session.waitFor(early, 'labos> ', BUDGET)).toBe(true);
    expect(drtmPcr(host)).toEqual(new Uint8Array(32).fill(0xff)); // no dynamic launch yet

    const launched = host.launchMonitor();
    expect(launched.measured).toBe(true);
    expect(Buffer.from(drtmPcr(host)).toString('hex')).toBe(Buffer.from(expectedLaunchPcr(launched.image)).toString('hex'));
    expect(() => host.launchMonitor()).toThrow(/already running/);
    expect(session.monitorEvents.some((e) => e.vm === early && e.mechanism === 'launch' && /unprotected/.test(e.attempted))).toBe(true);
    expect(host.monitor?.inspectVm(early)?.protected).toBe(false);

    const late = session.createGuest('late', 'labos', 32);
    expect(session.waitFor(late, 'labos> ', BUDGET)).toBe(true);
    expect(host.monitor?.inspectVm(late)?.protected).toBe(true);

    expect(session.type(early, 'secret where', BUDGET)).toBe(true);
    expect(session.exfiltrated.map((e) => e.label)).toEqual([`dom${early} secret`]);
    expect(session.type(late, 'secret where', BUDGET)).toBe(true);
    expect(session.exfiltrated).toHaveLength(1);
    expect(session.monitorEvents.some((e) => e.vm === late && e.mechanism === 'ept-x' && e.outcome === 'refused')).toBe(true);
    for (const dom of [early, late]) {
      expect(session.type(dom, 'selftest', BUDGET)).toBe(true);
      expect(session.output(dom)).toContain('SELFTEST ok');
    }
  }, 240_000);

  it('a weakened monitor measures differently, so a quote shows it', async () => {
    const full = await VmmHost.create({ seed: 'late-launch', mode: 'protected' });
    const weak = await VmmHost.create({ seed: 'late-launch', mode: 'protected', monitor: { defenses: { eptx: false } } });
    hosts.push(full, weak);
    expect(Buffer.from(drtmPcr(full)).equals(Buffer.from(drtmPcr(weak)))).toBe(false);
    expect(Buffer.from(drtmPcr(full)).equals(Buffer.from(expectedLaunchPcr(full.launched?.image ?? new Uint8Array())))).toBe(true);
  }, 60_000);

  it('refuses a launch on a host booted without a reserved region', async () => {
    const host = await VmmHost.create({ seed: 'late-launch' });
    hosts.push(host);
    expect(() => host.launchMonitor()).toThrow(/without a region reserved/);
  }, 60_000);
});
