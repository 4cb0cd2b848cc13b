import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../core/vmm/text-codec';

describe('UTF-8 without TextEncoder', () => {
  it('encodes exactly as the WHATWG encoder, lone surrogates included', () => {
    for (const s of ['', 'plain', 'é', '€', '😀 ok', 'a\ud800b', '\udc00', 'cpu@0']) {
      expect(utf8Encode(s)).toEqual(new TextEncoder().encode(s));
    }
  });

  it('decodes as the non-fatal WHATWG decoder', () => {
    const cases = [new Uint8Array([0x68, 0xc3, 0xa9]), new Uint8Array([0xf0, 0x9f, 0x98, 0x80]), new Uint8Array([0xff, 0x41]), new Uint8Array([0xe2, 0x82]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xe0, 0x80, 0x41]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]), new Uint8Array([0xc3, 0x28])];
    for (const b of cases) expect(utf8Decode(b)).toBe(new TextDecoder().decode(b));
  });
});
