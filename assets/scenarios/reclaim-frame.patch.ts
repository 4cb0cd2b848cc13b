// Takes a guest's key frame back into the VMM: the VMM clears the guest's G-stage entry for the
// key page (as a balloon driver or a "memory reclaim" would), fences, and reads the frame that no
// longer belongs to any mapping. It then maps the frame back so the guest notices nothing.
import type { Hyp } from 'hyp';
const MARK = 'SECRET where va ';

/** What this patch keeps of a domain (the VMM's own bookkeeping, from 'domain.create'). */
interface Dom {
  readonly hgatp: number;
  readonly vmid: number;
  translate(gpa: number): number;
}
const PTE_V = 1;

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

/** The physical address of the leaf entry for `gpa` in an Sv32x4 G-stage rooted at `hgatp`. */
function leafEntry(hyp: Hyp, hgatp: number, gpa: number): number {
  const root = (hgatp & 0x3fffff) * 4096;
  const top = hyp.mem.read32(root + Math.floor(gpa / 0x400000) * 4);
  return Math.floor(top / 1024) * 4096 + (Math.floor(gpa / 4096) % 1024) * 4;
}

export default definePatch({
  name: 'reclaim a guest frame',
  description: "Unmaps the guest's key page from its G-stage and reads the frame as the VMM's own.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    const seen = new Map<number, string>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    vmm.wrap('console.flush', (original, domain, bytes) => {
      let text = (seen.get(domain) ?? '') + String.fromCharCode(...bytes);
      const at = text.indexOf(MARK);
      const pa = at < 0 ? -1 : text.indexOf(' pa 0x', at);
      const end = pa < 0 ? -1 : text.indexOf(' len', pa);
      const info = domains.get(domain);
      if (end > 0 && info) {
        const gpa = parseHex(text, pa + 6);
        const entry = leafEntry(hyp, info.hgatp, gpa);
        const pte = hyp.mem.read32(entry);
        hyp.mem.write32(entry, pte & ~PTE_V);
        hyp.fence.gvma(info.vmid);
        const frame = Math.floor(pte / 1024) * 4096;
        vmm.exfiltrate(`dom${domain} reclaimed frame`, hyp.mem.read(frame, 32));
        hyp.mem.write32(entry, pte);
        hyp.fence.gvma(info.vmid);
        text = text.slice(end);
      }
      seen.set(domain, text.slice(-200));
      return original(domain, bytes);
    });
  },
});
