// The hook names and wrappable paths of patch-api.d.ts as runtime lists (for the registry check
// and the patch editor's completion), checked against the declarations at compile time.
import type { VmmFunctionMap, VmmHookMap } from './patch-api';

export const HOOK_NAMES = [
  'exit', 'sbi', 'mmio', 'virtio.request', 'schedule', 'domain.create', 'domain.destroy', 'memory.map', 'toolstack',
] as const satisfies readonly (keyof VmmHookMap)[];

export const FUNCTION_PATHS = [
  'sbi.call', 'mmio.load', 'mmio.store', 'memory.populate', 'virtio.blk.submit', 'virtio.blk.complete',
  'virtio.rng.entropy', 'console.flush', 'console.input', 'scheduler.pick', 'domain.create', 'domain.destroy',
  'domain.pause', 'domain.unpause', 'toolstack.command',
] as const satisfies readonly (keyof VmmFunctionMap)[];

type MissingHook = Exclude<keyof VmmHookMap, (typeof HOOK_NAMES)[number]>;
type MissingPath = Exclude<keyof VmmFunctionMap, (typeof FUNCTION_PATHS)[number]>;
export const HOOK_LIST_COMPLETE: [MissingHook] extends [never] ? true : MissingHook = true;
export const PATH_LIST_COMPLETE: [MissingPath] extends [never] ? true : MissingPath = true;

/** patch-api.d.ts's text as the patch compiler takes it: augmenting module 'hyp'. */
export function patchDeclarations(text: string): { fileName: string; text: string } {
  return { fileName: 'vmm-patch-api.d.ts', text: text.split("'../sandbox/hyp'").join("'hyp'") };
}
