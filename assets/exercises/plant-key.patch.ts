// Exercise "Plant a key": your starting point. Replace the guest's key with one you choose.
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

export default definePatch({
  name: 'plant a key',
  description: "Replace vm1's key with a known one.",
  install(vmm, hyp) {
    const domains = new Map<number, { translate(gpa: number): number }>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      const mine = new Uint8Array(32).fill(0x42);
      // TODO: write `mine` over the guest's key, then report it under a label ending in 'planted key'.
      void domains;
      void hyp;
      void gpa;
      void mine;
      void domain;
    });
  },
});
