// The patch, attestation, perf and session tools through the lab protocol's host side, on a real
// bare VMM machine with a labOS guest: a patch that does not compile comes back at its line, the
// secret-stealing patch loads hot, leaks the secret after a reset re-creates the guest, and
// unloads; the TPM quote verifies against the CA the lab made the board with; perf samples rate
// the running host; the session export lists the patch and the typed input.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmmMachine } from '../../core/lab/host/vmm-machine';
import { HostSession } from '../../core/lab/host-session';
import type { AttestationReport, LabEvent, LoadedPatchInfo, MonitorDecision, PatchRunResult, SessionExport } from '../../core/lab/protocol';

const STEAL = readFileSync(new URL('../../assets/patches/steal-secret.ts', import.meta.url), 'utf8');
let machine: VmmMachine;
let session: HostSession;
const events: LabEvent[] = [];

beforeAll(async () => {
  machine = await VmmMachine.create({ seed: 'host-tools', harts: 1, ramMiB: 96, guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1 }] });
  session = new HostSession(machine, { seed: 'host-tools', statusIntervalMs: 50 });
  session.onEvent((e) => events.push(e));
}, 60_000);

afterAll(() => machine?.vmmHost.dispose());

function consoleText(name: string): string {
  return events.filter((e) => e.kind === 'console' && e.console === name).map((e) => (e.kind === 'console' ? e.data : '')).join('');
}

async function stepUntil(test: () => boolean, limitSteps = 400): Promise<boolean> {
  for (let i = 0; i < limitSteps && !test(); i++) await session.handle('host.step', { instructions: 2_000_000 });
  return test();
}

describe('host tools on a bare VMM machine', () => {
  it('reports a compile error at the patch line and loads nothing', async () => {
    const source = "export default definePatch({\n  name: 'typo',\n  install(vmm, hyp) {\n    hyp.mem.reed(0, 4);\n  },\n});\n";
    const { results } = (await session.handle('patch.load', { fileName: 'typo.ts', source, target: 'bare' })) as { results: PatchRunResult[] };
    expect(results).toHaveLength(1);
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.diagnostics.find((d) => d.category === 'error')).toMatchObject({ file: 'typo.ts', line: 4, code: 2339 });
    await expect(session.handle('patch.load', { fileName: 'typo.ts', source, target: 'protected' })).rejects.toThrow(/no protected host/);
    await expect(session.handle('patch.load', { fileName: 'typo.ts', source, target: 'both' })).rejects.toThrow(/no second host/);
  }, 60_000);

  it('loads the stealing patch hot, leaks after a reset, lists and unloads it', async () => {
    const { results } = (await session.handle('patch.load', { fileName: 'steal-secret.ts', source: STEAL, target: 'bare' })) as { results: PatchRunResult[] };
    expect(results[0]).toMatchObject({ host: 'bare', ok: true, patch: { name: 'steal the secret', state: 'installed' } });
    await session.handle('host.reset', {});
    expect(await stepUntil(() => consoleText('dom1').split('labos> ').length > 1)).toBe(true);
    await session.handle('console.input', { console: 'dom1', data: 'secret where\r' });
    expect(await stepUntil(() => events.some((e) => e.kind === 'security' && e.activity.what === 'exfiltrated'))).toBe(true);
    const leak = events.find((e) => e.kind === 'security' && e.activity.what === 'exfiltrated');
    expect(leak?.kind === 'security' ? leak.activity.hex : '').toMatch(/^[0-9a-f]{64}$/);

    const exported = (await session.handle('session.export', {})) as SessionExport;
    expect(exported.patches.map((p) => p.fileName)).toEqual(['steal-secret.ts']);
    expect(exported.patches[0]?.source).toBe(STEAL);
    expect(exported.input).toEqual([{ console: 'dom1', data: 'secret where\r' }]);
    expect(exported.hosts).toEqual(['bare']);

    const id = results[0]?.patch?.id ?? -1;
    const { patches } = (await session.handle('patch.unload', { host: 'bare', id })) as { patches: LoadedPatchInfo[] };
    expect(patches).toEqual([]);
    await expect(session.handle('patch.unload', { host: 'bare', id })).rejects.toThrow(/no patch/);
  }, 240_000);

  it('quotes the PCRs and verifies the quote against the manufacturer CA', async () => {
    const nonce = '00112233445566778899aabbccddeeff';
    const report = (await session.handle('attestation.quote', { host: 'bare', nonce })) as AttestationReport;
    expect(report.verdict.reasons).toEqual([]);
    expect(report.verdict.ok).toBe(true);
    expect(report.nonce).toBe(nonce);
    const firmware = report.pcrs.find((p) => p.index === 0);
    expect(firmware?.value).toBe(firmware?.expected);
    expect(report.pcrs.find((p) => p.index === 4)?.value).toBe(report.pcrs.find((p) => p.index === 4)?.expected);
    await expect(session.handle('attestation.quote', { host: 'bare', nonce: 'zz' })).rejects.toThrow(/nonce/);
  }, 60_000);

  it('samples MIPS and exits per second while the host runs', async () => {
    const before = events.length;
    await session.handle('host.start', {});
    await new Promise((done) => setTimeout(done, 2500));
    await session.handle('host.pause', {});
    const samples = events.slice(before).flatMap((e) => (e.kind === 'perf' ? [e.sample] : []));
    expect(samples.length).toBeGreaterThan(0);
    const last = samples.at(-1);
    expect(last?.host).toBe('bare');
    expect(last?.mips).toBeGreaterThan(0);
    expect(last?.monitorShare).toBeNull();
    expect(Object.values(last?.exitsPerSecond ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 60_000);
});

describe('host tools on a protected VMM machine', () => {
  it("lists the monitor's decisions, from the start or from a position", async () => {
    const guarded = await VmmMachine.create({ seed: 'host-tools', harts: 1, ramMiB: 104, mode: 'protected', guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1 }] });
    try {
      const tools = new HostSession(guarded, { seed: 'host-tools' });
      await tools.handle('host.step', { instructions: 5_000_000 });
      const { decisions } = (await tools.handle('monitor.decisions', { host: 'protected' })) as { decisions: MonitorDecision[] };
      expect(decisions.some((d) => d.mechanism === 'launch' && d.vm === 1)).toBe(true);
      const tail = (await tools.handle('monitor.decisions', { host: 'protected', since: decisions.length - 1 })) as { decisions: MonitorDecision[]; next: number };
      expect(tail.decisions).toEqual(decisions.slice(-1));
      expect(tail.next).toBe(decisions.length);
      await expect(tools.handle('monitor.decisions', { host: 'bare' })).rejects.toThrow(/no bare host/);
    } finally {
      guarded.vmmHost.dispose();
    }
  }, 120_000);
});
