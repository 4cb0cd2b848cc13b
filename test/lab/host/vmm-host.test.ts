// The bare host end to end: labOS (real RV32 machine code) boots as a VS-mode guest of the VMM,
// which runs inside its QuickJS engine over the bare hypervisor interface on our harts.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VmmHost, type VmmHostEvent } from '../../../core/lab/host/vmm-host';

const LABOS = readFileSync(new URL('../../../assets/guests/images/labos.elf', import.meta.url));
const hosts: VmmHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

async function bootHost(harts = 1) {
  const host = await VmmHost.create({ seed: 'vmm-host-test', harts });
  hosts.push(host);
  const output = new Map<number, string>();
  const events: VmmHostEvent[] = [];
  host.onEvent((e) => {
    events.push(e);
    if (e.kind === 'guest-output') output.set(e.domain, (output.get(e.domain) ?? '') + Buffer.from(e.bytes).toString('latin1'));
  });
  host.putFile('labos.elf', LABOS);
  const runUntil = (domain: number, text: string, limit = 400_000_000) => {
    const start = host.instructions;
    while (!(output.get(domain) ?? '').includes(text)) {
      if (host.instructions - start > limit || host.failed) throw new Error(`no "${text}" from dom${domain}:\n${output.get(domain) ?? ''}`);
      host.run(2_000_000);
    }
  };
  return { host, output, events, runUntil };
}

describe('VmmHost (bare mode)', () => {
  it('boots labOS as a guest and answers at its console', async () => {
    const { host, output, runUntil } = await bootHost();
    expect(host.toolstack('create name=vm1 kernel=labos.elf memory=32 vcpus=1')).toEqual({ ok: true, output: 'created domain 1 (vm1)' });
    runUntil(1, 'labos> ');
    host.consoleInput(1, new TextEncoder().encode('secret where\r'));
    runUntil(1, 'SECRET where');
    expect(output.get(1)).toMatch(/SECRET where va 0x[0-9a-f]+ pa 0x[0-9a-f]+ len 32/);
    expect(host.toolstack('list').output).toMatch(/vm1\s+1\s+32/);
  }, 120_000);

  it('runs two guests side by side on two harts', async () => {
    const { host, runUntil } = await bootHost(2);
    host.toolstack('create name=a kernel=labos.elf memory=16');
    host.toolstack('create name=b kernel=labos.elf memory=16');
    runUntil(1, 'labos> ');
    runUntil(2, 'labos> ');
    expect(host.board.tpm.pcrRead([4]).ok).toBe(true);
  }, 120_000);
});
