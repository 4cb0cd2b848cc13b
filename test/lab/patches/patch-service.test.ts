// Patches on a bare and a protected host at once, as the patch editor loads them: one compile,
// installed on each host, listed and unloaded per host; an install() that throws and a module
// body that throws are faults naming the patch's line, on that host only; bad names are refused;
// the editor gets exactly the declarations the compiler checks against.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { PatchService, patchEditorFiles } from '../../../core/lab/patches/patch-service';
import type { HostMode } from '../../../core/lab/protocol';

let hosts: Map<HostMode, VmmHost>;
let service: PatchService;

beforeAll(async () => {
  hosts = new Map<HostMode, VmmHost>([
    ['bare', await VmmHost.create({ seed: 'patch-service' })],
    ['protected', await VmmHost.create({ seed: 'patch-service', mode: 'protected' })],
  ]);
  service = new PatchService(() => hosts);
}, 60_000);

afterAll(() => {
  for (const h of hosts?.values() ?? []) h.dispose();
});

const QUIET = "export default definePatch({\n  name: 'quiet',\n  install(vmm) {\n    vmm.hooks.on('sbi', () => undefined);\n  },\n});\n";
const BOOM = "export default definePatch({\n  name: 'boom',\n  install() {\n    throw new Error('boom');\n  },\n});\n";
const BODY = "const x: number[] = [];\nif (x.length === 0) throw new Error('at load');\nexport default definePatch({ name: 'body', install() {} });\n";

describe('patch service', () => {
  it('installs one patch on both hosts, lists and unloads it per host', () => {
    const results = service.load('quiet.ts', QUIET, 'both');
    expect(results.map((r) => [r.host, r.ok, r.patch?.state])).toEqual([
      ['bare', true, 'installed'],
      ['protected', true, 'installed'],
    ]);
    const protectedId = results[1]?.patch?.id ?? -1;
    expect(service.unload('protected', protectedId).map((p) => p.host)).toEqual(['bare']);
    expect(() => service.unload('protected', protectedId)).toThrow(/no patch/);
  }, 60_000);

  it('reports an install() that throws at its line, on the host it ran on', () => {
    const [result] = service.load('boom.ts', BOOM, 'protected');
    expect(result?.ok).toBe(false);
    expect(result?.fault).toMatch(/patch 'boom' failed \(install\).*boom\.ts:4:/);
    expect(result?.patch?.state).toBe('disabled');
    expect(service.patches().filter((p) => p.host === 'bare').map((p) => p.name)).toEqual(['quiet']);
  }, 60_000);

  it('reports a module body that throws while loading, and refuses bad names', () => {
    const [result] = service.load('body.ts', BODY, 'bare');
    expect(result?.ok).toBe(false);
    expect(result?.fault).toMatch(/loading body\.ts failed.*at load.*body\.ts:2:/);
    expect(() => service.load('../escape.ts', QUIET, 'bare')).toThrow(/file name/);
    expect(() => service.load('x.ts', QUIET, 'elsewhere' as never)).toThrow(/bare, protected or both/);
  }, 60_000);

  it('gives the editor the declarations the compiler uses', () => {
    const files = patchEditorFiles();
    expect(files.map((f) => f.path)).toEqual(['file:///node_modules/hyp/index.d.ts', 'file:///lab/vmm-patch-api.d.ts', 'file:///lab/patch-globals.d.ts']);
    expect(files[0]?.text).toContain('export interface Hyp');
    expect(files[1]?.text).toContain("declare module 'hyp'");
    expect(files[2]?.text).toContain('declare function definePatch');
  });
});
