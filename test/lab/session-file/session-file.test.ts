// The session file format: a saved session reads back as saved; a truncated file, a changed byte,
// a file from another version, foreign JSON, non-JSON and a malformed body are each refused with
// their own reason and a sentence that says nothing was changed.
import { describe, expect, it } from 'vitest';
import {
  SessionFileError, decodeSessionFile, encodeSessionFile, type SessionBody,
} from '../../../core/lab/session-file/session-file';

const BODY: SessionBody = {
  host: { seed: 'cafe', machine: 'bare and protected hosts side by side', harts: 2, ramBytes: 128 << 20, consoles: ['bare:xl', 'bare:dom1'], hosts: ['bare', 'protected'] },
  patches: [{ host: 'bare', fileName: 'steal-secret.ts', name: 'steal the secret', source: 'export default definePatch({ name: "x", install() {} });\n' }],
  input: [{ console: 'bare:dom1', data: 'secret where\r' }],
  editor: { version: 1, activeId: 'patch', documents: [] },
  layout: { sidebarWidth: 300, logHeight: 200, scale: 1 },
};

async function reason(text: string): Promise<string> {
  try {
    await decodeSessionFile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionFileError);
    expect((error as Error).message).toContain('Nothing was changed');
    return (error as SessionFileError).reason;
  }
  throw new Error('the file was accepted');
}

describe('session file', () => {
  it('reads back what it wrote', async () => {
    const text = await encodeSessionFile(BODY, new Date('2026-11-27T20:00:00Z'));
    expect(JSON.parse(text)).toMatchObject({ format: 'cloudvisor-lab-session', version: 1, savedAt: '2026-11-27T20:00:00.000Z' });
    expect(await decodeSessionFile(text)).toEqual(BODY);
  });

  it('still reads a file whose whitespace was reformatted', async () => {
    const text = await encodeSessionFile(BODY);
    expect(await decodeSessionFile(JSON.stringify(JSON.parse(text)))).toEqual(BODY);
  });

  it('refuses a truncated file', async () => {
    const text = await encodeSessionFile(BODY);
    expect(await reason(text.slice(0, Math.floor(text.length / 2)))).toBe('truncated');
  });

  it('refuses a file whose contents do not match the checksum', async () => {
    const text = await encodeSessionFile(BODY);
    expect(await reason(text.replace('secret where', 'secret whore'))).toBe('checksum');
  });

  it('refuses another version, naming it', async () => {
    const file = JSON.parse(await encodeSessionFile(BODY)) as Record<string, unknown>;
    await expect(decodeSessionFile(JSON.stringify({ ...file, version: 2 }))).rejects.toThrow(/version 2.*newer lab/);
    expect(await reason(JSON.stringify({ ...file, version: 0 }))).toBe('version');
  });

  it('refuses foreign JSON and files that are not JSON', async () => {
    expect(await reason('{"name":"package","version":"1.0.0"}')).toBe('foreign');
    expect(await reason('[1, 2, 3]')).toBe('foreign');
    expect(await reason('\u0089PNG\r\n\u001a\n')).toBe('not-json');
  });

  it('refuses a body that passes the checksum but is malformed', async () => {
    const bad = { ...BODY, patches: [{ host: 'elsewhere', fileName: 1 }] } as unknown as SessionBody;
    expect(await reason(await encodeSessionFile(bad))).toBe('malformed');
  });
});
