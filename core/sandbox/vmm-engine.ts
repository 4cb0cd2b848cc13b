// The VMM's confinement engine: one QuickJS runtime and context, in its own WebAssembly module, per
// emulated host; it holds no host object and reaches out only through the dispatch function bound
// to the injected HypBackend. Each call in gets a fresh interrupt budget under memory and stack
// limits; after any trips, the same engine stays usable (QuickJS unwinds the call completely).
// Every handle is disposed on every path: one leaked handle aborts the WebAssembly module.
import {
  DefaultIntrinsics, type DisposableResult, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule,
} from 'quickjs-emscripten';
import { InterruptBudget } from './budget';
import type { CompiledPatch } from './compiled-patch';
import { EngineError, where } from './engine-errors';
import { FailureReader, PRELUDE_FILE } from './engine-failure';
import {
  resolveLimits, type EngineLimits, type EngineSource, type JsonValue, type PatchFault, type PatchInfo, type PatchOutcome,
  type VmmEngineOptions,
} from './engine-options';
import { INTERNALS, preludeSource, type InternalName, type PatchState } from './engine-prelude';
import { HostBinding, type RawPatchFault } from './host-binding';
import { loadQuickJS, lowLevel, type LowLevelContext } from './quickjs-loader';
import { SourceMapper, type RawSourceMap } from './source-map';

export {
  DEFAULT_LIMITS, MAX_STACK_BYTES, type EngineLimits, type EngineSource, type JsonValue, type PatchFault, type PatchInfo,
  type PatchOutcome, type VmmEngineOptions,
} from './engine-options';

const MAX_NUMERIC_ARGS = 8;

export class VmmEngine {
  private readonly runtime: QuickJSRuntime;
  private readonly context: QuickJSContext;
  private readonly ll: LowLevelContext;
  private readonly binding: HostBinding;
  private readonly budget: InterruptBudget;
  private readonly internals = new Map<InternalName, QuickJSHandle>();
  private readonly numericExports = new Map<string, QuickJSHandle>();
  private readonly failures: FailureReader;
  private readonly maps = new Map<string, SourceMapper>();
  private readonly patchFiles = new Map<string, PatchInfo>();
  private readonly patchesById = new Map<number, PatchInfo>();
  private argv = 0;
  private nextPatchId = 1;
  private busy = false;
  private disposed = false;
  private poisoned = false;
  /** A fault listener threw while the engine was mid-call: rethrown once the call has unwound. */
  private listenerError: { readonly error: unknown } | undefined;
  private bundleLoaded = false;
  readonly limits: EngineLimits;
  /** Every patch fault so far, oldest first. */
  readonly faults: PatchFault[] = [];

  static async create(options: VmmEngineOptions): Promise<VmmEngine> {
    return new VmmEngine(await loadQuickJS(), options);
  }

  private constructor(module: QuickJSWASMModule, private readonly options: VmmEngineOptions) {
    this.limits = resolveLimits(options.limits);
    const harts = options.backend.harts;
    if (!Number.isInteger(harts) || harts < 1 || harts > 32) {
      throw new EngineError('bad-input', `backend.harts must be an integer in [1, 32] (a 32-bit hart mask), got ${String(harts)}`);
    }
    this.budget = new InterruptBudget(this.limits.interruptBudget);
    this.runtime = module.newRuntime();
    // No Date (the engine's only clock is hyp.timer) and, unless asked, no RegExp (see regExp).
    this.context = this.runtime.newContext({ intrinsics: { ...DefaultIntrinsics, Date: false, RegExp: options.regExp === true } });
    this.failures = new FailureReader(this.context, this.budget, this.limits, this.maps);
    try {
      this.runtime.setMemoryLimit(this.limits.memoryBytes);
      this.runtime.setMaxStackSize(this.limits.stackBytes);
      this.runtime.setInterruptHandler(this.budget.onInterrupt);
      this.ll = lowLevel(this.context);
      this.binding = new HostBinding(this.context, this.ll, options.backend, {
        lab: options.lab,
        patchFault: (raw) => this.hookFault(raw),
      });
      this.argv = this.ll.heap._malloc(4 * MAX_NUMERIC_ARGS);
      this.installPrelude(options.seed ?? 0);
    } catch (error) {
      this.teardown();
      throw error;
    }
  }

  /** Evaluates the prelude with the dispatch function and keeps the internals it returns. */
  private installPrelude(seed: number): void {
    const ll = this.ll;
    const marker = (): undefined => undefined;
    let dispatchId: number | undefined;
    ll.interceptCalls((previous) => (ctx, thisPtr, argc, argv, fnId) => {
      if (fnId === dispatchId) return this.binding.dispatch(argc, argv);
      if (dispatchId === undefined && ll.hostRef(fnId) === marker) {
        dispatchId = fnId;
        return this.binding.dispatch(argc, argv);
      }
      return previous(ctx, thisPtr, argc, argv, fnId);
    });
    const c = this.context;
    this.budget.arm();
    using dispatch = c.newFunction('dispatch', marker);
    using config = c.newObject();
    c.newNumber(this.options.backend.harts).consume((v) => c.setProp(config, 'harts', v));
    c.newNumber(seed | 0).consume((v) => c.setProp(config, 'seed', v));
    if (this.options.virtualVmcs === true) c.setProp(config, 'virtualVmcs', c.true);
    using factory = this.unwrap(c.evalCode(preludeSource(), PRELUDE_FILE, { type: 'global', strict: true }));
    using internals = this.unwrap(c.callFunction(factory, c.undefined, dispatch, config));
    for (const name of INTERNALS) this.internals.set(name, c.getProp(internals, name));
  }

  /** Loads the VMM bundle: an ES module without imports; its exports become callable. */
  loadBundle(source: EngineSource): void {
    if (this.bundleLoaded) throw new EngineError('bad-input', 'a VMM bundle is already loaded; create a new engine');
    if (source.sourceMap !== undefined) this.maps.set(source.fileName, this.mapper(source.sourceMap));
    this.run(() => {
      using ns = this.evalModule(source.code, source.fileName);
      this.internal('setBundle', ns).dispose();
    });
    this.bundleLoaded = true;
  }

  /** Calls an exported function with JSON-like arguments; the result crosses back as JSON. */
  call(name: string, ...args: JsonValue[]): JsonValue | undefined {
    let json: string;
    try {
      json = JSON.stringify(args);
    } catch (error) {
      throw new EngineError('bad-input', `arguments of ${name} are not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.run(() => {
      const c = this.context;
      using nameHandle = c.newString(name);
      using argsHandle = c.newString(json);
      using result = this.internal('invoke', nameHandle, argsHandle);
      return c.typeof(result) === 'string' ? (JSON.parse(c.getString(result)) as JsonValue) : undefined;
    });
  }

  /** The fast path: numbers in, a number out (NaN when the function returned something else). */
  callNumbers(name: string, ...args: number[]): number {
    if (args.length > MAX_NUMERIC_ARGS) throw new EngineError('bad-input', `callNumbers takes at most ${MAX_NUMERIC_ARGS} arguments`);
    for (const a of args) if (typeof a !== 'number') throw new EngineError('bad-input', 'callNumbers takes numbers only');
    return this.run(() => {
      const { ffi, ctxPtr, heap } = this.ll;
      const fn = this.numericExport(name);
      const slots = new Int32Array(heap.HEAPU8.buffer, this.argv, MAX_NUMERIC_ARGS);
      for (let i = 0; i < args.length; i++) slots[i] = ffi.QTS_NewFloat64(ctxPtr, args[i] ?? 0);
      const resultPtr = ffi.QTS_Call(ctxPtr, fn.value, ffi.QTS_GetUndefined(), args.length, this.argv);
      const after = new Int32Array(heap.HEAPU8.buffer, this.argv, MAX_NUMERIC_ARGS);
      for (let i = 0; i < args.length; i++) ffi.QTS_FreeValuePointer(ctxPtr, after[i] ?? 0);
      const errorPtr = ffi.QTS_ResolveException(ctxPtr, resultPtr);
      if (errorPtr !== 0) {
        ffi.QTS_FreeValuePointer(ctxPtr, resultPtr);
        using error = this.ll.adopt(errorPtr);
        throw this.failures.failure(error);
      }
      const value = ffi.QTS_GetFloat64(ctxPtr, resultPtr);
      ffi.QTS_FreeValuePointer(ctxPtr, resultPtr);
      return value;
    });
  }

  /** Evaluates a script in the engine's global scope; returns its completion value as JSON. */
  evalScript(source: EngineSource): JsonValue | undefined {
    if (source.sourceMap !== undefined) this.maps.set(source.fileName, this.mapper(source.sourceMap));
    return this.run(() => {
      using result = this.unwrap(this.context.evalCode(source.code, source.fileName, { type: 'global', strict: true }));
      return this.context.dump(result) as JsonValue | undefined;
    });
  }

  /** Evaluates a compiled patch; it runs nothing yet beyond its module body. */
  loadPatch(patch: CompiledPatch): PatchInfo {
    const id = this.nextPatchId++;
    const file = `patches/${id}/${patch.fileName.replace(/\.tsx?$/, '')}.js`;
    this.maps.set(file, this.mapper(patch.sourceMap));
    const provisional: PatchInfo = { id, name: patch.fileName, fileName: patch.fileName };
    this.patchFiles.set(file, provisional);
    try {
      const name = this.run(() => {
        using ns = this.evalModule(patch.js, file);
        using idHandle = this.context.newNumber(id);
        using nameHandle = this.internal('loadPatch', idHandle, ns);
        return this.context.getString(nameHandle);
      });
      const info: PatchInfo = { id, name, fileName: patch.fileName };
      this.patchFiles.set(file, info);
      this.patchesById.set(id, info);
      return info;
    } catch (error) {
      this.patchFiles.delete(file);
      this.maps.delete(file);
      throw error;
    }
  }

  /** Runs the patch's install(vmm, hyp); a throw disables it and comes back as a fault. */
  installPatch(id: number): PatchOutcome {
    const state = this.patchState(id);
    if (state !== 'loaded' && state !== 'uninstalled') {
      throw new EngineError('bad-input', `patch '${this.patchById(id).name}' is ${state}; load it again to reinstall`);
    }
    return this.patchCall(id, 'installPatch', 'install');
  }

  /** Undoes the patch's registrations and runs its uninstall(). */
  uninstallPatch(id: number): PatchOutcome {
    return this.patchCall(id, 'uninstallPatch', 'uninstall');
  }

  patchState(id: number): PatchState {
    const patch = this.patchById(id);
    return this.run(() => {
      using idHandle = this.context.newNumber(patch.id);
      using state = this.internal('patchState', idHandle);
      return this.context.getString(state) as PatchState;
    });
  }

  get stats(): { readonly hostCalls: number; readonly lastCallTicks: number } {
    return { hostCalls: this.binding.calls, lastCallTicks: this.budget.used };
  }

  /** The engine heap as QuickJS accounts it (what the memory limit applies to). */
  memoryUsage(): { readonly usedBytes: number; readonly limitBytes: number } {
    return this.run(() => {
      using usage = this.runtime.computeMemoryUsage();
      const raw: unknown = this.context.dump(usage);
      const used = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['memory_used_size'] : undefined;
      if (typeof used !== 'number') throw new EngineError('bad-input', 'QuickJS reported no memory usage');
      return { usedBytes: used, limitBytes: this.limits.memoryBytes };
    });
  }

  get alive(): boolean {
    return !this.disposed;
  }

  /** Frees every handle, the context and the runtime. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    if (this.busy) throw new EngineError('reentrant', 'cannot dispose the engine from inside a call into it');
    this.teardown();
  }

  /**
   * A host exception escaped through QuickJS (it never should; the host's stack overflowing under
   * the engine does it): the heap may hold half-built objects and freeing the runtime would abort
   * the WebAssembly module. The engine is dropped unfreed instead; its module goes with it.
   */
  private abandon(cause: unknown): EngineError {
    this.disposed = true;
    this.poisoned = true;
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new EngineError('aborted', `the engine was aborted by a host-level error (${reason}); create a new engine`);
  }

  private teardown(): void {
    this.disposed = true;
    for (const h of this.internals.values()) h.dispose();
    for (const h of this.numericExports.values()) h.dispose();
    this.internals.clear();
    this.numericExports.clear();
    if (this.argv !== 0) this.ll.heap._free(this.argv);
    this.argv = 0;
    if (this.context.alive) this.context.dispose();
    if (this.runtime.alive) this.runtime.dispose();
  }

  private patchById(id: number): PatchInfo {
    const patch = this.patchesById.get(id);
    if (patch === undefined) throw new EngineError('bad-input', `no patch ${String(id)} is loaded`);
    return patch;
  }

  private patchCall(id: number, op: 'installPatch' | 'uninstallPatch', phase: 'install' | 'uninstall'): PatchOutcome {
    const patch = this.patchById(id);
    try {
      this.run(() => {
        using idHandle = this.context.newNumber(id);
        this.internal(op, idHandle).dispose();
      });
      return { ok: true };
    } catch (error) {
      if (!(error instanceof EngineError) || ['disposed', 'reentrant', 'aborted', 'bad-input'].includes(error.kind)) throw error;
      this.disablePatch(patch);
      error.patch = patch;
      return { ok: false, fault: this.recordFault({ patch, phase, error }) };
    }
  }

  private recordFault(fault: PatchFault): PatchFault {
    this.faults.push(fault);
    this.options.onPatchFault?.(fault);
    return fault;
  }

  /** A guarded hook caught a throw: the prelude has disabled the patch already. */
  private hookFault(raw: RawPatchFault): void {
    const patch = this.patchesById.get(raw.patchId);
    if (patch === undefined) return;
    const frames = this.failures.frames(raw.stack);
    const error = new EngineError('exception', `${raw.name}: ${raw.message}${where(frames)}`, frames, raw.name);
    error.patch = patch;
    try {
      this.recordFault({ patch, phase: 'hook', error });
    } catch (listenerFailure) {
      this.listenerError ??= { error: listenerFailure };
    }
  }

  /** Best effort, under a fresh budget: a patch already disabled is left alone by the prelude. */
  private disablePatch(patch: PatchInfo): void {
    if (this.disposed) return;
    try {
      this.run(() => {
        using idHandle = this.context.newNumber(patch.id);
        this.internal('disablePatch', idHandle).dispose();
      });
    } catch {
      // The patch's uninstall may itself run away; its registrations are undone before it runs.
    }
  }

  /** One call in: guards, a fresh budget, pending jobs drained, limit failures attributed. */
  private run<T>(body: () => T): T {
    if (this.disposed) {
      throw new EngineError('disposed', this.poisoned ? 'the engine was aborted; create a new engine' : 'the engine has been disposed');
    }
    if (this.busy) throw new EngineError('reentrant', 'a host callback tried to call back into the engine');
    this.busy = true;
    let failure: EngineError | undefined;
    try {
      // Everything after `busy` is inside the try: even a host stack overflow here must release it.
      this.budget.arm();
      const result = body();
      this.drainJobs();
      return result;
    } catch (error) {
      if (!(error instanceof EngineError)) throw this.abandon(error);
      failure = error;
      throw error;
    } finally {
      this.busy = false;
      if (failure !== undefined && failure.kind !== 'exception' && failure.patch === undefined) this.blamePatch(failure);
      const listener = this.listenerError;
      this.listenerError = undefined;
      // eslint-disable-next-line no-unsafe-finally -- a host listener's own failure must not be lost
      if (listener !== undefined) throw listener.error;
    }
  }

  /** A limit tripped inside a patch's code: name the patch and disable it. */
  private blamePatch(error: EngineError): void {
    const frame = error.frames.find((f) => this.patchFiles.has(f.generated?.file ?? f.file));
    const patch = frame === undefined ? undefined : this.patchFiles.get(frame.generated?.file ?? frame.file);
    if (patch === undefined || !this.patchesById.has(patch.id)) return;
    error.patch = patch;
    this.disablePatch(patch);
    this.recordFault({ patch, phase: 'limit', error });
  }

  private drainJobs(): void {
    while (this.runtime.hasPendingJob()) {
      const result = this.runtime.executePendingJobs();
      if (result.error) {
        using error = result.error;
        throw this.failures.failure(error);
      }
      result.dispose();
    }
  }

  private internal(name: InternalName, ...args: QuickJSHandle[]): QuickJSHandle {
    const fn = this.internals.get(name);
    if (fn === undefined) throw new Error(`engine internal '${name}' missing`);
    return this.unwrap(this.context.callFunction(fn, this.context.undefined, ...args));
  }

  private numericExport(name: string): QuickJSHandle {
    const cached = this.numericExports.get(name);
    if (cached !== undefined) return cached;
    using nameHandle = this.context.newString(name);
    const fn = this.internal('numeric', nameHandle);
    this.numericExports.set(name, fn);
    return fn;
  }

  private evalModule(code: string, fileName: string): QuickJSHandle {
    const c = this.context;
    const result = this.unwrap(c.evalCode(code, fileName, { type: 'module', strict: true }));
    // A module with top-level await evaluates to a promise: settle it within this call's budget.
    if (c.getPromiseState(result).type === 'pending') this.drainJobs();
    const state = c.getPromiseState(result);
    if (state.type === 'fulfilled') {
      if (state.notAPromise) return result;
      result.dispose();
      return state.value;
    }
    result.dispose();
    if (state.type === 'rejected') {
      using error = state.error;
      throw this.failures.failure(error);
    }
    throw new EngineError('bad-input', `${fileName}: its top-level await never settles (nothing in the engine can resolve it)`);
  }

  private unwrap(result: DisposableResult<QuickJSHandle, QuickJSHandle>): QuickJSHandle {
    if (result.error) {
      using error = result.error;
      throw this.failures.failure(error);
    }
    return result.value;
  }

  private mapper(map: RawSourceMap | string): SourceMapper {
    try {
      return new SourceMapper(map);
    } catch (error) {
      throw new EngineError('bad-input', error instanceof Error ? error.message : String(error));
    }
  }
}
