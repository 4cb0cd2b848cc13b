// Heckler-style interrupt injection: from the moment the guest shows its key's address, the VMM
// raises the guest's software and timer interrupts (hvip VSSIP, VSTIP) at each of the guest's next
// 2000 exits, hoping the handlers that run at those moments change what the guest computes.
import type { VmmApi } from 'hyp';

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

const VSSIP = 1 << 2;
const VSTIP = 1 << 6;
const INJECTIONS = 2000;

export default definePatch({
  name: 'inject interrupts',
  description: 'Sets hvip VSSIP and VSTIP on every exit of a guest after `secret where`.',
  install(vmm, hyp) {
    const left = new Map<number, number>();
    watchKeys(vmm, (domain) => {
      left.set(domain, INJECTIONS);
    });
    vmm.hooks.on('exit', (domain, vcpu) => {
      const n = left.get(domain) ?? 0;
      if (n === 0) return;
      left.set(domain, n - 1);
      const controls = hyp.vcpu.controls(vcpu);
      hyp.vcpu.setControls(vcpu, { hvip: controls.hvip | VSSIP | VSTIP });
    });
  },
});
