// Draws the app icon (a shield guarding a small VM box on a dark tile) as PNGs with nothing but
// node:zlib: icon.png (512x512, electron-builder's source for every platform) and the renderer's
// favicon. Run: node assets/icons/make-icon.mjs. Shapes are signed-distance tests, 4x4 supersampled.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

const TILE = [19, 26, 34];
const SHIELD = [255, 216, 102];
const BOX = [11, 15, 20];
const CORE = [126, 231, 135];

function crc32(bytes) {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function roundedSquare(u, v, inset, radius) {
  const dx = Math.max(Math.abs(u - 0.5) - (0.5 - inset - radius), 0);
  const dy = Math.max(Math.abs(v - 0.5) - (0.5 - inset - radius), 0);
  return dx * dx + dy * dy <= radius * radius;
}

function shield(u, v, grow) {
  const x = Math.abs(u - 0.5);
  const top = 0.17 - grow;
  const shoulder = 0.5;
  const half = 0.3 + grow;
  if (v < top || v > 0.88 + grow) return false;
  if (v <= shoulder) return x <= half;
  // Below the shoulder the sides curve in to a point at the bottom.
  const t = (v - shoulder) / (0.88 + grow - shoulder);
  return x <= half * Math.sqrt(Math.max(0, 1 - t * t));
}

function colourAt(u, v) {
  if (!roundedSquare(u, v, 0.03, 0.18)) return null;
  if (shield(u, v, 0)) {
    if (!shield(u, v, -0.06)) return SHIELD;
    if (u > 0.37 && u < 0.63 && v > 0.33 && v < 0.59) {
      return u > 0.44 && u < 0.56 && v > 0.4 && v < 0.52 ? CORE : SHIELD;
    }
    return BOX;
  }
  return TILE;
}

function draw(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = colourAt((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
      }
      rgba[i + 3] = Math.round((255 * a) / (samples * samples));
    }
  }
  return encodePng(size, rgba);
}

writeFileSync(join(here, 'icon.png'), draw(512));
writeFileSync(join(here, '..', '..', 'renderer', 'public', 'favicon.png'), draw(64));
console.log('wrote assets/icons/icon.png (512x512) and renderer/public/favicon.png (64x64)');
