// An Iago-style lie: the VMM answers the guest's MMIO read of a virtio slot's DeviceID with 0 where
// the slot holds its block device, so the guest believes it has no disk and keeps its key in
// memory only. The monitor does not vouch for device answers: the guest must check them itself.

const VIRTIO_FIRST = 0x10001000;
const VIRTIO_END = 0x10009000;
const DEVICE_ID = 0x008;
const VIRTIO_ID_BLOCK = 2;

export default definePatch({
  name: 'hide the disk',
  description: "Reads of a virtio-blk slot's DeviceID answer 0 (no device).",
  install(vmm) {
    vmm.wrap('mmio.load', (original, domain, vcpu, gpa, width) => {
      const value = original(domain, vcpu, gpa, width);
      const slot = gpa >= VIRTIO_FIRST && gpa < VIRTIO_END;
      return slot && gpa % 0x1000 === DEVICE_ID && value === VIRTIO_ID_BLOCK ? 0 : value;
    });
  },
});
