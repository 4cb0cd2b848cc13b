// Sparse RAM image for snapshots: a bitmap of the 4 KiB pages that hold any non-zero byte,
// followed by those pages in address order. Most of a guest's RAM is untouched zeros, so this
// keeps the (pure-JS) deflate step proportional to what the machine actually used.
const PAGE = 4096;

/** bitmap (1 bit per page, LSB first) + the non-zero pages. */
export function packRam(ram: Uint8Array): Uint8Array {
  const pages = ram.length / PAGE;
  const words = new Int32Array(ram.buffer, ram.byteOffset, ram.length >> 2);
  const bitmap = new Uint8Array(Math.ceil(pages / 8));
  const used: number[] = [];
  for (let p = 0; p < pages; p++) {
    const base = p * (PAGE >> 2);
    for (let i = 0; i < PAGE >> 2; i++) {
      if (words[base + i] !== 0) {
        bitmap[p >> 3]! |= 1 << (p & 7);
        used.push(p);
        break;
      }
    }
  }
  const out = new Uint8Array(bitmap.length + used.length * PAGE);
  out.set(bitmap);
  used.forEach((p, i) => out.set(ram.subarray(p * PAGE, (p + 1) * PAGE), bitmap.length + i * PAGE));
  return out;
}

/** Inverse of packRam for a RAM of `size` bytes; throws when the image does not match the size. */
export function unpackRam(packed: Uint8Array, size: number): Uint8Array {
  const pages = size / PAGE;
  const bitmapLen = Math.ceil(pages / 8);
  if (packed.length < bitmapLen) throw new Error('snapshot RAM image is shorter than its page bitmap');
  const ram = new Uint8Array(size);
  let at = bitmapLen;
  for (let p = 0; p < pages; p++) {
    if (((packed[p >> 3] ?? 0) & (1 << (p & 7))) === 0) continue;
    if (at + PAGE > packed.length) throw new Error('snapshot RAM image is missing pages its bitmap lists');
    ram.set(packed.subarray(at, at + PAGE), p * PAGE);
    at += PAGE;
  }
  if (at !== packed.length) throw new Error('snapshot RAM image has pages its bitmap does not list');
  return ram;
}
