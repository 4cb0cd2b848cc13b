// VMM patches on a bare host with a real labOS guest: the secret-stealing attack succeeds (checked
// against the guest's own HMAC fingerprint, computed here with node:crypto), and broken patches
// are reported with their TypeScript positions while the host and guest go on.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { PatchLoadError, applyPatch } from '../../../core/lab/host/patch-loader';
import { VmmHost } from '../../../core/lab/host/vmm-host';

const STEAL = readFileSync(new URL('../../../assets/patches/steal-secret.ts', import.meta.url), 'utf8');
const BUDGET = 400_000_000;
const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

async function bootedGuest(patch?: [string, string]) {
  const host = await VmmHost.create({ seed: 'patch-tests' });
  hosts.push(host);
  const session = new GuestSession(host);
  const outcome = patch ? applyPatch(host, patch[0], patch[1]).outcome : null;
  const dom = session.createGuest('vm1', 'labos', 32);
  expect(session.waitFor(dom, 'labos> ', BUDGET)).toBe(true);
  return { host, session, dom, outcome };
}

function fingerprint(key: Uint8Array, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  return createHmac('sha256', key).update(message).digest('hex').slice(0, 16);
}

describe('VMM patches on a bare host', () => {
  it('steals the real secret through physical memory', async () => {
    const { session, dom, outcome } = await bootedGuest(['steal-secret.ts', STEAL]);
    expect(outcome).toEqual({ ok: true });
    expect(session.type(dom, 'secret where', BUDGET)).toBe(true);
    expect(session.type(dom, 'secret', BUDGET)).toBe(true);
    const stolen = session.exfiltrated.find((e) => e.label === `dom${dom} secret`);
    expect(stolen?.bytes.length).toBe(32);
    const m = /SECRET fingerprint ([0-9a-f]{16}) counter (\d+)/.exec(session.output(dom));
    expect(m).not.toBeNull();
    expect(fingerprint(stolen?.bytes ?? new Uint8Array(), Number(m?.[2]))).toBe(m?.[1]);
  }, 120_000);

  it('reports a patch that does not type-check with its line and column', async () => {
    const host = await VmmHost.create({ seed: 'patch-tests' });
    hosts.push(host);
    const source = "export default definePatch({\n  name: 'typo',\n  install(vmm, hyp) {\n    hyp.mem.reed(0, 4);\n  },\n});\n";
    let error: unknown;
    try {
      applyPatch(host, 'typo.ts', source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatchLoadError);
    expect((error as PatchLoadError).message).toMatch(/typo\.ts:4:\d+: error TS2339/);
  }, 60_000);

  it('stops a patch that loops forever, names it, and the guest keeps running', async () => {
    const loop = [
      'export default definePatch({',
      "  name: 'spin',",
      '  install(vmm) {',
      "    vmm.hooks.on('sbi', () => {",
      '      for (;;) {}',
      '    });',
      '  },',
      '});',
      '',
    ].join('\n');
    const { session, dom } = await bootedGuest(['spin.ts', loop]);
    expect(session.failures.some((f) => f.includes("patch 'spin'") && f.includes('spin.ts:'))).toBe(true);
    expect(session.type(dom, 'selftest', BUDGET)).toBe(true);
    expect(session.output(dom)).toContain('SELFTEST ok');
  }, 120_000);
});
