// The monitor's size, measured as the paper measures CloudVisor's (5.5K lines): non-blank,
// non-comment lines of core/cloudvisor. The lab's monitor must stay smaller.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench } from './report';

const PAPER_MONITOR_LINES = 5500;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Lines that are neither blank nor only comment (line comments and block comments). */
export function codeLines(source: string): number {
  let inBlock = false;
  let count = 0;
  for (const raw of source.split('\n')) {
    let line = raw.trim();
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      inBlock = false;
      line = line.slice(end + 2).trim();
    }
    while (line.startsWith('/*')) {
      const end = line.indexOf('*/', 2);
      if (end < 0) {
        inBlock = true;
        line = '';
        break;
      }
      line = line.slice(end + 2).trim();
    }
    if (line === '' || line.startsWith('//')) continue;
    count++;
  }
  return count;
}

export const monitorSize: Bench = async () => {
  const root = fileURLToPath(new URL('../../core/cloudvisor', import.meta.url));
  let lines = 0;
  let count = 0;
  for (const file of files(root)) {
    lines += codeLines(readFileSync(file, 'utf8'));
    count++;
  }
  return {
    name: 'monitor size',
    lines: [`core/cloudvisor: ${lines} code lines in ${count} files (the paper's monitor: ${PAPER_MONITOR_LINES})`],
    metrics: { monitorCodeLines: lines, monitorFiles: count },
  };
};
