// The engine's configuration and the shapes its callers see: limits (with the measured bounds
// they must respect), bundle sources, JSON-like call values, and patch identities and faults.
// Invariant: resolveLimits either returns limits the engine can honour or throws a bad-input error.
import { DEFAULT_INTERRUPT_BUDGET } from './budget';
import { EngineError } from './engine-errors';
import type { HypBackend } from './host-binding';
import type { LabChannel } from './hyp';
import type { RawSourceMap } from './source-map';

export interface EngineLimits {
  readonly memoryBytes: number;
  readonly stackBytes: number;
  /** Interrupt-handler invocations per call in (deterministic, see budget.ts). */
  readonly interruptBudget: number;
}

export const DEFAULT_LIMITS: EngineLimits = {
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 256 * 1024,
  interruptBudget: DEFAULT_INTERRUPT_BUDGET,
};

export interface EngineSource {
  readonly code: string;
  /** The name stack frames carry; source maps are looked up by it. */
  readonly fileName: string;
  readonly sourceMap?: RawSourceMap | string;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface PatchInfo {
  readonly id: number;
  readonly name: string;
  /** The patch's TypeScript file name, as its frames are reported. */
  readonly fileName: string;
}

export interface PatchFault {
  readonly patch: PatchInfo;
  readonly phase: 'load' | 'install' | 'hook' | 'uninstall' | 'limit';
  /** Frames mapped to the patch's TypeScript; `error.frames[0]` is usually the throwing line. */
  readonly error: EngineError;
}

export type PatchOutcome = { readonly ok: true } | { readonly ok: false; readonly fault: PatchFault };

export interface VmmEngineOptions {
  readonly backend: HypBackend;
  readonly lab: LabChannel;
  readonly limits?: Partial<EngineLimits>;
  /**
   * Regular expressions, off by default: QuickJS's regexp engine never polls the interrupt handler,
   * so a catastrophic backtracking pattern cannot be stopped by the budget (measured: /(a+)+$/ on
   * 28 characters ran 5.8 s with zero interrupt checks). Without it a regex literal fails to load.
   */
  readonly regExp?: boolean;
  /** Seed of the engine's Math.random (the engine has no other randomness). */
  readonly seed?: number;
  /**
   * The "virtual VMCS" (CLOUDVISOR.md section 1), off by default: the registers a vCPU showed at
   * its last exit are kept inside the engine, reads and writes of them cost no host call, and the
   * changes travel with the next `run`, where the backend checks them (a refused change fails
   * that run instead of the `setRegs` call).
   */
  readonly virtualVmcs?: boolean;
  /**
   * Called for every patch fault (also returned by installPatch/uninstallPatch). It must not call
   * the engine; if it throws, its error is rethrown from the engine call during which the fault arose.
   */
  readonly onPatchFault?: (fault: PatchFault) => void;
}

/**
 * QuickJS's stack check must fire before V8's: WebAssembly frames run on the host's own stack, and
 * a host RangeError cutting through the engine leaves its heap inconsistent (measured: 512 KiB
 * already overflows Node's default stack first; 384 KiB does not).
 */
export const MAX_STACK_BYTES = 384 * 1024;
function positive(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new EngineError('bad-input', `${what} must be a positive integer`);
  return value;
}

/** Defaults filled in and every limit checked. */
export function resolveLimits(overrides: Partial<EngineLimits> = {}): EngineLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  const stackBytes = positive(limits.stackBytes, 'stackBytes');
  if (stackBytes > MAX_STACK_BYTES) {
    throw new EngineError('bad-input', `stackBytes above ${MAX_STACK_BYTES} would let the host's own stack overflow first`);
  }
  return {
    memoryBytes: positive(limits.memoryBytes, 'memoryBytes'),
    stackBytes,
    interruptBudget: positive(limits.interruptBudget, 'interruptBudget'),
  };
}
