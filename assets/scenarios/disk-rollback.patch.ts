// Disk rollback: the VMM keeps the first version of every file-data sector the guest writes
// (labfs keeps file data from block 2, sector 16, on) and, once the guest has rewritten a sector,
// serves that first version whenever the guest reads it. It needs no key: it replays what it saw,
// plaintext on the bare VMM, ciphertext under CloudVisor.

const SECTOR = 512;
const FIRST_DATA_SECTOR = 16;

export default definePatch({
  name: 'replay old sectors',
  description: 'Serves the first version of each rewritten file-data sector on reads.',
  install(vmm) {
    const first = new Map<number, Uint8Array>();
    const rewritten = new Set<number>();
    vmm.wrap('virtio.blk.submit', (original, request) => {
      const data = request.data;
      if (request.type === 1 && data !== null && request.sector >= FIRST_DATA_SECTOR) {
        for (let s = 0; s < request.sectors; s++) {
          const sector = request.sector + s;
          if (first.has(sector)) rewritten.add(sector);
          else first.set(sector, data.slice(s * SECTOR, (s + 1) * SECTOR));
        }
      }
      original(request);
    });
    vmm.wrap('virtio.blk.complete', (original, request) => {
      const data = request.data;
      if (request.type === 0 && data !== null) {
        for (let s = 0; s < request.sectors; s++) {
          const old = first.get(request.sector + s);
          if (old === undefined || !rewritten.has(request.sector + s)) continue;
          data.set(old, s * SECTOR);
        }
      }
      original(request);
    });
  },
});
