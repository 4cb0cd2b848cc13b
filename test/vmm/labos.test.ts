// End to end: the committed labOS image boots under this VMM on the real hart (a bare-mode Hyp
// modelled in test/vmm/support/hart-hyp.ts), unchanged: it reads the VMM's DTB, prints through the
// emulated UART, takes VS timer interrupts, and answers shell commands typed at its console.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVmm } from '../../core/vmm/entry';
import { HART_RESULT, type Vmm } from '../../core/vmm/vmm';
import { HartHyp } from './support/hart-hyp';

function boot(config: string): { vmm: Vmm; hyp: HartHyp; dom: number; until: (text: string, maxCalls?: number) => string } {
  const hyp = new HartHyp(64 * 1024 * 1024, 8192);
  const vmm = createVmm(hyp, { exfiltrate: () => undefined, log: () => undefined }, { harts: 1, ramBase: hyp.ram.base, ramSize: hyp.ram.size, vmmReservedBytes: 1 << 20 });
  vmm.files.set('labos.elf', new Uint8Array(readFileSync('assets/guests/images/labos.elf')));
  const created = vmm.fns.toolstackCommand(`create name=labos kernel=labos.elf ${config}`);
  const dom = Number(/created domain (\d+)/.exec(created)?.[1]);
  let out = '';
  const until = (text: string, maxCalls = 20_000): string => {
    for (let i = 0; i < maxCalls && !out.includes(text); i++) {
      const r = vmm.hart(0);
      if ((r & HART_RESULT.OUTPUT) !== 0) for (const c of vmm.drain().console) out += new TextDecoder().decode(c.bytes);
      if ((r & HART_RESULT.IDLE) !== 0 && !hyp.idle()) break;
    }
    return out;
  };
  return { vmm, hyp, dom, until };
}

describe('labOS under the VMM on the real hart', () => {
  it('boots to its shell prompt and runs a command typed at the console', () => {
    const { vmm, dom, until } = boot('memory=32');
    const out = until('labos> ');
    expect(out).toContain('labos> ');
    vmm.consoleInput(dom, new TextEncoder().encode('uptime\r'));
    expect(until('KiB free')).toMatch(/UPTIME \d+\.\d+ s/);
  });

  it('boots two vCPUs through SBI HSM, formats and mounts a virtio-blk volume, and powers off through SRST', () => {
    const { vmm, dom, until } = boot('memory=32 vcpus=2 disk=vol=root,size=4M');
    const out = until('labos> ');
    expect(out).toContain('smp: hart 1 online (idle)');
    expect(out).toContain('fs: blank disk, formatting labfs (1024 blocks)');
    expect(out).toContain('secret: new key from rng-seed, stored in /secret');
    vmm.consoleInput(dom, new TextEncoder().encode('write note hello from the guest\r'));
    expect(until('wrote 20 bytes to note')).toContain('wrote 20 bytes to note');
    vmm.consoleInput(dom, new TextEncoder().encode('halt\r'));
    until('labos: halting', 200);
    for (let i = 0; i < 100 && vmm.domains.has(dom); i++) vmm.hart(0);
    expect(vmm.domains.has(dom)).toBe(false);
    expect(vmm.dmesg.join('\n')).toMatch(/dom1 shutdown: labos powered off \(no reason\)/);
    expect(vmm.volumes.get('root')?.attachedTo).toBeNull();
  });

  it('xl save and restore a running labOS: the restored guest answers at its console', () => {
    const { vmm, dom, until } = boot('memory=16');
    until('labos> ');
    expect(vmm.fns.toolstackCommand(`save ${dom} labos.sav`)).toMatch(/saved domain 1 \(labos\) to labos.sav/);
    expect(vmm.domains.size).toBe(0);
    expect(vmm.fns.toolstackCommand('restore labos.sav')).toBe('restored as domain 2');
    vmm.consoleInput(2, new TextEncoder().encode('uptime\r'));
    expect(until('KiB free')).toMatch(/labos> uptime\r\nUPTIME \d+\.\d+ s\r\nharts 1\/1 online/);
  });
});
