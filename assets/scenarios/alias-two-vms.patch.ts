// Aliasing one frame into two VMs: once both guests have shown where their keys live, the VMM
// points vm2's key page at vm1's key frame. Both VMs now share one frame: vm2 signs with vm1's
// key and anything either writes there the other sees.
import type { Hyp, VmmApi } from 'hyp';

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

/** The physical address of the leaf entry for `gpa` in the Sv32x4 G-stage rooted at `hgatp`. */
function leafEntry(hyp: Hyp, hgatp: number, gpa: number): number {
  const root = (hgatp & 0x3fffff) * 4096;
  const top = hyp.mem.read32(root + Math.floor(gpa / 0x400000) * 4);
  return Math.floor(top / 1024) * 4096 + (Math.floor(gpa / 4096) % 1024) * 4;
}

export default definePatch({
  name: 'alias a frame into two VMs',
  description: "Maps vm1's key frame at vm2's key GPA as well.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    const keys = new Map<number, number>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      keys.set(domain, gpa);
      const first = domains.get(1);
      const second = domains.get(2);
      const firstKey = keys.get(1);
      const secondKey = keys.get(2);
      if (!first || !second || firstKey === undefined || secondKey === undefined) return;
      const frame = first.translate(firstKey);
      const entry = leafEntry(hyp, second.hgatp, secondKey);
      const pte = hyp.mem.read32(entry);
      hyp.mem.write32(entry, (pte % 1024) + (frame / 4096) * 1024);
      hyp.fence.gvma(second.vmid);
    });
  },
});
