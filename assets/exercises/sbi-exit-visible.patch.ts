// Exercise "What does the monitor leave visible at an SBI exit?": your starting point.
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
  name: 'look at an SBI exit',
  description: 'Report which registers can be seen at an SBI exit.',
  install(vmm, hyp) {
    let reported = false;
    vmm.hooks.on('exit', (domain, vcpu, exit) => {
      if (exit.kind !== 'sbi' || reported) return;
      reported = true;
      const regs = hyp.vcpu.regs(vcpu);
      // TODO: list the names of the registers that read as non-zero (e.g. "x10,x17") and send the
      // list as text under the label 'visible' (build the bytes with charCodeAt: the VMM engine has no
      // TextEncoder and no regular expressions).
      void regs;
      void domain;
    });
    void watchKeys;
  },
});
