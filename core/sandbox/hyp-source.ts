// Reads the text of hyp.ts for the patch compiler and the patch editor: the interface types are
// the declarations patches are checked against, so the file itself is the source of truth.
// From the source tree this resolves next to this module; a bundled build passes its own path.
import { readFileSync } from 'node:fs';

export function readHypSource(path: string | URL = new URL('./hyp.ts', import.meta.url)): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the hypervisor interface declarations (hyp.ts) at ${String(path)}: ${reason}`, { cause: error });
  }
}
