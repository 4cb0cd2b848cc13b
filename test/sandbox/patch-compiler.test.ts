// The patch compiler: a real type check against hyp.ts (and given VMM declarations), the lab's
// patch rules, and emit with a source map back to the patch's lines.
import { describe, expect, it } from 'vitest';
import { PatchCompiler } from '../../core/sandbox/patch-compiler';
import { readHypSource } from '../../core/sandbox/hyp-source';
import { SourceMapper } from '../../core/sandbox/source-map';

const compiler = new PatchCompiler({ hypSource: readHypSource() });

const GOOD = `import type { Exit } from 'hyp';

const seen: Exit[] = [];

export default definePatch({
  name: 'watch exits',
  install(vmm, hyp) {
    vmm.hooks.on('exit', (_dom, _vcpu, exit) => {
      seen.push(exit);
      if (exit.kind === 'sbi') vmm.exfiltrate('a0', hyp.mem.read(exit.args[0] ?? 0, 4));
    });
  },
});
`;

describe('PatchCompiler', () => {
  it('compiles a clean patch to an ES module with a source map back to its lines', () => {
    const result = compiler.compile('watch.ts', GOOD);
    expect(result.diagnostics).toEqual([]);
    if (!result.ok) throw new Error('expected success');
    expect(result.patch.js).toMatch(/export default definePatch\(/);
    expect(result.patch.js).not.toMatch(/import|sourceMappingURL/);
    const js = result.patch.js.split('\n');
    const line = js.findIndex((l) => l.includes('seen.push(exit)')) + 1;
    const column = (js[line - 1] ?? '').indexOf('seen') + 1;
    const mapper = new SourceMapper(result.patch.sourceMap);
    expect(mapper.originalPosition(line, column)).toEqual({ source: 'watch.ts', line: 9, column: 7 });
  });

  it('reports type errors against hyp.ts with line and column, and emits nothing', () => {
    const result = compiler.compile('bad.ts', `export default definePatch({
  name: 'bad',
  install(vmm, hyp) {
    const x: number = hyp.mem.read(0, 4);
    hyp.vcpu.setRegs(1, { a9: 1 });
    vmm.hooks.on('exit', (d, v, e) => e.gpa);
  },
});
`);
    expect(result.ok).toBe(false);
    const errors = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} TS${d.code}`);
    expect(errors).toEqual(['bad.ts:4:11 TS2322', 'bad.ts:5:27 TS2353', 'bad.ts:6:41 TS2339']);
    expect(result.diagnostics[0]?.message).toMatch(/Uint8Array.*not assignable to type 'number'/);
  });

  it('offers no host APIs to type against', () => {
    const result = compiler.compile('host.ts', `export default definePatch({
  name: 'host',
  install() { setTimeout(() => 0, 1); require('fs'); process.exit(); new Date(); },
});
`);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "Cannot find name 'setTimeout'.",
      expect.stringMatching(/^Cannot find name 'require'/),
      expect.stringMatching(/^Cannot find name 'process'/),
      expect.stringMatching(/^the VMM engine has no wall clock: use hyp\.timer\.now\(\)/),
    ]);
  });

  it('enforces the patch shape and forbids run-time imports', () => {
    const noDefault = compiler.compile('nodefault.ts', 'export const x = 1;\n');
    expect(noDefault.diagnostics).toEqual([expect.objectContaining({ line: 1, column: 1, code: 0, message: expect.stringMatching(/export default definePatch/) })]);
    const imports = compiler.compile('imports.ts', `import { definePatch as d } from 'hyp';
export default definePatch({ name: 'i', install() { void import('hyp'); } });
`);
    expect(imports.diagnostics.filter((d) => d.code === 0).map((d) => `${d.line}:${d.column}`)).toEqual(['1:1', '2:58']);
    expect(compiler.compile('../evil.ts', '').diagnostics[0]?.message).toMatch(/plain name/);
    const regex = compiler.compile('re.ts', `const words = (s: string): string[] => s.split(/\\s+/);
const again = new RegExp('a+');
let when: Date | undefined;
export default definePatch({ name: 'r', install() { void words; void again; void when; } });
`);
    expect(regex.diagnostics.map((d) => `${d.line}:${d.column} ${d.message.slice(0, 24)}`)).toEqual([
      '1:48 regular expressions are ',
      '2:19 regular expressions are ',
    ]);
    const syntax = compiler.compile('syntax.ts', 'export default definePatch({ name: "s", install() { if ( } });\n');
    expect(syntax.ok).toBe(false);
    expect(syntax.diagnostics[0]).toMatchObject({ file: 'syntax.ts', line: 1 });
  });

  it('checks against the VMM declarations it is given', () => {
    const withVmm = new PatchCompiler({
      hypSource: readHypSource(),
      declarations: [{ fileName: 'vmm.d.ts', text: `export {};
declare module 'hyp' {
  interface VmmFunctions { 'virtio.blk.complete': (request: number, status: number) => void }
  interface VmmHooks { boot(domain: number): void }
}
` }],
    });
    const ok = withVmm.compile('wrap.ts', `export default definePatch({
  name: 'w',
  install(vmm) {
    vmm.wrap('virtio.blk.complete', (original, request, status) => original(request, status + 1));
    vmm.hooks.on('boot', (domain) => void domain);
  },
});
`);
    expect(ok.diagnostics).toEqual([]);
    const bad = withVmm.compile('wrap.ts', `export default definePatch({
  name: 'w',
  install(vmm) { vmm.wrap('virtio.net.rx', (original) => original()); },
});
`);
    expect(bad.diagnostics[0]).toMatchObject({ line: 3, code: 2345 });
    expect(() => new PatchCompiler({ hypSource: '', declarations: [{ fileName: '/etc/x.d.ts', text: '' }] })).toThrow(/plain name/);
  });
});
