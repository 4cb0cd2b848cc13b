// Exercise "Exfiltrate the secret from a bare host": your starting point. The helper below already
// finds where the guest keeps its key; finish the callback.
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
  name: 'my first attack',
  description: "Steal vm1's key.",
  install(vmm, hyp) {
    const domains = new Map<number, { translate(gpa: number): number }>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      // TODO: turn the guest physical address into a machine address, read the 32-byte key and
      // send it with vmm.exfiltrate(label, bytes).
      vmm.exfiltrate(`dom${domain} key address`, new Uint8Array([gpa & 0xff]));
      void domains;
      void hyp;
    });
  },
});
