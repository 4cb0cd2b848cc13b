// Base64 (RFC 4648 section 4, with padding) for bytes crossing the engine boundary as JSON:
// the engine has no atob/btoa or Buffer. Invariant: decode(encode(b)) equals b; malformed input
// is rejected with a clear error, never decoded to something else.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0, b = bytes[i + 1] ?? 0, c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    chunk += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) +
      (i + 1 < bytes.length ? ALPHABET.charAt((n >>> 6) & 63) : '=') + (i + 2 < bytes.length ? ALPHABET.charAt(n & 63) : '=');
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

export function base64ToBytes(text: string, what = 'data'): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0) throw new Error(`${what}: base64 length must be a multiple of 4`);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const ch = text.charCodeAt(i + k);
      const last = i + 4 === text.length;
      const v = ch === 61 && last && k >= 4 - pad ? 0 : ch < 128 ? (INDEX[ch] ?? -1) : -1;
      if (v < 0) throw new Error(`${what}: invalid base64 character at ${i + k}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >>> 16) & 255;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
