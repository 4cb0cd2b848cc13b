// The VMM when the hypervisor interface refuses an access, as the monitor does for a VM's frames:
// the refusal becomes the guest-visible outcome a real VMM would give (an SBI error, a device
// that needs a reset, a lost completion), never a broken VMM or another domain's failure.
import { describe, expect, it } from 'vitest';
import { SBI_DBCN, SBI_ERR, SBI_EXT } from '../../core/spec/sbi';
import { TestVirtioDriver } from './support/virtio-driver';
import { create, labVmm } from './support/lab-vmm';

describe('refused hypervisor calls', () => {
  it('a DBCN buffer in a refused frame gives SBI_ERR_FAILED', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4');
    const d = vmm.domains.get(dom);
    const pa = d?.memory.machineAddress(0x8030_0000) ?? 0;
    hyp.refused.add(Math.floor(pa / 4096));
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.DBCN, SBI_DBCN.CONSOLE_WRITE, [4, 0x8030_0000, 0])).toEqual({ a0: SBI_ERR.FAILED >>> 0, a1: 0 });
  });

  it('a virtqueue in refused frames puts the device in DEVICE_NEEDS_RESET; a lost completion is logged', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4 disk=vol=v,size=64K');
    const d = vmm.domains.get(dom);
    const slot = d?.virtio[0];
    if (d === undefined || slot === undefined) throw new Error('no device');
    const G = 0x8000_0000;
    const drv = new TestVirtioDriver(slot, d.memory, G + 0x1000, G + 0x2000, G + 0x3000, 8);
    drv.init(0, 1);
    drv.setupQueue(0);
    drv.driverOk();
    const h = new Uint8Array(16);
    d.memory.write(G + 0x4000, h);
    // The data buffer is refused only once the request is under way: its completion cannot land.
    drv.submit(0, [{ gpa: G + 0x4000, len: 16 }, { gpa: G + 0x9000, len: 512, write: true }, { gpa: G + 0x5000, len: 1, write: true }]);
    hyp.refused.add(Math.floor(d.memory.machineAddress(G + 0x9000) / 4096));
    while (vmm.disk.busy) vmm.disk.poll();
    expect(vmm.fns.toolstackCommand('dmesg')).toMatch(/disk completion failed: access fault/);
    expect(d.memory.read(G + 0x5000, 1)[0]).toBe(0);
    // Next: the descriptor table itself is refused when the driver notifies.
    d.memory.write16(G + 0x2000 + 4 + 2, 0);
    d.memory.write16(G + 0x2000 + 2, 2);
    hyp.refused.add(Math.floor(d.memory.machineAddress(G + 0x1000) / 4096));
    slot.write(0x50, 4, 0);
    expect(slot.status & 64).toBe(64);
    expect(slot.interruptStatus & 2).toBe(2);
    expect(vmm.domains.get(dom)?.state).toBe('running');
  });
});
