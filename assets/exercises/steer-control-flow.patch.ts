// Exercise "Make the guest run where you choose, without writing its pc": your starting point.
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
  name: 'steer the guest',
  description: 'Make vm1 run at an address of your choice.',
  install(vmm, hyp) {
    let target = 0;
    vmm.wrap('domain.create', (original, config, image) => {
      // TODO: find an address worth jumping to in the kernel image (a `j .`, 0x0000006f, is a fine one).
      void image;
      return original(config, image);
    });
    watchKeys(vmm, () => {
      // TODO: at a later exit of this guest, change a register other than pc so that the guest ends
      // up at `target`, and send the address (4 bytes, little-endian) under a label ending in 'chosen pc'.
      void hyp;
      void target;
      target = 0;
    });
  },
});
