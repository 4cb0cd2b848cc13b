// The perf sampler on real hosts with a booting labOS guest: MIPS from the harts' retired count,
// exits to the VMM by kind, the monitor's share of wall time on a protected host (none on a bare
// one) and the VMM engine's share; a monitor launched late is metered from its launch on.
import { afterEach, describe, expect, it } from 'vitest';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { PerfSampler } from '../../../core/lab/perf/perf-sampler';
import type { HostMode } from '../../../core/lab/protocol';

const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

async function running(options: Parameters<typeof VmmHost.create>[0]): Promise<VmmHost> {
  const host = await VmmHost.create(options);
  hosts.push(host);
  new GuestSession(host).createGuest('vm1', 'labos', 32);
  return host;
}

function sampleAfter(sampler: PerfSampler, map: ReadonlyMap<HostMode, VmmHost>, host: VmmHost, instructions: number) {
  expect(sampler.sample(map)).toEqual([]); // the first call only sets the baseline
  host.run(instructions);
  const [sample] = sampler.sample(map);
  if (!sample) throw new Error('no sample');
  return sample;
}

describe('perf sampler', () => {
  it('rates a protected host: MIPS, exits by kind, monitor and VMM shares', async () => {
    const host = await running({ seed: 'perf', mode: 'protected' });
    const sample = sampleAfter(new PerfSampler({ intervalMs: 0 }), new Map([['protected', host]]), host, 20_000_000);
    expect(sample.host).toBe('protected');
    expect(sample.mips).toBeGreaterThan(0);
    expect(sample.exitsPerSecond.sbi).toBeGreaterThan(0);
    expect(sample.monitorShare).toBeGreaterThan(0);
    expect(sample.monitorShare).toBeLessThan(1);
    expect(sample.vmmShare).toBeGreaterThan(0);
    expect(sample.vmmShare + (sample.monitorShare ?? 0)).toBeLessThanOrEqual(1.0001);
  }, 120_000);

  it('has no monitor share on a bare host, and meters a monitor launched late', async () => {
    const host = await running({ seed: 'perf', lateLaunch: true });
    const map = new Map<HostMode, VmmHost>([['bare', host]]);
    const sampler = new PerfSampler({ intervalMs: 0 });
    const bare = sampleAfter(sampler, map, host, 10_000_000);
    expect(bare.monitorShare).toBeNull();
    expect(Object.values(bare.exitsPerSecond).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    host.launchMonitor();
    host.run(10_000_000);
    const [after] = sampler.sample(map);
    expect(after?.monitorShare).toBeGreaterThan(0);
  }, 120_000);
});
