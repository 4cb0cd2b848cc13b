// Cross-VM mapping through the vCPU: the VMM gives vm2's vCPU the G-stage root of vm1, so vm2's
// guest runs on vm1's memory: every page vm2 touches is vm1's, its key included.
import type { VmmApi } from 'hyp';

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

export default definePatch({
  name: "run vm2 on vm1's memory",
  description: "Sets vm2's vCPU hgatp to vm1's G-stage root once vm2 has shown its key.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    let armed = false;
    let done = false;
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain) => {
      if (domain === 2) armed = true;
    });
    vmm.hooks.on('exit', (domain, vcpu) => {
      const victim = domains.get(1);
      if (!armed || done || domain !== 2 || !victim) return;
      done = true;
      hyp.vcpu.setControls(vcpu, { hgatp: victim.hgatp });
    });
  },
});
