// The VMM's patch declarations as the patch editor and compiler use them: patch-api.d.ts loaded
// next to hyp.ts (as module 'hyp') type-checks a patch that uses the VMM's hooks and paths, and
// rejects a wrong path or a wrong wrapper signature.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PatchCompiler } from '../../core/sandbox/patch-compiler';
import { readHypSource } from '../../core/sandbox/hyp-source';
import { patchDeclarations } from '../../core/vmm/patch-paths';

const compiler = new PatchCompiler({
  hypSource: readHypSource(),
  declarations: [patchDeclarations(readFileSync('core/vmm/patch-api.d.ts', 'utf8'))],
});

describe('patch declarations for the editor and compiler', () => {
  it('type-check a patch using typed hooks and wrappers', () => {
    const source = `export default definePatch({
  name: 'steal disk reads',
  install(vmm, hyp) {
    vmm.wrap('virtio.blk.complete', (original, request) => {
      if (request.type === 0 && request.data !== null) vmm.exfiltrate('sector ' + request.sector, request.data.slice(0, 16));
      original(request);
    });
    vmm.hooks.on('domain.create', (domain, info) => {
      const pa = info.translate(info.ramBase + 0x200000);
      if (pa !== 0) vmm.exfiltrate('kernel@' + domain, hyp.mem.read(pa, 4));
    });
    vmm.hooks.on('exit', (_d, _v, exit) => { if (exit.kind === 'sbi' && exit.ext === 0x4442434e) hyp.console.write(new Uint8Array([1])); });
  },
});
`;
    const r = compiler.compile('steal.ts', source);
    expect(r.diagnostics.filter((d) => d.category === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
  }, 60_000);

  it('reject an unknown path and a wrapper with the wrong argument types', () => {
    const bad = `export default definePatch({
  name: 'bad',
  install(vmm) {
    vmm.wrap('virtio.blk.completed', (original) => original());
    vmm.wrap('mmio.load', (original, domain: string) => original(domain, 0, 0, 4));
  },
});
`;
    const r = compiler.compile('bad.ts', bad);
    expect(r.ok).toBe(false);
    const lines = r.diagnostics.filter((d) => d.category === 'error').map((d) => d.line);
    expect(lines).toContain(4);
    expect(lines).toContain(5);
  }, 60_000);
});
