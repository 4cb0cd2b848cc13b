// End to end: the committed labOS image boots under this VMM on the real hart (a bare-mode Hyp
// modelled in test/vmm/support/hart-hyp.ts), unchanged: it reads the VMM's DTB, prints through the
// emulated UART, takes VS timer interrupts, and answers shell commands typed at its console.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVmm } from '../../core/vmm/entry';
import { HART_RESULT, type Vmm } from '../../core/vmm/vmm';
import { HartHyp } from './support/hart-hyp';
import { domainInfo } from '../../core/vmm/domain-builder';

function boot(config: string, harts = 1): { vmm: Vmm; hyp: HartHyp; dom: number; until: (text: string, maxRounds?: number) => string } {
  const hyp = new HartHyp(64 * 1024 * 1024, 8192, 20_000, harts);
  const vmm = createVmm(hyp, { exfiltrate: () => undefined, log: () => undefined }, { harts, ramBase: hyp.ram.base, ramSize: hyp.ram.size, vmmReservedBytes: 1 << 20 });
  vmm.files.set('labos.elf', new Uint8Array(readFileSync('assets/guests/images/labos.elf')));
  const created = vmm.fns.toolstackCommand(`create name=labos kernel=labos.elf ${config}`);
  const dom = Number(/created domain (\d+)/.exec(created)?.[1]);
  let out = '';
  // The host's round: each hart gets one quantum in turn; when all idle, time jumps to a deadline.
  const until = (text: string, maxRounds = 20_000): string => {
    for (let i = 0; i < maxRounds && !out.includes(text); i++) {
      let idle = 0;
      for (let h = 0; h < harts; h++) {
        hyp.hartId = h;
        const r = vmm.hart(h);
        if ((r & HART_RESULT.OUTPUT) !== 0) for (const c of vmm.drain().console) out += new TextDecoder().decode(c.bytes);
        if ((r & HART_RESULT.IDLE) !== 0) idle++;
      }
      if (idle === harts && !hyp.idle()) break;
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

  it('runs two vCPUs on two harts: the secondary comes online on the other hart and answers IPIs', () => {
    const { vmm, dom, until } = boot('memory=16 vcpus=2', 2);
    const ranOn = new Set<string>();
    vmm.registry.on('schedule', 'test', (hart, _d, vcpu) => void ranOn.add(`${String(hart)}:${String(vcpu)}`));
    expect(until('labos> ')).toContain('smp: 2 of 2 harts online');
    vmm.consoleInput(dom, new TextEncoder().encode('selftest\r'));
    expect(until('SELFTEST')).toContain('selftest: smp: IPI and remote fence answered by 1 other hart(s)');
    const harts = new Set([...ranOn].map((k) => k.split(':')[0]));
    expect(harts).toEqual(new Set(['0', '1']));
  });

  it('on the bare host, a patch with the VMM\'s p2m steals the key labOS keeps on its own page', () => {
    const { vmm, hyp, dom, until } = boot('memory=16');
    until('labos> ');
    // What a patch sees through patchApi.domains(): the VMM's own p2m for the domain.
    const d = vmm.domains.get(dom);
    if (d === undefined) throw new Error('no domain');
    const info = domainInfo(d);
    vmm.consoleInput(dom, new TextEncoder().encode('secret where\r'));
    const where = /SECRET where va 0xf0000000 pa 0x([0-9a-f]{8}) len 32/.exec(until('len 32'));
    const gpa = parseInt(where?.[1] ?? '0', 16);
    const machine = info.translate(gpa);
    expect(machine).not.toBe(0);
    const stolen = hyp.mem.read(machine, 32);
    vmm.consoleInput(dom, new TextEncoder().encode('secret\r'));
    const line = /SECRET fingerprint ([0-9a-f]{16}) counter (\d+)/.exec(until('store memory'));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(line?.[2] ?? '0'));
    const mac = createHmac('sha256', stolen).update(counter).digest('hex').slice(0, 16);
    expect(mac).toBe(line?.[1]);
  });
});
