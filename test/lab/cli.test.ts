// The `cloudvisor-lab` command as users run it: the bin script, exit codes and JSON output.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/cloudvisor-lab.mjs', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cloudvisor-lab CLI', () => {
  it('prints its version and help', () => {
    const version = cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('info');
  });

  it('prints the host configuration as JSON', () => {
    const info = cli('info', '--seed', 'abcd');
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout) as { product: string; seed: string; harts: number };
    expect(parsed).toMatchObject({ product: 'CloudVisor Lab', seed: 'abcd' });
    expect(parsed.harts).toBeGreaterThan(0);
  });

  it('exits 2 on usage errors', () => {
    expect(cli('no-such-command').code).toBe(2);
    const bad = cli('info', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage:');
  });
});
