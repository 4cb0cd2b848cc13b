// Exercise "Read a guest's key by DMA": your starting point.
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

const SCRATCH = 0x800f0000;

export default definePatch({
  name: 'DMA out',
  description: "Copy vm1's key frame to disk and back into a VMM frame.",
  install(vmm, hyp) {
    const domains = new Map<number, { translate(gpa: number): number }>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      // TODO: without any hyp.mem access to the guest's frame, get its bytes to SCRATCH through the
      // host disk (hyp.disk.submit), then read SCRATCH and exfiltrate the key.
      void domains;
      void gpa;
      void domain;
      void hyp;
      void SCRATCH;
    });
  },
});
