// The disk protection switch and keys: a monitor with diskCrypto off is a different measured image
// (a quote shows the ablation), and each VM's disk key depends on the monitor's seeded material
// and the VM, so one VM's sectors never decrypt under another's key.
import { describe, expect, it } from 'vitest';
import { DiskGuard } from '../../core/cloudvisor/disk-guard';
import { ALL_DEFENSES } from '../../core/cloudvisor/monitor-events';
import { expectedLaunchPcr, monitorImage } from '../../core/cloudvisor/monitor-image';

describe('diskCrypto as a defense', () => {
  it('is on by default and measured: switching it off changes the launch PCR', () => {
    expect(ALL_DEFENSES.diskCrypto).toBe(true);
    const on = monitorImage({ defenses: ALL_DEFENSES, policy: 'fail-stop', monitorBytes: 8 << 20 });
    const off = monitorImage({ defenses: { ...ALL_DEFENSES, diskCrypto: false }, policy: 'fail-stop', monitorBytes: 8 << 20 });
    expect(Buffer.from(expectedLaunchPcr(on)).equals(Buffer.from(expectedLaunchPcr(off)))).toBe(false);
    // The image carries the disk protection's own code.
    expect(new TextDecoder().decode(on)).toContain('class DiskGuard');
  });

  it('derives a distinct 32-byte XTS key per VM and per key material, deterministically', () => {
    const material = new Uint8Array(32).fill(1);
    const a = DiskGuard.deriveKey(material, 1);
    expect(a).toHaveLength(32);
    expect(DiskGuard.deriveKey(material, 1)).toEqual(a);
    expect(DiskGuard.deriveKey(material, 2)).not.toEqual(a);
    expect(DiskGuard.deriveKey(new Uint8Array(32).fill(2), 1)).not.toEqual(a);
    expect(Buffer.from(a.subarray(0, 16)).equals(Buffer.from(a.subarray(16)))).toBe(false); // XTS: key1 != key2
  });
});
