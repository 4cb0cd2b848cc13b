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

/** Decodes UTF-8, replacing malformed sequences with U+FFFD (non-fatal, like TextDecoder). */
export function utf8Decode(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf5 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
    if (need < 0 || (need > 0 && b >= 0xf5)) {
      s += '\ufffd';
      i++;
      continue;
    }
    let c = need === 0 ? b : b & (0x3f >> need);
    let ok = i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const n = bytes[i + k] ?? 0;
      if ((n & 0xc0) !== 0x80) ok = false;
      else c = (c << 6) | (n & 63);
    }
    if (!ok || (need === 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (need === 3 && (c < 0x10000 || c > 0x10ffff))) {
      s += '\ufffd';
      i++;
      continue;
    }
    s += String.fromCodePoint(c);
    i += need + 1;
  }
  return s;
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
