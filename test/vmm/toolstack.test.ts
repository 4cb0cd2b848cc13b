import { describe, expect, it } from 'vitest';
import { splitWords } from '../../core/vmm/toolstack';
import { SBI_EXT } from '../../core/spec/sbi';
import { labVmm } from './support/lab-vmm';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('xl toolstack', () => {
  it('creates a domain from a config file in the management domain\'s store, lists and destroys it', () => {
    const { vmm } = labVmm();
    vmm.files.set('web.cfg', enc('# a guest\nname = "web"\nkernel = "kernel.elf"\nmemory = 8\nvcpus = 2\nextra = "quiet # not a comment"\n'));
    const free = vmm.frames.freeFrames;
    expect(vmm.fns.toolstackCommand('xl create web.cfg')).toBe('created domain 1 (web)');
    expect(vmm.frames.freeFrames).toBeLessThan(free - 2048);
    expect(vmm.domains.get(1)?.config.bootargs).toBe('quiet # not a comment');
    const list = vmm.fns.toolstackCommand('list').split('\n');
    expect(list[0]).toMatch(/^Name\s+ID\s+Mem VCPUs/);
    expect(list[1]).toMatch(/^Domain-0\s+0/);
    expect(list[2]).toMatch(/^web\s+1\s+8\s+2\tr-----\t0$/);
    vmm.fns.toolstackCommand('destroy web');
    expect(vmm.frames.freeFrames).toBe(free);
    expect(vmm.fns.toolstackCommand('list').split('\n')).toHaveLength(2);
  });

  it('command-line keys override the file; pause and unpause change the state', () => {
    const { vmm } = labVmm();
    vmm.files.set('a.cfg', enc('name="a"\nkernel="kernel.elf"\nmemory=4\n'));
    vmm.fns.toolstackCommand('create a.cfg name=b memory=6');
    expect(vmm.domains.get(1)?.name).toBe('b');
    expect(vmm.domains.get(1)?.config.memoryBytes).toBe(6 << 20);
    vmm.fns.toolstackCommand('pause b');
    expect(vmm.fns.toolstackCommand('list')).toMatch(/b\s+1\s+6\s+1\t--p---/);
    expect(() => vmm.fns.toolstackCommand('pause 1')).toThrow(/paused, not running/);
    vmm.fns.toolstackCommand('unpause 1');
    expect(vmm.domains.get(1)?.state).toBe('running');
  });

  it('reports clear errors and changes nothing on bad input', () => {
    const { vmm } = labVmm();
    const free = vmm.frames.freeFrames;
    const cases: [string, RegExp][] = [
      ['frobnicate', /unknown command 'frobnicate'/],
      ['create name=x', /kernel = "FILE" is required/],
      ['create name=x kernel=nope.elf', /no file 'nope.elf'/],
      ['create name=x kernel=kernel.elf memory=0', /memory must be 1..1024 MiB/],
      ['create name=x kernel=kernel.elf vcpus=9', /vcpus must be 1..8/],
      ['create name=x kernel=kernel.elf colour=blue', /unknown config key 'colour'/],
      ['create name=x kernel=kernel.elf disk=vol=d1', /does not exist: give size/],
      ['create name=x kernel=kernel.elf disk=vol=d1,size=1M,speed=9', /unknown key 'speed'/],
      ['destroy 42', /no domain 42/],
      ['destroy', /usage: destroy DOM/],
      ['console ghost', /no domain named 'ghost'/],
      ['create "unterminated', /unterminated quote/],
      ['restore nothing.sav', /no file 'nothing.sav'/],
    ];
    for (const [line, error] of cases) expect(() => vmm.fns.toolstackCommand(line), line).toThrow(error);
    vmm.files.set('junk.elf', new Uint8Array([1, 2, 3]));
    expect(() => vmm.fns.toolstackCommand('create name=x kernel=junk.elf')).toThrow(/shorter than an ELF header/);
    vmm.fns.toolstackCommand('create name=x kernel=kernel.elf memory=4');
    expect(() => vmm.fns.toolstackCommand('create name=x kernel=kernel.elf memory=4')).toThrow(/named 'x' exists/);
    vmm.fns.toolstackCommand('destroy x');
    expect(vmm.frames.freeFrames).toBe(free);
    expect(vmm.domains.size).toBe(0);
    expect(vmm.volumes.list()).toHaveLength(0);
  });

  it('a failed create undoes its VMID, memory, vCPUs and new volumes', () => {
    const { vmm, hyp } = labVmm();
    const free = vmm.frames.freeFrames;
    vmm.files.set('big.elf', new Uint8Array(0));
    expect(() => vmm.fns.toolstackCommand('create name=x kernel=kernel.elf memory=1024')).toThrow(/out of memory/);
    expect(vmm.frames.freeFrames).toBe(free);
    expect(hyp.vcpus.size).toBe(0);
    expect(vmm.volumes.list()).toHaveLength(0);
  });

  it('volumes: created from an image file, attached read-only or read-write, kept after destroy', () => {
    const { vmm } = labVmm();
    vmm.files.set('secret.img', enc('TOP SECRET'));
    vmm.fns.toolstackCommand('create name=s kernel=kernel.elf memory=4 disk=vol=sec,size=64K,image=secret.img');
    const d = vmm.domains.get(1);
    expect(d?.setupPending).toBe(1);
    while (vmm.disk.busy) vmm.disk.poll();
    expect(d?.setupPending).toBe(0);
    expect(vmm.fns.toolstackCommand('vol-list')).toMatch(/sec\s+0\s+128\s+dom1/);
    expect(() => vmm.fns.toolstackCommand('vol-remove sec')).toThrow(/attached to domain 1/);
    vmm.fns.toolstackCommand('destroy s');
    expect(vmm.fns.toolstackCommand('vol-list')).toMatch(/sec\s+0\s+128\s+-/);
    expect(vmm.fns.toolstackCommand('vol-create more 256K')).toBe('volume more: sectors 128..639');
    vmm.fns.toolstackCommand('vol-remove sec');
    expect(vmm.volumes.list().map((v) => v.name)).toEqual(['more']);
  });

  it('console shows the domain\'s output history; info and dmesg report the host and the log', () => {
    const { vmm } = labVmm();
    vmm.fns.toolstackCommand('create name=c kernel=kernel.elf memory=4');
    for (const ch of 'boot ok\n') vmm.fns.sbiCall(1, 0, SBI_EXT.LEGACY_CONSOLE_PUTCHAR, 0, [ch.charCodeAt(0)]);
    expect(vmm.fns.toolstackCommand('console c')).toBe('boot ok\n');
    expect(vmm.fns.toolstackCommand('info')).toMatch(/nr_cpus\s+: 1[\s\S]*free_memory/);
    expect(vmm.fns.toolstackCommand('dmesg')).toMatch(/dom1 created/);
    vmm.fns.toolstackCommand('dmesg -c');
    expect(vmm.fns.toolstackCommand('dmesg')).toBe('');
  });

  it('save writes memory and vCPU state as they are; restore brings the same guest back', () => {
    const { vmm, hyp } = labVmm();
    vmm.fns.toolstackCommand('create name=s kernel=kernel.elf memory=4 vcpus=2');
    const d = vmm.domains.get(1);
    const v0 = d?.vcpus[0];
    if (d === undefined || v0 === undefined) throw new Error('no domain');
    d.memory.write(0x8030_0000, enc('guest secret'));
    hyp.vcpu.setRegs(v0.id, { pc: 0x8020_1234, s0: 0xdead_beef, vsatp: 0x8000_1234 });
    vmm.fns.sbiCall(1, 0, SBI_EXT.TIME, 0, [777, 0]);
    for (const ch of 'xyz') vmm.fns.sbiCall(1, 0, SBI_EXT.LEGACY_CONSOLE_PUTCHAR, 0, [ch.charCodeAt(0)]);
    expect(vmm.fns.toolstackCommand('save s s.sav')).toMatch(/saved domain 1 \(s\) to s.sav: \d+ bytes/);
    expect(vmm.domains.size).toBe(0);
    expect(vmm.fns.toolstackCommand('restore s.sav')).toBe('restored as domain 2');
    const r = vmm.domains.get(2);
    const rv0 = r?.vcpus[0];
    if (r === undefined || rv0 === undefined) throw new Error('not restored');
    expect(new TextDecoder().decode(r.memory.read(0x8030_0000, 12))).toBe('guest secret');
    const regs = hyp.vcpu.regs(rv0.id);
    expect([regs.pc, regs.x8, regs.vsatp]).toEqual([0x8020_1234, 0xdead_beef, 0x8000_1234]);
    expect(hyp.vcpu.controls(rv0.id).hgatp).toBe(r.memory.table.hgatp());
    expect(rv0.deadline).toBe(777);
    expect(r.vcpus[1]?.hsm).toBe('stopped');
    expect(r.state).toBe('running');
  });

  it('restore refuses a damaged save file and builds nothing', () => {
    const { vmm } = labVmm();
    vmm.fns.toolstackCommand('create name=s kernel=kernel.elf memory=4');
    vmm.fns.toolstackCommand('save s s.sav');
    const good = vmm.files.get('s.sav') ?? new Uint8Array(0);
    vmm.files.set('short.sav', good.subarray(0, good.length - 1));
    vmm.files.set('magic.sav', new Uint8Array([...enc('NOTASAVE'), 0, 0, 0, 0]));
    expect(() => vmm.fns.toolstackCommand('restore short.sav')).toThrow(/length does not match/);
    expect(() => vmm.fns.toolstackCommand('restore magic.sav')).toThrow(/bad magic/);
    expect(vmm.domains.size).toBe(0);
  });

  it('splits words with quotes', () => {
    expect(splitWords(`create a.cfg extra="console=ttyS0 quiet" name='x y'`)).toEqual(['create', 'a.cfg', 'extra=console=ttyS0 quiet', 'name=x y']);
  });
});
