// The session file format: a saved session (version 2, with its stamped log, save point and
// digests) reads back as saved; a version 1 file still opens, without a replay record; a truncated
// file, a changed byte, a file from a newer version, foreign JSON, non-JSON, a malformed body and a
// malformed replay record are each refused with their own reason and a sentence that says nothing
// was changed.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  RESTORE_NOTE, SessionFileError, decodeSessionFile, encodeSessionFile, type SessionBody,
} from '../../../core/lab/session-file/session-file';

const PATCH = 'export default definePatch({ name: "x", install() {} });\n';
const V1_BODY: SessionBody = {
  host: { seed: 'cafe', machine: 'bare and protected hosts side by side', harts: 2, ramBytes: 128 << 20, consoles: ['bare:xl', 'bare:dom1'], hosts: ['bare', 'protected'] },
  patches: [{ host: 'bare', fileName: 'steal-secret.ts', name: 'steal the secret', source: PATCH }],
  input: [{ console: 'bare:dom1', data: 'secret where\r' }],
  editor: { version: 1, activeId: 'patch', documents: [] },
  layout: { sidebarWidth: 300, logHeight: 200, scale: 1 },
};
const BODY: SessionBody = {
  ...V1_BODY,
  replay: {
    log: [
      { at: { bare: 1_200_000, protected: 1_100_000 }, event: { kind: 'patch-load', fileName: 'steal-secret.ts', source: PATCH, target: 'bare' } },
      { at: { bare: 3_000_000, protected: 2_900_000 }, event: { kind: 'input', console: 'bare:dom1', data: 'secret where\r' } },
      { at: { bare: 3_500_000, protected: 3_400_000 }, event: { kind: 'reset' } },
    ],
    savePoint: { bare: 9_000_000, protected: 8_700_000 },
    digests: { bare: `sha256:${'a'.repeat(64)}`, protected: `sha256:${'b'.repeat(64)}` },
    complete: true,
  },
};

/** A file written by hand with a valid checksum: what an editor or another program could produce. */
function forge(version: number, body: unknown): string {
  const checksum = `sha256:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
  return JSON.stringify({ format: 'cloudvisor-lab-session', version, savedAt: '2026-11-27T20:00:00.000Z', restores: '', checksum, body });
}

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
    expect(JSON.parse(text)).toMatchObject({ format: 'cloudvisor-lab-session', version: 2, savedAt: '2026-11-27T20:00:00.000Z', restores: RESTORE_NOTE });
    expect(await decodeSessionFile(text)).toEqual(BODY);
  });

  it('still opens a version 1 file, which has no replay record', async () => {
    const text = await encodeSessionFile(V1_BODY);
    expect(JSON.parse(text)).toMatchObject({ version: 1 });
    const body = await decodeSessionFile(text);
    expect(body).toEqual(V1_BODY);
    expect(body.replay ?? null).toBeNull();
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
    await expect(decodeSessionFile(JSON.stringify({ ...file, version: 3 }))).rejects.toThrow(/version 3.*newer lab/);
    expect(await reason(JSON.stringify({ ...file, version: 0 }))).toBe('version');
    expect(await reason(JSON.stringify({ ...file, version: '2' }))).toBe('version');
  });

  it('refuses a version 2 file without a valid replay record', async () => {
    const replay = BODY.replay;
    if (!replay) throw new Error('BODY has a replay record');
    const backwards = [...replay.log, { at: { bare: 10, protected: 10 }, event: { kind: 'reset' } }];
    const cases: unknown[] = [
      undefined,
      { ...replay, log: backwards },
      { ...replay, log: [{ at: { bare: 1 }, event: { kind: 'format-disk' } }] },
      { ...replay, savePoint: { bare: -5, protected: 1 } },
      { ...replay, digests: { bare: 'md5:00', protected: replay.digests.protected } },
      { ...replay, digests: { bare: replay.digests.bare } },
      { ...replay, complete: 'yes' },
    ];
    for (const r of cases) {
      const body = { ...V1_BODY, ...(r === undefined ? {} : { replay: r }) };
      expect(await reason(forge(2, body))).toBe('malformed');
    }
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
