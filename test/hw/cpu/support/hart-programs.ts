// Loads the committed hart test programs (assets/tests/hart/bin) and QEMU's transcripts
// (assets/tests/hart/expected), applies the spec overrides, and compares transcripts line by
// line with a readable first-difference report. Shared by programs.test.ts and the toolchain test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPEC_OVERRIDES, type SpecOverride } from './spec-overrides';

export const HART_DIR = fileURLToPath(new URL('../../../../assets/tests/hart', import.meta.url));
export const BIN_DIR = join(HART_DIR, 'bin');
export const EXPECTED_DIR = join(HART_DIR, 'expected');

/** What a run printed and how it ended, as QEMU's transcript records it. */
export interface Transcript {
  lines: string[];
  exitCode: number;
}

export function programNames(): string[] {
  return readdirSync(BIN_DIR)
    .filter((f) => f.endsWith('.elf'))
    .map((f) => f.slice(0, -'.elf'.length))
    .sort();
}

/** Names of the sources (src/NAME.c or src/NAME.S) and of the transcripts (expected/NAME.txt). */
export function sourceNames(): string[] {
  return readdirSync(join(HART_DIR, 'src'))
    .filter((f) => f.endsWith('.c') || f.endsWith('.S'))
    .map((f) => f.slice(0, -2))
    .sort();
}

export function transcriptNames(): string[] {
  return readdirSync(EXPECTED_DIR)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -'.txt'.length))
    .sort();
}

export function readElf(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(BIN_DIR, `${name}.elf`)));
}

/** Splits UART text into lines; a trailing newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Parses expected/NAME.txt: UART output, then a final "qemu-exit N" line written by make. */
export function parseTranscript(text: string): Transcript {
  const lines = splitLines(text);
  const last = lines.pop();
  const m = /^qemu-exit (\d+)$/.exec(last ?? '');
  if (m?.[1] === undefined) throw new Error(`transcript does not end in "qemu-exit N": ${last ?? '(empty)'}`);
  return { lines, exitCode: Number(m[1]) };
}

export function readExpected(name: string): Transcript {
  return parseTranscript(readFileSync(join(EXPECTED_DIR, `${name}.txt`), 'utf8'));
}

/** Rewrites one expected line per an override: one `field=value` pair, or the whole line. */
function applyOne(line: string, o: SpecOverride): string {
  if (o.template === true) return line.replace(o.line, o.value);
  if (o.field === undefined) return o.value;
  const re = new RegExp(`(^| )${o.field}=\\S+`);
  if (!re.test(line))
    throw new Error(`override for ${o.program} names field ${o.field} absent from: ${line}`);
  return line.replace(re, `$1${o.field}=${o.value}`);
}

/**
 * The spec's transcript: QEMU's, with every line an override matches rewritten to the value the
 * privileged spec requires. Each override must match at least once, so a stale one is caught.
 */
export function specTranscript(name: string, qemu: Transcript, overrides = SPEC_OVERRIDES): Transcript {
  const mine = overrides.filter((o) => o.program === name);
  const used = new Set<SpecOverride>();
  const lines = qemu.lines.map((line) => {
    let out = line;
    for (const o of mine) {
      if (o.line.test(line)) {
        out = applyOne(out, o);
        used.add(o);
      }
    }
    return out;
  });
  const unused = mine.filter((o) => !used.has(o));
  if (unused.length > 0) {
    throw new Error(
      `spec overrides matched no line of ${name}: ${unused.map((o) => String(o.line)).join(', ')}`,
    );
  }
  return { lines, exitCode: qemu.exitCode };
}

/** Empty string when equal; otherwise the first differing line with three lines of context. */
export function describeDifference(expected: Transcript, actual: Transcript): string {
  const n = Math.max(expected.lines.length, actual.lines.length);
  for (let i = 0; i < n; i++) {
    const e = expected.lines[i];
    const a = actual.lines[i];
    if (e === a) continue;
    const from = Math.max(0, i - 3);
    const context = expected.lines.slice(from, i).map((l, k) => `  ${from + k + 1}  ${l}`);
    return [
      `first difference at line ${i + 1}:`,
      ...context,
      `- ${i + 1}  ${e ?? '(end of expected output)'}`,
      `+ ${i + 1}  ${a ?? '(end of actual output)'}`,
    ].join('\n');
  }
  if (expected.exitCode !== actual.exitCode) {
    return `output matches; exit code differs: expected ${expected.exitCode}, got ${actual.exitCode}`;
  }
  return '';
}
