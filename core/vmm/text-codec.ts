// UTF-8 encoding and decoding without TextEncoder/TextDecoder, which the VMM's engine (plain
// ES2020 QuickJS) does not provide; and a minimal TextEncoder for pure libraries the VMM links
// (the FDT writer calls `new TextEncoder().encode`). Invariant: output equals the WHATWG
// encoder's for every string (lone surrogates become U+FFFD, as there).

export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** Decodes UTF-8 as the WHATWG non-fatal decoder does (Encoding Standard 8.1.1, U+FFFD per maximal subpart). */
export function utf8Decode(bytes: Uint8Array): string {
  const out: string[] = [];
  let cp = 0, needed = 0, seen = 0, lower = 0x80, upper = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (needed === 0) {
      if (b <= 0x7f) out.push(String.fromCharCode(b));
      else if (b >= 0xc2 && b <= 0xdf) [needed, cp] = [1, b & 0x1f];
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        [needed, cp] = [2, b & 0xf];
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        [needed, cp] = [3, b & 0x7];
      } else out.push('\ufffd');
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence so far is one error; the byte that broke it is read again on its own.
      [cp, needed, seen, lower, upper] = [0, 0, 0, 0x80, 0xbf];
      out.push('\ufffd');
      i--;
      continue;
    }
    [lower, upper] = [0x80, 0xbf];
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      out.push(String.fromCodePoint(cp));
      [cp, needed, seen] = [0, 0, 0];
    }
  }
  if (needed !== 0) out.push('\ufffd');
  return out.join('');
}

/** Installs a TextEncoder on the engine's global object if it has none (QuickJS). */
export function ensureTextEncoder(): void {
  const g = globalThis as { TextEncoder?: unknown };
  if (typeof g.TextEncoder === 'function') return;
  g.TextEncoder = class {
    readonly encoding = 'utf-8';
    encode(text = ''): Uint8Array {
      return utf8Encode(text);
    }
  };
}
