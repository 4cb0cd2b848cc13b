// Errors that leave the engine, classified (budget, memory, stack, exception, misuse) and carrying
// stack frames mapped back to TypeScript through the source maps of the bundle and the patches.
// The host sees only copies: name, message and stack strings read out of the engine's error value.
import type { SourceMapper } from './source-map';

export type EngineErrorKind =
  | 'unresponsive' // the interrupt budget ran out: a loop that does not end
  | 'out-of-memory'
  | 'stack-overflow'
  | 'exception' // the VMM or a patch threw
  | 'disposed'
  | 'reentrant' // a host callback tried to call back into the engine
  | 'bad-input' // the host passed something the engine cannot take (arguments, bundle, patch)
  | 'aborted'; // a host-level failure (e.g. the host's own stack) cut through the engine: it is gone

export interface StackFrame {
  readonly functionName: string;
  /** Original file (TypeScript) when mapped, else the generated one. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Where the engine was, when the frame was mapped. */
  readonly generated?: { readonly file: string; readonly line: number; readonly column: number };
}

/** The error value the engine threw, read out as plain strings. */
export interface GuestErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  /** When a patch caused it: which one (it has been disabled). */
  patch?: { readonly id: number; readonly name: string };

  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    readonly frames: readonly StackFrame[] = [],
    readonly guestName = '',
  ) {
    super(message);
    this.stack = `${this.name} [${kind}]: ${message}${formatFrames(frames)}`;
  }
}

const MAX_FRAMES = 24;
const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?\s*$/;

/** Parses QuickJS's "    at fn (file:line:col)" lines; native frames are kept without a position. */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    if (frames.length === MAX_FRAMES) break;
    const m = FRAME.exec(line);
    if (m === null) continue;
    frames.push({ functionName: m[1] ?? '<anonymous>', file: m[2] ?? '', line: Number(m[3]), column: Number(m[4]) });
  }
  return frames;
}

/** Maps each frame whose file has a source map; others stay as the engine reported them. */
export function mapFrames(frames: readonly StackFrame[], maps: ReadonlyMap<string, SourceMapper>): StackFrame[] {
  return frames.map((f) => {
    const original = maps.get(f.file)?.originalPosition(f.line, f.column);
    if (original === undefined) return f;
    return { ...original, file: original.source, functionName: f.functionName, generated: { file: f.file, line: f.line, column: f.column } };
  });
}

export function formatFrames(frames: readonly StackFrame[]): string {
  return frames.map((f) => `\n    at ${f.functionName} (${f.file}:${f.line}:${f.column})`).join('');
}

/** Classifies what QuickJS threw, given whether our interrupt budget was the one that tripped. */
export function classify(info: GuestErrorInfo, budgetExhausted: boolean): EngineErrorKind {
  if (info.name === 'InternalError') {
    if (info.message === 'interrupted' && budgetExhausted) return 'unresponsive';
    if (info.message === 'out of memory') return 'out-of-memory';
    if (info.message === 'stack overflow') return 'stack-overflow';
  }
  if (info.name === 'RangeError' && /call stack size/.test(info.message)) return 'stack-overflow';
  return 'exception';
}

export function where(frames: readonly StackFrame[]): string {
  const top = frames[0];
  return top === undefined ? '' : ` at ${top.file}:${top.line}:${top.column}`;
}
