// The output of the patch compiler that the engine consumes: JavaScript (an ES module whose default
// export is the patch definition) plus the source map back to the patch's TypeScript.
import type { RawSourceMap } from './source-map';

export interface CompiledPatch {
  /** The patch's TypeScript file name, as frames and diagnostics name it (e.g. "steal.ts"). */
  readonly fileName: string;
  readonly js: string;
  readonly sourceMap: RawSourceMap | string;
}
