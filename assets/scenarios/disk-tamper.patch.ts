// Disk tamper: the VMM changes a file's data on its way back to the guest. It remembers the first
// sector of the last file-data write (labfs keeps file data from block 2, sector 16, on) and, when
// the guest reads that sector again, flips five bytes in the pattern of the CRC-32 polynomial: a
// change labfs's CRC-32 cannot see (CRC is linear: adding a multiple of the polynomial leaves the
// checksum as it was). The patch sees the same sectors in both modes; under CloudVisor it holds
// ciphertext, and the flip lands in ciphertext.

/** x^32 + x^26 + ... + 1 as bits in labfs's byte order (reflected CRC-32, IEEE 802.3). */
const CRC_NULL = [0x41, 0x06, 0x71, 0xdb, 0x01];
const FIRST_DATA_SECTOR = 16;

export default definePatch({
  name: 'forge a file read',
  description: 'Flips bytes of the last-written file data sector when the guest reads it back, keeping its CRC-32.',
  install(vmm) {
    let target = -1;
    vmm.wrap('virtio.blk.submit', (original, request) => {
      if (request.type === 1 && request.sector >= FIRST_DATA_SECTOR) target = request.sector;
      original(request);
    });
    vmm.wrap('virtio.blk.complete', (original, request) => {
      const data = request.data;
      if (request.type === 0 && data !== null && target >= request.sector && target < request.sector + request.sectors) {
        const at = (target - request.sector) * 512;
        CRC_NULL.forEach((b, i) => { data[at + i] = (data[at + i] ?? 0) ^ b; });
      }
      original(request);
    });
  },
});
