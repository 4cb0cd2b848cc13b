// Loads QuickJS (quickjs-emscripten 0.32, RELEASE_SYNC variant) and reaches the few low-level
// pieces the lean host binding needs. Each engine gets its own WebAssembly module instance, so a
// fault that aborts one module (e.g. a leaked handle at runtime teardown) cannot take others down.
// The private fields read here are checked at creation: a library change fails loudly, never silently.
import {
  RELEASE_SYNC, newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule,
} from 'quickjs-emscripten';

/** Raw C -> host call, as the emscripten module delivers it (pointers are wasm heap offsets). */
export type RawHostCall = (ctx: number, thisPtr: number, argc: number, argv: number, fnId: number) => number;

/** The subset of the FFI the binding uses; names and shapes as in @jitl/quickjs-ffi-types 0.32. */
export interface LowLevelFfi {
  QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number;
  QTS_GetFloat64(ctx: number, value: number): number;
  QTS_NewFloat64(ctx: number, num: number): number;
  QTS_GetString(ctx: number, value: number): number;
  QTS_FreeCString(ctx: number, str: number): void;
  QTS_NewString(ctx: number, str: number): number;
  QTS_GetArrayBuffer(ctx: number, value: number): number;
  QTS_GetArrayBufferLength(ctx: number, value: number): number;
  QTS_NewArrayBuffer(ctx: number, buffer: number, length: number): number;
  QTS_Call(ctx: number, fn: number, thisObj: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, maybeException: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
  QTS_GetUndefined(): number;
  QTS_Throw(ctx: number, error: number): number;
}

export interface LowLevelHeap {
  readonly HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  UTF8ToString(ptr: number): string;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, ptr: number, maxBytes: number): void;
}

/** Direct access to one context's C pointers, FFI and heap. */
export interface LowLevelContext {
  readonly ctxPtr: number;
  readonly ffi: LowLevelFfi;
  readonly heap: LowLevelHeap;
  /** Host function value behind a `newFunction` id (the library's host-ref table). */
  hostRef(fnId: number): unknown;
  /** Replaces the context's C -> host call entry; the previous one is passed to `make`. */
  interceptCalls(make: (previous: RawHostCall) => RawHostCall): void;
  /** Takes ownership of a JSValue pointer returned by a raw FFI call, as a disposable handle. */
  adopt(ptr: number): QuickJSHandle;
}

export async function loadQuickJS(): Promise<QuickJSWASMModule> {
  return newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
}

function field(owner: object, name: string): unknown {
  return (owner as Record<string, unknown>)[name];
}

function requireObject(value: unknown, what: string): object {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`quickjs-emscripten internals changed: ${what} is missing (binding written for 0.32)`);
  }
  return value;
}

const FFI_NAMES: readonly (keyof LowLevelFfi)[] = [
  'QTS_ArgvGetJSValueConstPointer', 'QTS_GetFloat64', 'QTS_NewFloat64', 'QTS_GetString', 'QTS_FreeCString',
  'QTS_NewString', 'QTS_GetArrayBuffer', 'QTS_GetArrayBufferLength', 'QTS_NewArrayBuffer', 'QTS_Call',
  'QTS_ResolveException', 'QTS_FreeValuePointer', 'QTS_GetUndefined', 'QTS_Throw',
];
const HEAP_FUNCTIONS = ['_malloc', '_free', 'UTF8ToString', 'lengthBytesUTF8', 'stringToUTF8'] as const;

/** Opens a context's internals, checking every piece the binding relies on. */
export function lowLevel(context: QuickJSContext): LowLevelContext {
  const ffi = requireObject(field(context, 'ffi'), 'context.ffi');
  for (const name of FFI_NAMES) {
    if (typeof field(ffi, name) !== 'function') requireObject(undefined, `ffi.${name}`);
  }
  const heap = requireObject(field(context, 'module'), 'context.module');
  for (const name of HEAP_FUNCTIONS) {
    if (typeof field(heap, name) !== 'function') requireObject(undefined, `module.${name}`);
  }
  const ctxLifetime = requireObject(field(context, 'ctx'), 'context.ctx');
  const ctxPtr = field(ctxLifetime, 'value');
  if (typeof ctxPtr !== 'number') requireObject(undefined, 'context.ctx.value');
  const callbacks = requireObject(field(context, 'cToHostCallbacks'), 'context.cToHostCallbacks');
  if (typeof field(callbacks, 'callFunction') !== 'function') requireObject(undefined, 'callFunction');
  const memory = requireObject(field(context, 'memory'), 'context.memory');
  const heapValueHandle = field(memory, 'heapValueHandle');
  if (typeof heapValueHandle !== 'function') requireObject(undefined, 'context.memory.heapValueHandle');
  const hostRefs = requireObject(field(context.runtime, 'hostRefs'), 'runtime.hostRefs');
  const get = field(hostRefs, 'get');
  if (typeof get !== 'function') requireObject(undefined, 'runtime.hostRefs.get');
  return {
    ctxPtr: ctxPtr as number,
    ffi: ffi as LowLevelFfi,
    heap: heap as LowLevelHeap,
    hostRef: (fnId) => (get as (id: number) => unknown).call(hostRefs, fnId),
    interceptCalls(make) {
      const slots = callbacks as { callFunction: RawHostCall };
      slots.callFunction = make(slots.callFunction);
    },
    adopt: (ptr) => (heapValueHandle as (p: number) => QuickJSHandle).call(memory, ptr),
  };
}
