// The vCPU view under CloudVisor (refuse-and-continue, so the VM keeps running): after the VMM
// writes a register its last exit gave it no right to, the view shows the write attempted and
// refused next to the real value, which did not change; what the VMM reads is the exit's view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { handleInspect } from '../../../core/lab/inspect/inspect-requests';

const BUDGET = 400_000_000;
let host: VmmHost;
let hosts: ReadonlyMap<string, VmmHost>;
let dom: number;

beforeAll(async () => {
  host = await VmmHost.create({ seed: 'vcpu-view', mode: 'protected', monitor: { policy: 'refuse-and-continue' } });
  hosts = new Map([['protected', host]]);
  const session = new GuestSession(host);
  dom = session.createGuest('vm1', 'labos', 32);
  expect(session.waitFor(dom, 'labos> ', BUDGET)).toBe(true);
}, 240_000);

afterAll(() => host?.dispose());

describe('vcpuView', () => {
  it('shows a refused register write next to the real value and what the VMM saw', () => {
    const before = handleInspect(hosts, 'inspect.vcpu', { domain: dom });
    expect(before.mode).toBe('protected');
    expect(before.lastExit).not.toBeNull();
    const realX5 = before.registers.find((r) => r.name === 'x5')?.actual;
    const monitor = host.monitor;
    if (!monitor) throw new Error('protected host');
    monitor.vcpu.setRegs(before.vcpu, { x5: 0x1234_5678 });
    const after = handleInspect(hosts, 'inspect.vcpu', { domain: dom });
    expect(after.registers.find((r) => r.name === 'x5')).toMatchObject({ actual: realX5, attempted: 0x1234_5678, refused: true });
    // The VMM's view of hgatp is its own table; the hart runs the monitor's shadow.
    const hgatp = after.controls.find((c) => c.name === 'hgatp');
    expect(hgatp && hgatp.actual !== hgatp.seen).toBe(true);
    expect(() => handleInspect(hosts, 'inspect.vcpu', { domain: dom, index: 3 })).toThrow(/dom1 has no vCPU 3 \(it has 1\)/);
  });
});
