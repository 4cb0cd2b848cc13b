// CloudVisor under the unmodified VMM with a real labOS guest: the guest boots and passes its
// selftest in protected mode, and the secret-stealing patch that works on a bare host gets
// nothing: its hyp.mem.read of the guest's frame is an access fault and an 'ept-x' refusal.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import { bootCommand } from '../../../core/lab/commands/boot';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { loadGuestImage } from '../../../core/lab/host/guest-images';
import { applyPatch } from '../../../core/lab/host/patch-loader';
import { VmmHost } from '../../../core/lab/host/vmm-host';

const STEAL_PATH = new URL('../../../assets/patches/steal-secret.ts', import.meta.url);
const STEAL = readFileSync(new URL('../../../assets/patches/steal-secret.ts', import.meta.url), 'utf8');
const BUDGET = 400_000_000;
const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

async function protectedGuest(patch?: [string, string]) {
  const host = await VmmHost.create({ seed: 'protected-tests', mode: 'protected' });
  hosts.push(host);
  const session = new GuestSession(host);
  const outcome = patch ? applyPatch(host, patch[0], patch[1]).outcome : null;
  const dom = session.createGuest('vm1', 'labos', 32);
  expect(session.waitFor(dom, 'labos> ', BUDGET)).toBe(true);
  return { host, session, dom, outcome };
}

describe('labOS under CloudVisor', () => {
  it('boots and passes its selftest', async () => {
    const { session, dom } = await protectedGuest();
    expect(session.type(dom, 'selftest', BUDGET)).toBe(true);
    expect(session.output(dom)).toContain('SELFTEST ok');
    expect(session.monitorEvents.some((e) => e.mechanism === 'launch' && e.vm !== null)).toBe(true);
    expect(session.monitorEvents.filter((e) => e.outcome !== 'allowed')).toEqual([]);
  }, 180_000);

  it('refuses the secret-stealing patch its read of guest memory', async () => {
    const { session, dom, outcome } = await protectedGuest(['steal-secret.ts', STEAL]);
    expect(outcome).toEqual({ ok: true });
    expect(session.type(dom, 'secret where', BUDGET)).toBe(true);
    expect(session.exfiltrated).toEqual([]);
    expect(session.failures.some((f) => /HypFault|access fault/.test(f))).toBe(true);
    expect(session.monitorEvents.some((e) => e.mechanism === 'ept-x' && e.outcome === 'refused')).toBe(true);
    expect(session.type(dom, 'selftest', BUDGET)).toBe(true);
    expect(session.output(dom)).toContain('SELFTEST ok');
  }, 180_000);
});

describe('virtio under CloudVisor (the I/O whitelist)', () => {
  it('a guest with a disk and an rng works, and completed requests leave the whitelist', async () => {
    const host = await VmmHost.create({ seed: 'protected-tests', mode: 'protected', disk: new MemoryDiskBacking(64 << 20) });
    hosts.push(host);
    const session = new GuestSession(host);
    host.putFile('labos.elf', loadGuestImage('labos'));
    expect(host.toolstack('create name=vm1 kernel=labos.elf memory=32 rng=1 disk=vol=vm1,size=8M,access=rw').ok).toBe(true);
    expect(session.waitFor(1, 'labos> ', BUDGET)).toBe(true);
    for (const line of ['write hello a note from the lab', 'cat hello', 'bench disk 1', 'selftest']) {
      expect(session.type(1, line, BUDGET)).toBe(true);
    }
    const out = session.output(1);
    expect(out).toContain('disk: virtio-blk');
    expect(out).toContain('secret: new key from rng-seed and virtio-rng');
    expect(out).toContain('a note from the lab');
    expect(out).toMatch(/BENCH disk KiB\/s \d+/);
    expect(out).toContain('SELFTEST ok');
    expect(session.failures).toEqual([]);
    expect(session.monitorEvents.filter((e) => e.outcome !== 'allowed')).toEqual([]);
    // Two devices, one queue each: only their rings stay listed once every request completed.
    const grants = [...(host.monitor?.whitelist.list(1).keys() ?? [])].sort();
    expect(grants).toHaveLength(4);
    expect(grants.every((k) => /^virtio@[0-9a-f]+\/q0\/(rings|used)$/.test(k))).toBe(true);
  }, 180_000);
});

describe('a guest life cycle under CloudVisor', () => {
  it('reboots through SBI SRST on two vCPUs (HSM), and xl save is refused with nothing lost', async () => {
    const host = await VmmHost.create({ seed: 'protected-tests', harts: 2, mode: 'protected' });
    hosts.push(host);
    const session = new GuestSession(host);
    const first = session.createGuest('vm1', 'labos', 32, 2);
    expect(session.waitFor(first, 'labos> ', BUDGET)).toBe(true);
    expect(session.output(first)).toContain('smp: 2 of 2 harts online');
    session.type(first, 'reboot', BUDGET);
    const second = first + 1; // the VMM rebuilds the domain from its config under a new id
    expect(session.waitFor(second, 'labos> ', BUDGET)).toBe(true);
    expect(session.output(second)).toContain('smp: 2 of 2 harts online');
    // Saving needs the guest's plaintext pages: refused (EPT-x), and the paused domain is intact.
    expect(host.toolstack(`pause ${second}`).ok).toBe(true);
    const save = host.toolstack(`save ${second} vm1.save`);
    expect(save.ok).toBe(false);
    expect(save.output).toMatch(/CloudVisor EPT-x/);
    expect(host.toolstack(`unpause ${second}`).ok).toBe(true);
    expect(session.type(second, 'selftest', BUDGET)).toBe(true);
    expect(session.output(second)).toContain('SELFTEST ok');
    expect(session.failures).toEqual([]);
  }, 180_000);
});

describe('guests populated on demand under CloudVisor', () => {
  const FORGE = `export default definePatch({
  name: 'forge the store that populated a page',
  install(vmm, hyp) {
    const translate = new Map<number, (gpa: number) => number>();
    vmm.hooks.on('domain.create', (domain, info) => { translate.set(domain, (gpa) => info.translate(gpa)); });
    let tries = 0;
    vmm.wrap('memory.populate', (original, domain, gpa) => {
      const done = original(domain, gpa);
      const pa = translate.get(domain)?.(gpa) ?? 0;
      if (done && pa !== 0 && tries++ < 3) hyp.mem.write(pa, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
      return done;
    });
  },
});`;

  it('boots a lazily populated guest; the VMM cannot plant bytes in the pages it populates', async () => {
    const host = await VmmHost.create({ seed: 'protected-tests', mode: 'protected', monitor: { policy: 'refuse-and-continue' } });
    hosts.push(host);
    const session = new GuestSession(host);
    host.putFile('labos.elf', loadGuestImage('labos'));
    expect(host.toolstack('create name=lazy kernel=labos.elf memory=32 populate=lazy').ok).toBe(true);
    expect(session.waitFor(1, 'labos> ', BUDGET)).toBe(true);
    expect(session.type(1, 'selftest', BUDGET)).toBe(true);
    expect(session.output(1)).toContain('SELFTEST ok');
    expect(session.monitorEvents.filter((e) => e.outcome !== 'allowed')).toEqual([]);

    expect(applyPatch(host, 'forge.ts', FORGE).outcome).toEqual({ ok: true });
    expect(host.toolstack('create name=planted kernel=labos.elf memory=32 populate=lazy').ok).toBe(true);
    expect(session.waitFor(2, 'labos> ', BUDGET)).toBe(true);
    expect(session.monitorEvents.some((e) => e.vm === 2 && e.mechanism === 'ept-x' && e.outcome === 'refused')).toBe(true);
    expect(session.type(2, 'selftest', BUDGET)).toBe(true);
    expect(session.output(2)).toContain('SELFTEST ok');
  }, 180_000);
});

describe('the virtual VMCS under CloudVisor', () => {
  const PEEK = `export default definePatch({
  name: 'peek and poke at an SBI exit',
  install(vmm, hyp) {
    let done = false;
    vmm.hooks.on('exit', (domain, vcpu, exit) => {
      if (done || exit.kind !== 'sbi') return;
      done = true;
      const r = hyp.vcpu.regs(vcpu);
      vmm.exfiltrate('regs', new Uint8Array(new Uint32Array([r.pc, r.x2, r.x10, r.vsatp]).buffer));
      hyp.vcpu.setRegs(vcpu, { x5: 0x1234 });
    });
  },
});`;

  it('shows only the registers the exit allows and checks the changes at the next entry', async () => {
    const host = await VmmHost.create({ seed: 'protected-tests', mode: 'protected', virtualVmcs: true });
    hosts.push(host);
    const session = new GuestSession(host);
    const dom = session.createGuest('vm1', 'labos', 32);
    expect(session.waitFor(dom, 'labos> ', BUDGET)).toBe(true);
    expect(session.type(dom, 'selftest', BUDGET)).toBe(true);
    expect(session.output(dom)).toContain('SELFTEST ok');
    expect(applyPatch(host, 'peek.ts', PEEK).outcome).toEqual({ ok: true });
    session.type(dom, 'uptime', 20_000_000);
    const [pc, sp, , vsatp] = new Uint32Array(Uint8Array.from(session.exfiltrated[0]?.bytes ?? []).buffer);
    expect([pc, sp, vsatp]).toEqual([0, 0, 0]);
    expect(session.monitorEvents.some((e) => e.mechanism === 'entry-check' && e.outcome === 'fail-stop' && /x5/.test(e.attempted))).toBe(true);
    expect(host.monitor?.inspectVm(1)?.failStopped).toMatch(/entry-check/);
  }, 180_000);
});

describe('two labOS guests under CloudVisor', () => {
  it('run side by side, and destroying one returns its frames zeroed while the other goes on', async () => {
    const host = await VmmHost.create({ seed: 'protected-tests', harts: 2, mode: 'protected' });
    hosts.push(host);
    const session = new GuestSession(host);
    const a = session.createGuest('vm1', 'labos', 32);
    const b = session.createGuest('vm2', 'labos', 32);
    expect(session.waitFor(a, 'labos> ', BUDGET) && session.waitFor(b, 'labos> ', BUDGET)).toBe(true);
    expect(host.monitor?.vmIds().sort()).toEqual([1, 2]);
    expect(host.toolstack('destroy vm1').ok).toBe(true);
    expect(session.monitorEvents.at(-1)).toMatchObject({ vm: 1, mechanism: 'scrub', outcome: 'allowed' });
    expect(session.type(b, 'selftest', BUDGET)).toBe(true);
    expect(session.output(b)).toContain('SELFTEST ok');
    expect(session.failures).toEqual([]);
  }, 180_000);
});

describe('boot --mode both', () => {
  it('shows the attack succeed on the bare host and refused on the protected one', async () => {
    let out = '';
    const io = { stdout: (t: string | Uint8Array) => void (out += typeof t === 'string' ? t : Buffer.from(t).toString()), stderr: () => undefined };
    const args = ['--mode', 'both', '--patch', STEAL_PATH.pathname, '--type', 'secret where', '--type', 'selftest', '--json'];
    const status = await bootCommand.run(args, io);
    const report = JSON.parse(out) as {
      mode: string;
      runs: { mode: string; exfiltrated: unknown[]; guests: { selftest: string[] }[]; monitorEvents?: { mechanism: string }[] }[];
    };
    expect(report.mode).toBe('both');
    const [bare, guarded] = report.runs;
    expect(bare?.mode).toBe('bare');
    expect(bare?.exfiltrated).toHaveLength(1);
    expect(bare?.monitorEvents).toBeUndefined();
    expect(guarded?.mode).toBe('protected');
    expect(guarded?.exfiltrated).toEqual([]);
    expect(guarded?.guests[0]?.selftest).toContain('SELFTEST ok');
    expect(guarded?.monitorEvents?.some((e) => e.mechanism === 'ept-x')).toBe(true);
    expect(status).toBe(1); // the protected run reports the patch's fault
  }, 240_000);
});
