// Turns an error value thrown inside the engine into the host's EngineError: name, message and
// stack copied out as strings (under a small fresh budget, so a getter cannot run away), frames
// mapped to TypeScript with the prelude's plumbing removed, and the kind classified.
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import type { InterruptBudget } from './budget';
import {
  EngineError, classify, mapFrames, parseStack, where, type EngineErrorKind, type GuestErrorInfo, type StackFrame,
} from './engine-errors';
import type { EngineLimits } from './engine-options';
import type { SourceMapper } from './source-map';

/** The prelude's file name: its frames are the boundary's plumbing, not the user's code. */
export const PRELUDE_FILE = 'lab:prelude.js';
/** Budget for reading an error value out after the call's own budget ran out. */
const REPORT_TICKS = 50;

export class FailureReader {
  constructor(
    private readonly context: QuickJSContext,
    private readonly budget: InterruptBudget,
    private readonly limits: EngineLimits,
    /** Generated file name -> its source map (bundle and patches). */
    readonly maps: Map<string, SourceMapper>,
  ) {}

  /** Stack frames mapped to TypeScript, without the prelude's own frames. */
  frames(stack: string): StackFrame[] {
    return mapFrames(parseStack(stack), this.maps).filter((f) => f.file !== PRELUDE_FILE);
  }

  /** Reads an engine error value into an EngineError, classified by whether the budget tripped. */
  failure(handle: QuickJSHandle): EngineError {
    const exhausted = this.budget.exhausted;
    return this.toEngineError(this.read(handle), exhausted);
  }

  /** Copies name, message and stack out of an engine error value, under a small fresh budget. */
  private read(handle: QuickJSHandle): GuestErrorInfo {
    const c = this.context;
    this.budget.arm(REPORT_TICKS);
    if (c.typeof(handle) !== 'object') return { name: 'Error', message: `threw ${String(c.dump(handle))}`, stack: '' };
    const text = (key: string): string => {
      try {
        using v = c.getProp(handle, key);
        return c.typeof(v) === 'string' ? c.getString(v) : '';
      } catch {
        return '';
      }
    };
    return { name: text('name') || 'Error', message: text('message'), stack: text('stack') };
  }

  private toEngineError(info: GuestErrorInfo, exhausted: boolean): EngineError {
    const kind: EngineErrorKind = classify(info, exhausted);
    const frames = this.frames(info.stack);
    const at = where(frames);
    const messages: Record<EngineErrorKind, string> = {
      unresponsive: `VMM unresponsive: stopped after ${this.limits.interruptBudget} interrupt checks${at}`,
      'out-of-memory': `VMM out of memory: the engine's ${this.limits.memoryBytes} byte limit was reached${at}`,
      'stack-overflow': `VMM stack overflow: deeper than the ${this.limits.stackBytes} byte stack limit${at}`,
      exception: `${info.name}: ${info.message}${at}`,
      disposed: info.message,
      reentrant: info.message,
      'bad-input': info.message,
      aborted: info.message,
    };
    return new EngineError(kind, messages[kind], frames, info.name);
  }
}
