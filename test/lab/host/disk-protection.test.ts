// CloudVisor's disk protection with a real labOS guest and the unmodified VMM: under the monitor
// the guest formats its blank disk, writes and reads files and runs its disk benchmark as on the
// bare VMM, while the host disk holds only ciphertext (neither /secret nor a file's text is
// readable there; on the bare host both are). A VMM that tampers with a sector on its way back to
// the guest is caught by the Merkle check: fail-stop by default, an I/O error under "refuse and
// continue", never forged plaintext in the guest.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import type { DetectionPolicy } from '../../../core/cloudvisor/monitor-events';
import { GuestSession, LABOS_PROMPT } from '../../../core/lab/host/guest-session';
import { loadGuestImage } from '../../../core/lab/host/guest-images';
import { applyPatch } from '../../../core/lab/host/patch-loader';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { GuestView } from '../../../core/lab/scenarios/guest-view';

const BUDGET = 1_500_000_000;
const NOTE = 'disk-note-4f1c9a-plaintext-marker';
const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

/** Flips one bit of every file-data sector read (labfs data starts at block 2, sector 16). */
const TAMPER = `export default definePatch({
  name: 'flip a bit of disk reads',
  install(vmm) {
    vmm.wrap('virtio.blk.complete', (original, request) => {
      if (request.type === 0 && request.data !== null && request.sector >= 16) request.data[0] ^= 1;
      original(request);
    });
  },
});
`;

async function boot(mode: 'bare' | 'protected', options: { patch?: string; policy?: DetectionPolicy } = {}) {
  const disk = new MemoryDiskBacking(16 << 20);
  const host = await VmmHost.create({ seed: 'disk-protection', mode, disk, ...(options.policy ? { monitor: { policy: options.policy } } : {}) });
  hosts.push(host);
  const session = new GuestSession(host);
  if (options.patch) expect(applyPatch(host, 'tamper.ts', options.patch).outcome).toEqual({ ok: true });
  host.putFile('labos.elf', loadGuestImage('labos'));
  expect(host.toolstack('create name=vm1 kernel=labos.elf memory=32 rng=1 disk=vol=vm1,size=8M,access=rw').ok).toBe(true);
  expect(session.waitFor(1, LABOS_PROMPT, BUDGET)).toBe(true);
  return { host, session, disk };
}

function reply(session: GuestSession, line: string): string {
  const before = session.output(1).length;
  expect(session.type(1, line, BUDGET), line).toBe(true);
  return session.output(1).slice(before);
}

function hostDiskHolds(disk: MemoryDiskBacking, needle: Uint8Array): boolean {
  return Buffer.from(disk.read(0, disk.sectorCount)).indexOf(Buffer.from(needle)) >= 0;
}

function guestSecret(host: VmmHost): Uint8Array {
  const view = new GuestView(host);
  const vcpu = view.liveVcpus()[0];
  const secret = vcpu === undefined ? null : view.snapshot(vcpu).secret;
  if (secret === null) throw new Error('no secret');
  return secret;
}

describe('disk protection with a labOS guest', () => {
  it('formats, round-trips files and benchmarks under the monitor, with only ciphertext on the host disk', async () => {
    const { host, session, disk } = await boot('protected');
    expect(session.output(1)).toContain('fs: blank disk, formatting labfs');
    expect(reply(session, `write note ${NOTE}`)).not.toMatch(/error/i);
    expect(reply(session, 'cat note')).toContain(NOTE);
    expect(reply(session, 'bench disk 1')).toMatch(/disk .*KiB\/s/);
    expect(reply(session, 'selftest')).toContain('SELFTEST ok');
    expect(session.monitorEvents.filter((e) => e.outcome !== 'allowed')).toEqual([]);
    expect(session.monitorEvents.some((e) => e.mechanism === 'disk-crypto')).toBe(true);
    const inspection = host.monitor?.inspectDisk(1);
    expect(inspection?.counters.committedSectors).toBeGreaterThan(0);
    expect(inspection?.counters.verifiedSectors).toBeGreaterThan(0);
    expect(hostDiskHolds(disk, guestSecret(host))).toBe(false);
    expect(hostDiskHolds(disk, new TextEncoder().encode(NOTE))).toBe(false);
  }, 300_000);

  it('leaves the disk in plaintext on the bare VMM (the contrast)', async () => {
    const { host, session, disk } = await boot('bare');
    reply(session, `write note ${NOTE}`);
    expect(hostDiskHolds(disk, guestSecret(host))).toBe(true);
    expect(hostDiskHolds(disk, new TextEncoder().encode(NOTE))).toBe(true);
  }, 300_000);

  it('fail-stops the VM when the VMM tampers with a sector on its way to the guest', async () => {
    const { session } = await boot('protected', { patch: TAMPER });
    reply(session, `write note ${NOTE}`);
    const before = session.output(1).length;
    session.type(1, 'cat note', 200_000_000);
    expect(session.output(1).slice(before)).not.toContain(NOTE.slice(1));
    const refusals = session.monitorEvents.filter((e) => e.outcome !== 'allowed');
    expect(refusals.map((e) => [e.mechanism, e.outcome])).toEqual([['disk-integrity', 'fail-stop']]);
    expect(refusals[0]?.attempted).toMatch(/sector \d+ .* tampered, swapped or rolled back/);
  }, 300_000);

  it('under refuse-and-continue gives the guest an I/O error instead of forged data', async () => {
    const { session } = await boot('protected', { patch: TAMPER, policy: 'refuse-and-continue' });
    reply(session, `write note ${NOTE}`);
    const out = reply(session, 'cat note');
    expect(out).not.toContain(NOTE);
    expect(out).toMatch(/error/i);
    expect(session.monitorEvents.filter((e) => e.outcome !== 'allowed').every((e) => e.mechanism === 'disk-integrity' && e.outcome === 'refused')).toBe(true);
    expect(reply(session, 'ls')).toContain('note');
  }, 300_000);
});
