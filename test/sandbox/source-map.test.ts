// Source map decoding against TypeScript's own output and hand-built multi-source mappings.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SourceMapper } from '../../core/sandbox/source-map';

describe('SourceMapper', () => {
  it('maps positions of a TypeScript emit back to the source', () => {
    const source = 'const a: number = 1;\n\ntype T = { x: number };\nexport function f(t: T): number {\n  return t.x + a;\n}\n';
    const out = ts.transpileModule(source, { fileName: 'm.ts', compilerOptions: { sourceMap: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext } });
    const mapper = new SourceMapper(out.sourceMapText ?? '');
    const lines = out.outputText.split('\n');
    const line = lines.findIndex((l) => l.includes('return t.x')) + 1;
    const column = (lines[line - 1] ?? '').indexOf('t.x') + 1;
    expect(mapper.originalPosition(line, column)).toEqual({ source: 'm.ts', line: 5, column: 10 });
    expect(mapper.originalPosition(999, 1)).toBeUndefined();
  });

  it('decodes multi-source maps with negative deltas and a source root', () => {
    // Segments: line 1 -> a.js 1:1, col 4 -> b.js 3:3; line 2 -> back to a.js 2:1 (negative deltas).
    const mapper = new SourceMapper({ version: 3, sources: ['a.ts', 'b.ts'], sourceRoot: 'src', mappings: 'AAAA,ICEE;ADCF', names: [] } as never);
    expect(mapper.originalPosition(1, 1)).toEqual({ source: 'src/a.ts', line: 1, column: 1 });
    expect(mapper.originalPosition(1, 9)).toEqual({ source: 'src/b.ts', line: 3, column: 3 });
    expect(mapper.originalPosition(2, 1)).toEqual({ source: 'src/a.ts', line: 4, column: 1 });
  });

  it('rejects malformed maps with a clear error', () => {
    expect(() => new SourceMapper('not json')).toThrow(SyntaxError);
    expect(() => new SourceMapper('{"version":3}')).toThrow(/sources and mappings are required/);
    expect(() => new SourceMapper({ version: 2, sources: [], mappings: '' })).toThrow(/version 2/);
    expect(() => new SourceMapper({ version: 3, sources: ['a'], mappings: 'A!AA' })).toThrow(/invalid mapping character '!'/);
  });
});
