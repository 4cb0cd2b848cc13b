// Exercise "Make the monitor refuse your remap": your starting point. Remap the key page, then
// explain from the monitor's events why it was refused.
import type { VmmApi } from 'hyp';

/** Reads a hexadecimal number at text[from..]; -1 if there is none. */
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
function leafEntry(hyp: { mem: { read32(pa: number): number } }, hgatp: number, gpa: number): number {
  const root = (hgatp & 0x3fffff) * 4096;
  const top = hyp.mem.read32(root + Math.floor(gpa / 0x400000) * 4);
  return Math.floor(top / 1024) * 4096 + (Math.floor(gpa / 4096) % 1024) * 4;
}

const SCRATCH = 0x800f0000;

export default definePatch({
  name: 'remap the key page',
  description: "Point vm1's key page at a frame of the VMM.",
  install(vmm, hyp) {
    const domains = new Map<number, { hgatp: number; vmid: number }>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      const info = domains.get(domain);
      if (!info) return;
      const planted = new Uint8Array(4096).fill(0x77);
      hyp.mem.write(SCRATCH, planted);
      vmm.exfiltrate(`dom${domain} planted key`, planted.slice(0, 32));
      // TODO: rewrite the leaf entry of `gpa` (leafEntry) to point at SCRATCH, keeping its flag bits,
      // and fence the domain's VMID so the change takes effect. Then run the exercise protected,
      // read the monitor's refusal, and send your explanation as text under the label 'why'.
      void [leafEntry, gpa];
    });
  },
});
