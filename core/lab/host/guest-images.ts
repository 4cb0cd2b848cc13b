// The guest images the lab ships (assets/guests/images), by name: what `--guests labos,labos`
// and the UI's guest picker refer to.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GUEST_IMAGES = { labos: 'labos.elf' } as const;
export type GuestImageName = keyof typeof GUEST_IMAGES;

export function isGuestImageName(name: string): name is GuestImageName {
  return Object.hasOwn(GUEST_IMAGES, name);
}

export function loadGuestImage(name: GuestImageName): Uint8Array {
  const file = GUEST_IMAGES[name];
  for (const candidate of [`../../../assets/guests/images/${file}`, `../../assets/guests/images/${file}`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return new Uint8Array(readFileSync(path));
  }
  throw new Error(`guest image ${file} is missing from assets/guests/images`);
}
