// The monitor's IOMMU contexts on a real protected host: the host disk's DMA reaches VMM frames
// and nothing else. The test plays the VMM, calling the disk interface the VMM's engine gets.
import { afterEach, describe, expect, it } from 'vitest';
import { VMM } from '../../core/cloudvisor/frame-owners';
import { MemoryDiskBacking } from '../../core/hw/devices/disk-backing';
import { loadGuestImage } from '../../core/lab/host/guest-images';
import { GuestSession } from '../../core/lab/host/guest-session';
import { VmmHost } from '../../core/lab/host/vmm-host';

const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

async function hostWithGuest(iommu: boolean) {
  const disk = new MemoryDiskBacking(8 << 20);
  disk.write(0, new Uint8Array(512).fill(0xab));
  const host = await VmmHost.create({ seed: 'dma-guard', mode: 'protected', disk, monitor: { defenses: { iommu } } });
  hosts.push(host);
  const session = new GuestSession(host);
  host.putFile('labos.elf', loadGuestImage('labos'));
  expect(host.toolstack('create name=vm1 kernel=labos.elf memory=32').ok).toBe(true);
  expect(session.waitFor(1, 'labos> ', 400_000_000)).toBe(true);
  const monitor = host.monitor;
  if (!monitor || !host.launched) throw new Error('no monitor');
  const guestFrame = [...(monitor.inspectVm(1)?.shadow.values() ?? [])][100] ?? 0;
  return { host, session, monitor, guestFrame, owners: host.launched.owners, dma: host.launched.dma };
}

function dmaRead(host: VmmHost, pa: number) {
  const disk = host.monitor?.disk;
  if (!disk) throw new Error('no disk');
  const tag = disk.submit({ op: 'read', sector: 0, count: 1, pa });
  return disk.poll().find((c) => c.tag === tag)?.status;
}

describe('DmaGuard', () => {
  it('lets the disk write into a VMM frame and refuses a guest frame, leaving it untouched', async () => {
    const { host, session, guestFrame, owners, dma } = await hostWithGuest(true);
    expect(owners.ownerOf(guestFrame)).toEqual({ kind: 'vm', vm: 1 });
    expect(dma?.reaches(guestFrame)).toBe(false);
    const vmmFrame = owners.framesOf(VMM).at(-1) ?? 0;
    expect(dma?.reaches(vmmFrame)).toBe(true);

    expect(dmaRead(host, vmmFrame * 4096)).toBe('ok');
    expect([...host.board.bus.readBytes(vmmFrame * 4096, 512)].every((b) => b === 0xab)).toBe(true);

    const before = host.board.bus.readBytes(guestFrame * 4096, 4096);
    expect(dmaRead(host, guestFrame * 4096)).toBe('dma-fault');
    expect(host.board.bus.readBytes(guestFrame * 4096, 4096)).toEqual(before);
    expect(session.monitorEvents.at(-1)).toMatchObject({ vm: 1, mechanism: 'iommu', outcome: 'refused' });
    // The monitor's own frames are out of reach too.
    const monitorFrame = owners.framesOf({ kind: 'monitor' })[0] ?? 0;
    expect(dmaRead(host, monitorFrame * 4096)).toBe('dma-fault');
  }, 120_000);

  it('follows ownership: a frame the VMM gets back after a VM is destroyed is reachable again', async () => {
    const { host, guestFrame, dma } = await hostWithGuest(true);
    expect(host.toolstack('destroy vm1').ok).toBe(true);
    expect(dma?.reaches(guestFrame)).toBe(true);
    expect(dmaRead(host, guestFrame * 4096)).toBe('ok');
  }, 120_000);

  it('with the IOMMU defense off, the disk writes straight into the guest (what the defense buys)', async () => {
    const { host, guestFrame, dma } = await hostWithGuest(false);
    expect(dma).toBeNull();
    expect(dmaRead(host, guestFrame * 4096)).toBe('ok');
    expect([...host.board.bus.readBytes(guestFrame * 4096, 512)].every((b) => b === 0xab)).toBe(true);
  }, 120_000);
});
