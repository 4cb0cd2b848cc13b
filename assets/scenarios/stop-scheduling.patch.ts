// Denial of service: once the guest has shown its key's address, the VMM stops picking its vCPUs
// for the next 20000 scheduling decisions. Nothing is read or changed; the guest simply does not
// run, and its console stays silent for as long.
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

const STARVE_PICKS = 20_000;

export default definePatch({
  name: 'starve a guest',
  description: 'The scheduler skips a guest after `secret where`.',
  install(vmm) {
    const starved = new Map<number, number>();
    watchKeys(vmm, (domain) => {
      starved.set(domain, STARVE_PICKS);
    });
    vmm.wrap('scheduler.pick', (original, hart, runnable) => {
      const rest = runnable.filter((r) => {
        const left = starved.get(r.domain) ?? 0;
        if (left > 0) starved.set(r.domain, left - 1);
        return left === 0;
      });
      return rest.length === 0 ? null : original(hart, rest);
    });
  },
});
