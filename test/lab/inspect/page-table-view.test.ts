// A malicious VMM under CloudVisor rewrites its own G-stage table so one of dom1's guest pages
// points at a frame of dom2, and fences: the page-table view shows that entry refused (the hart
// still walks dom1's own frame) and the host view shows dom1 fail-stopped by the monitor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkVmmGStage } from '../../../core/cloudvisor/vmm-gstage-walk';
import { BusMemoryPort } from '../../../core/cloudvisor/bus-memory-port';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { handleInspect } from '../../../core/lab/inspect/inspect-requests';

const BUDGET = 400_000_000;
const GPA = 0x8000_0000;
let host: VmmHost;
let hosts: ReadonlyMap<string, VmmHost>;

beforeAll(async () => {
  host = await VmmHost.create({ seed: 'page-table-view', harts: 2, mode: 'protected' });
  hosts = new Map([['protected', host]]);
  const session = new GuestSession(host);
  const a = session.createGuest('vm1', 'labos', 32);
  const b = session.createGuest('vm2', 'labos', 32);
  expect(session.waitFor(a, 'labos> ', BUDGET) && session.waitFor(b, 'labos> ', BUDGET)).toBe(true);
}, 240_000);

afterAll(() => host?.dispose());

describe('the G-stage view under CloudVisor', () => {
  it('flags an entry the VMM pointed at another VM\'s frame as refused', () => {
    const before = handleInspect(hosts, 'inspect.page-tables', { domain: 1, stage: 'g-stage', flaggedOnly: true });
    expect(before.flagged).toBe(0);
    const victim = handleInspect(hosts, 'inspect.viewpoints', { domain: 2, space: 'guest-physical', address: GPA, length: 4 }).pa;
    const own = handleInspect(hosts, 'inspect.viewpoints', { domain: 1, space: 'guest-physical', address: GPA, length: 4 }).pa;
    if (victim === null || own === null) throw new Error('both guests have their first page mapped');
    const g = handleInspect(hosts, 'inspect.page-tables', { domain: 1, stage: 'g-stage', limit: 1 });
    if (g.stage !== 'g-stage') throw new Error('a G-stage view');
    const monitor = host.monitor;
    if (!monitor) throw new Error('protected host');
    // The VMM's own table frame is its to write (EPT-x allows it); the fence makes the monitor look.
    const ram = host.board.ram;
    const walk = walkVmmGStage(new BusMemoryPort(host.board.bus, ram.base, ram.size), g.vmmHgatp, GPA);
    const leafTable = walk.kind === 'mapped' ? walk.tables[1] : undefined;
    if (leafTable === undefined) throw new Error('dom1 maps its first page through a leaf table');
    monitor.mem.write32(leafTable * 4096 + 0, (((victim / 4096) << 10) | 0xdf) >>> 0);
    monitor.fence.gvma((g.vmmHgatp >>> 22) & 0x7f);

    const after = handleInspect(hosts, 'inspect.page-tables', { domain: 1, stage: 'g-stage', flaggedOnly: true });
    expect(after.flagged).toBe(1);
    expect(after.stage === 'g-stage' ? after.rows[0] : null).toMatchObject({
      gpa: GPA, vmmPa: victim, shadowPa: own, owner: 'dom2', status: 'refused',
    });
    const dom1 = handleInspect(hosts, 'inspect.hosts', {}).hosts[0]?.domains.find((d) => d.id === 1);
    expect(dom1?.failStopped).toMatch(/ownership/);
  });
});
